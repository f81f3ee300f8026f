// Shared pieces of the switchboard.js tests: the client module, the `ws` package and a real
// WebSocket server on 127.0.0.1 that records what it receives.

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// `ws` is pinned in the interop peers' package.json and installed there by scripts/test.sh.
const peers = new URL('../Interop.Tests/peers/package.json', import.meta.url);
let ws;
try {
  ws = createRequire(peers)('ws');
} catch (error) {
  throw new Error('the ws package is missing; run scripts/test.sh --deps-only', { cause: error });
}
export const { WebSocket, WebSocketServer } = ws;

/** The client package's directory (clients/js) and its module, as the package exports it. */
export const packageDir = fileURLToPath(new URL('../../clients/js/', import.meta.url));
export const client = await import(new URL('../../clients/js/switchboard.js', import.meta.url));

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Timers for the client's `setTimeout` and `clearTimeout` options: a wait before a reconnect is
 * kept in `pending` until the test runs it with `runAll()`, so a test sees whether one was started.
 */
export function manualTimers() {
  let next = 0;
  const timers = {
    pending: new Map(), // id -> { callback, ms }
    started: 0,
    setTimeout: (callback, ms) => {
      timers.started += 1;
      timers.pending.set(++next, { callback, ms });
      return next;
    },
    clearTimeout: (id) => { timers.pending.delete(id); },
    /** Runs every pending wait (and any a run starts); returns how many ran. */
    runAll() {
      let ran = 0;
      for (const [id, { callback }] of timers.pending) {
        timers.pending.delete(id);
        callback();
        ran += 1;
      }
      return ran;
    },
  };
  return timers;
}

/** Polls `predicate` until it returns a truthy value; fails after `timeoutMs`. */
export async function waitFor(predicate, what, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(5);
  }
}

/**
 * A `ws` server on 127.0.0.1, port 0. `connections` lists every accepted socket with the text
 * messages it received; `refuse = true` makes upgrades fail with 503; `upgrades` counts attempts.
 * `onMessage(text, connection)`, when given, sees each text message as it arrives.
 */
export async function startServer({ onMessage } = {}) {
  const server = {
    refuse: false,
    upgrades: 0,
    connections: [],
    url: '',
    get last() { return this.connections.at(-1); },
    /** Messages received over all connections, in order. */
    get received() { return this.connections.flatMap((c) => c.received); },
    async stop() {
      for (const c of this.connections) c.socket.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (info, done) => {
      server.upgrades += 1;
      if (server.refuse) done(false, 503, 'refused by the test');
      else done(true);
    },
  });
  wss.on('connection', (socket, request) => {
    const connection = { socket, path: request.url, received: [], closed: null };
    socket.on('message', (data, isBinary) => {
      connection.received.push(isBinary ? data : data.toString());
      if (!isBinary) onMessage?.(data.toString(), connection);
    });
    socket.on('close', (code, reason) => { connection.closed = { code, reason: reason.toString() }; });
    server.connections.push(connection);
  });
  await new Promise((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  server.url = `ws://127.0.0.1:${wss.address().port}/ws/alice`;
  return server;
}

/** Records the states a client reports: `states` (names) and `details` (name and detail). */
export function recordStates(c) {
  const log = { states: [], details: [] };
  c.onState((state, detail) => {
    log.states.push(state);
    log.details.push({ state, ...detail });
  });
  return log;
}

/** Records the errors a client reports. */
export function recordErrors(c) {
  const errors = [];
  c.onError((error) => errors.push(error));
  return errors;
}

/**
 * The real chat server (samples/Chat, built by `dotnet build Sdk.sln -c Release`, as
 * scripts/test.sh does) on port 0. `wsUrl(name)` is the endpoint of a user; `output` collects what
 * it printed; `stop()` ends the process.
 */
export async function startChatServer() {
  const { spawn } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const bin = fileURLToPath(new URL('../../samples/Chat/bin/Release/net10.0/', import.meta.url));
  const [command, args] = existsSync(join(bin, 'Chat'))
    ? [join(bin, 'Chat'), []]
    : existsSync(join(bin, 'Chat.dll'))
      ? ['dotnet', [join(bin, 'Chat.dll')]]
      : [null, []];
  if (!command) throw new Error(`the chat server is not built in ${bin}; run dotnet build Sdk.sln -c Release`);
  const child = spawn(command, [...args, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the chat server did not start within 30 s:\n${output}`)), 30_000);
    const read = (chunk) => {
      output += chunk;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.setEncoding('utf8').on('data', read);
    child.stderr.setEncoding('utf8').on('data', read);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the chat server exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  return {
    port,
    get output() { return output; },
    wsUrl: (name) => `ws://127.0.0.1:${port}/ws/${encodeURIComponent(name)}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * A small long-polling server on 127.0.0.1, port 0, speaking the client's side of docs/protocol.md
 * "Long polling": open, poll (held until a message is queued or `holdMs` passes), send, delete.
 * `onEnvelope(envelope, session)` sees each envelope sent; `session.push(envelope)` queues one for
 * the client; `session.end()` makes its polls answer 404 (the session is gone). `url` is a ws:// URL.
 */
export async function startLongPollingServer(onEnvelope = () => {}) {
  const { createServer } = await import('node:http');
  const sessions = new Map();
  let count = 0;
  const newSession = () => {
    const session = {
      id: `s${++count}`,
      outbox: [], // { seq, envelope }
      nextSeq: 1,
      gone: false,
      waiters: new Set(),
      push(envelope) {
        session.outbox.push({ seq: session.nextSeq++, envelope });
        for (const wake of [...session.waiters]) wake();
      },
      end() {
        session.gone = true;
        for (const wake of [...session.waiters]) wake();
      },
    };
    sessions.set(session.id, session);
    return session;
  };
  const answer = (response, status, body) => {
    response.writeHead(status, body === undefined ? {} : { 'Content-Type': 'application/json' });
    response.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const server = createServer(async (request, response) => {
    const u = new URL(request.url, 'http://127.0.0.1');
    let body = '';
    for await (const chunk of request) body += chunk;
    if (request.method === 'POST' && u.searchParams.get('transport') === 'longpolling') {
      answer(response, 200, { session: newSession().id, holdMs: 2000 });
      return;
    }
    const session = sessions.get(u.searchParams.get('session') ?? '');
    if (!session || session.gone) {
      answer(response, 404, { error: 'no such session' });
      return;
    }
    if (request.method === 'GET') {
      const ack = Number(u.searchParams.get('ack') ?? 0);
      session.outbox = session.outbox.filter((m) => m.seq > ack);
      if (session.outbox.length === 0) {
        await new Promise((resolve) => {
          const wake = () => { session.waiters.delete(wake); clearTimeout(timer); resolve(); };
          const timer = setTimeout(wake, 2000);
          session.waiters.add(wake);
        });
      }
      if (session.gone) answer(response, 404, { error: 'session ended' });
      else if (session.outbox.length === 0) answer(response, 204);
      else answer(response, 200, { seq: session.outbox[0].seq, messages: session.outbox.map((m) => m.envelope) });
    } else if (request.method === 'POST') {
      for (const envelope of JSON.parse(body)) onEnvelope(envelope, session);
      answer(response, 204);
    } else if (request.method === 'DELETE') {
      session.end();
      answer(response, 204);
    } else {
      answer(response, 405);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    sessions,
    url: `ws://127.0.0.1:${server.address().port}/ws/alice`,
    async stop() {
      for (const session of sessions.values()) session.end();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
