// Tests of clients/js/switchboard.js against a real `ws` WebSocket server.
//
//   node --test tests/Js

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { WebSocket, client as sb, manualTimers, recordErrors, recordStates, startServer, waitFor } from './support.mjs';

const { SwitchboardClient, encodeEnvelope, decodeEnvelope, isRetryableClose } = sb;

/** Runs `body(server, open)` with a fresh server; `open(options)` makes clients that are closed afterwards. */
async function withServer(body) {
  const server = await startServer();
  const clients = [];
  const open = (options = {}) => {
    const c = new SwitchboardClient(server.url, { WebSocket, transport: 'websocket', ...options });
    clients.push(c);
    return c;
  };
  try {
    await body(server, open);
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}

const isOpen = (c) => c.state === 'open';

/** A WebSocket class that lists the sockets it made, so a test sees every connection attempt the moment it starts. */
function socketLog() {
  const sockets = [];
  class LoggedWebSocket extends WebSocket {
    constructor(...args) {
      super(...args);
      sockets.push(this);
    }
  }
  return { sockets, WebSocket: LoggedWebSocket };
}

describe('envelope', () => {
  test('encode writes type first, then data, then the optional id', () => {
    assert.equal(encodeEnvelope('chat.send', { text: 'hi' }), '{"type":"chat.send","data":{"text":"hi"}}');
    assert.equal(encodeEnvelope('ping', undefined), '{"type":"ping","data":{}}');
    assert.equal(encodeEnvelope('q', [1, 2], 'r1'), '{"type":"q","data":[1,2],"id":"r1"}');
  });

  test('decode accepts the members in any order', () => {
    assert.deepEqual(decodeEnvelope('{"id":3,"data":{"user":"bob"},"type":"chat.joined"}'),
      { type: 'chat.joined', data: { user: 'bob' }, id: 3 });
    assert.deepEqual(decodeEnvelope('{"type":"t"}'), { type: 't', data: undefined, id: undefined });
  });

  test('decode refuses what is not an envelope', () => {
    for (const raw of ['', 'nope', '[]', 'null', '"t"', '{}', '{"type":""}', '{"type":1,"data":{}}', new Uint8Array([123, 125])]) {
      assert.throws(() => decodeEnvelope(raw), (e) => e.kind === 'malformed' && e.raw === raw, String(raw));
    }
  });

  test('default reconnect policy by close code', () => {
    for (const code of [1001, 1005, 1006, 1009, 1011, 1012, 1013, 3000, 3999]) assert.equal(isRetryableClose(code), true, `${code}`);
    for (const code of [1000, 1002, 1003, 1007, 1008, 1010, 4000, 4001, 4999]) assert.equal(isRetryableClose(code), false, `${code}`);
  });
});

describe('messaging over a real WebSocket', () => {
  test('sends envelopes as text with type first', () => withServer(async (server, open) => {
    const c = open();
    await waitFor(() => isOpen(c), 'open');
    assert.equal(server.last.path, '/ws/alice');
    assert.equal(c.send('chat.send', { text: 'hi <b>&</b> 😀' }), true);
    c.send('chat.direct', { to: 'bob', text: 'psst' }, { id: 'c1' });
    await waitFor(() => server.received.length === 2, 'two messages');
    assert.deepEqual(server.received, [
      '{"type":"chat.send","data":{"text":"hi <b>&</b> 😀"}}',
      '{"type":"chat.direct","data":{"to":"bob","text":"psst"},"id":"c1"}',
    ]);
  }));

  test('dispatches by type to every handler, with the envelope; unsubscribe works', () => withServer(async (server, open) => {
    const c = open();
    const errors = recordErrors(c);
    const first = [];
    const second = [];
    const offFirst = c.on('chat.message', (data, envelope) => first.push({ data, id: envelope.id }));
    const offSecond = c.on('chat.message', (data) => second.push(data));
    const roster = [];
    c.on('chat.roster', (data) => roster.push(data.users));
    await waitFor(() => isOpen(c), 'open');

    server.last.socket.send('{"data":{"users":["alice","bob"]},"type":"chat.roster"}');
    server.last.socket.send('{"type":"chat.message","data":{"sender":"bob","text":"one","sentAt":"2026-11-24T10:00:00+00:00"}}');
    await waitFor(() => first.length === 1 && roster.length === 1, 'dispatch');
    assert.deepEqual(roster, [['alice', 'bob']]);
    assert.deepEqual(first, [{ data: { sender: 'bob', text: 'one', sentAt: '2026-11-24T10:00:00+00:00' }, id: undefined }]);
    assert.equal(second.length, 1);

    offFirst();
    server.last.socket.send(encodeEnvelope('chat.message', { sender: 'bob', text: 'two' }));
    await waitFor(() => second.length === 2, 'second message');
    assert.equal(first.length, 1);

    offSecond();
    server.last.socket.send(encodeEnvelope('chat.message', { text: 'three' }));
    await waitFor(() => errors.length === 1, 'unknown-type error');
    assert.equal(errors[0].kind, 'unknown-type');
    assert.equal(second.length, 2);
  }));

  test('an unknown type goes to onError and the connection stays up', () => withServer(async (server, open) => {
    const c = open();
    const errors = recordErrors(c);
    const echoes = [];
    c.on('echo', (data) => echoes.push(data));
    await waitFor(() => isOpen(c), 'open');
    server.last.socket.send('{"type":"chat.nobody","data":{"x":1}}');
    server.last.socket.send('{"type":"echo","data":"after"}');
    await waitFor(() => echoes.length === 1, 'message after the unknown one');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].name, 'SwitchboardError');
    assert.equal(errors[0].kind, 'unknown-type');
    assert.equal(errors[0].type, 'chat.nobody');
    assert.deepEqual(errors[0].data, { x: 1 });
    assert.equal(c.state, 'open');
  }));

  test('malformed envelopes go to onError and the connection stays up', () => withServer(async (server, open) => {
    const c = open();
    const errors = recordErrors(c);
    const echoes = [];
    c.on('echo', (data) => echoes.push(data));
    await waitFor(() => isOpen(c), 'open');
    const bad = ['not json', '{"type":"echo"', '[1,2]', 'null', '{"data":{}}', '{"type":"","data":{}}', '{"type":7,"data":{}}'];
    for (const raw of bad) server.last.socket.send(raw);
    server.last.socket.send(Buffer.from('{"type":"echo","data":1}'), { binary: true });
    server.last.socket.send('{"type":"echo","data":"ok"}');
    await waitFor(() => echoes.length === 1, 'the valid message');
    assert.deepEqual(echoes, ['ok']);
    assert.equal(errors.length, bad.length + 1);
    assert.ok(errors.every((e) => e.kind === 'malformed'), errors.map((e) => e.message).join('\n'));
    assert.deepEqual(errors.slice(0, bad.length).map((e) => e.raw), bad);
    assert.match(errors.at(-1).message, /not a text message/);
  }));

  test('a throwing handler goes to onError and the other handlers still run', () => withServer(async (server, open) => {
    const c = open();
    const errors = recordErrors(c);
    const seen = [];
    c.on('echo', () => { throw new Error('boom'); });
    c.on('echo', (data) => seen.push(data));
    await waitFor(() => isOpen(c), 'open');
    server.last.socket.send('{"type":"echo","data":1}');
    await waitFor(() => seen.length === 1, 'second handler');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].kind, 'handler');
    assert.equal(errors[0].cause.message, 'boom');
  }));
});

describe('connection lifecycle', () => {
  test('state transitions: connecting, open, reconnecting, open, closed', () => withServer(async (server, open) => {
    const c = open({ initialDelayMs: 10, maxDelayMs: 10 });
    const log = recordStates(c);
    assert.equal(c.state, 'connecting');
    await waitFor(() => isOpen(c), 'open');
    server.last.socket.terminate();
    await waitFor(() => server.connections.length === 2 && isOpen(c), 'reopened');
    c.close();
    assert.deepEqual(log.states, ['connecting', 'open', 'reconnecting', 'open', 'closed']);
    assert.equal(log.details[2].code, 1006);
    assert.deepEqual(log.details.at(-1), { state: 'closed', code: 1000, reason: '', byClient: true });
  }));

  test('reconnects with exponential backoff after the server drops the socket', () => withServer(async (server, open) => {
    const c = open({ initialDelayMs: 20, maxDelayMs: 80, random: () => 1 });
    const log = recordStates(c);
    await waitFor(() => isOpen(c), 'open');

    server.refuse = true;
    const started = Date.now();
    server.last.socket.terminate();
    await waitFor(() => log.states.filter((s) => s === 'reconnecting').length === 5, 'five reconnect attempts');
    server.refuse = false;
    await waitFor(() => isOpen(c), 'reopened');
    const elapsed = Date.now() - started;

    const waits = log.details.filter((d) => d.state === 'reconnecting');
    assert.deepEqual(waits.map((d) => d.delayMs).slice(0, 5), [20, 40, 80, 80, 80]);
    assert.deepEqual(waits.map((d) => d.attempt).slice(0, 5), [1, 2, 3, 4, 5]);
    assert.ok(elapsed >= 20 + 40 + 80 + 80, `reconnected after ${elapsed} ms`);
    assert.equal(server.connections.length, 2);

    // A successful open resets the backoff.
    const before = waits.length;
    server.last.socket.terminate();
    await waitFor(() => server.connections.length === 3 && isOpen(c), 'reopened again');
    const next = log.details.filter((d) => d.state === 'reconnecting').slice(before);
    assert.deepEqual(next.map((d) => [d.attempt, d.delayMs]), [[1, 20]]);
  }));

  test('backoff uses full jitter: a random fraction of the exponential cap', () => withServer(async (server, open) => {
    const fractions = [0.5, 0.25, 0.75, 0];
    const c = open({ initialDelayMs: 20, maxDelayMs: 1000, maxAttempts: 3, maxConnectAttempts: Infinity, random: () => fractions.shift() });
    const log = recordStates(c);
    server.refuse = true;
    await waitFor(() => c.state === 'closed', 'gave up');
    assert.deepEqual(log.details.filter((d) => d.state === 'reconnecting').map((d) => d.delayMs), [10, 10, 60]);
  }));

  test('gives up after maxAttempts failed attempts in a row', () => withServer(async (server, open) => {
    server.refuse = true;
    const c = open({ initialDelayMs: 5, maxDelayMs: 5, maxAttempts: 2 });
    const log = recordStates(c);
    await waitFor(() => c.state === 'closed', 'closed');
    assert.deepEqual(log.states, ['connecting', 'reconnecting', 'reconnecting', 'closed']);
    assert.equal(log.details.at(-1).attempts, 2);
    assert.equal(server.upgrades, 3);
    assert.throws(() => c.send('chat.send', { text: 'late' }), /closed/);
  }));

  test('sends made while disconnected are queued and flushed in order after reconnect', () => withServer(async (server, open) => {
    server.refuse = true;
    const c = open({ initialDelayMs: 10, maxDelayMs: 20 });
    // Before the first connection opens.
    assert.equal(c.send('m', { n: 0 }), false);
    c.onState((state) => { if (state === 'open') c.send('from-open-handler', {}); });
    await waitFor(() => c.state === 'reconnecting', 'reconnecting');
    server.refuse = false;
    await waitFor(() => server.received.length === 2, 'first flush');
    assert.deepEqual(server.received, ['{"type":"m","data":{"n":0}}', '{"type":"from-open-handler","data":{}}']);

    server.refuse = true;
    server.last.socket.terminate();
    await waitFor(() => c.state === 'reconnecting', 'reconnecting again');
    for (let n = 1; n <= 5; n++) assert.equal(c.send('m', { n }), false);
    assert.equal(c.queued, 5);
    server.refuse = false;
    await waitFor(() => server.last.received.length === 6, 'second flush');
    assert.deepEqual(server.last.received, [
      ...[1, 2, 3, 4, 5].map((n) => `{"type":"m","data":{"n":${n}}}`),
      '{"type":"from-open-handler","data":{}}',
    ]);
    assert.equal(c.queued, 0);
  }));

  test('the queue is bounded by maxQueued and send throws a clear error beyond it', () => withServer(async (server, open) => {
    server.refuse = true;
    const c = open({ maxQueued: 3, initialDelayMs: 5, maxDelayMs: 5 });
    for (let n = 0; n < 3; n++) c.send('m', { n });
    assert.throws(() => c.send('m', { n: 3 }), (e) => e instanceof Error && /3 messages are already queued/.test(e.message) && /maxQueued/.test(e.message));
    assert.equal(c.queued, 3);
    server.refuse = false;
    await waitFor(() => server.received.length === 3, 'flush');
    assert.deepEqual(server.received.map((m) => JSON.parse(m).data.n), [0, 1, 2]);
  }));

  test('queueWhileDisconnected: false makes send fail at once', () => withServer(async (server, open) => {
    const c = open({ queueWhileDisconnected: false });
    assert.throws(() => c.send('m', {}), /not connected \(connecting\) and queueing is off/);
    await waitFor(() => isOpen(c), 'open');
    assert.equal(c.send('m', {}), true);
  }));

  test('no reconnect after close(); the server sees a normal closure', () => withServer(async (server, open) => {
    const timers = manualTimers();
    const made = socketLog();
    const c = open({ initialDelayMs: 5, maxDelayMs: 5, WebSocket: made.WebSocket, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
    const log = recordStates(c);
    await waitFor(() => isOpen(c), 'open');
    c.close();
    assert.equal(c.state, 'closed');
    await waitFor(() => server.last.closed, 'server-side close');
    assert.equal(server.last.closed.code, 1000);
    // The client's socket has reported its close: a reconnect would have started its wait by now.
    await waitFor(() => made.sockets[0].readyState === WebSocket.CLOSED, 'the client\'s socket closed');
    assert.equal(timers.started, 0, 'no wait before a reconnect started');
    timers.runAll();
    assert.equal(made.sockets.length, 1, 'no second connection attempt');
    assert.equal(server.upgrades, 1);
    assert.deepEqual(log.states, ['connecting', 'open', 'closed']);
    assert.throws(() => c.send('m', {}), /the client is closed/);
    c.close(); // idempotent
    assert.deepEqual(log.states, ['connecting', 'open', 'closed']);
  }));

  test('close() while waiting to reconnect cancels the attempt', () => withServer(async (server, open) => {
    const timers = manualTimers();
    const made = socketLog();
    const c = open({ initialDelayMs: 300, maxDelayMs: 300, random: () => 1, WebSocket: made.WebSocket, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
    await waitFor(() => isOpen(c), 'open');
    server.last.socket.terminate();
    await waitFor(() => c.state === 'reconnecting', 'reconnecting');
    assert.equal(timers.pending.size, 1, 'the wait before the reconnect');
    c.close();
    assert.equal(timers.pending.size, 0, 'close() cancelled the wait');
    timers.runAll();
    assert.equal(made.sockets.length, 1, 'no second connection attempt');
    assert.equal(server.upgrades, 1);
    assert.equal(c.state, 'closed');
  }));

  test('close() before the first attempt never connects', () => withServer(async (server, open) => {
    const made = socketLog();
    const c = open({ WebSocket: made.WebSocket });
    c.close();
    // A second client connects on a later microtask than the first would have: once it is open,
    // the first has had its turn, and its connection would have come to the server first.
    const marker = open({ WebSocket: made.WebSocket });
    await waitFor(() => isOpen(marker), 'the marker client open');
    assert.equal(made.sockets.length, 1, 'only the marker client made a socket');
    assert.equal(server.upgrades, 1, 'only the marker client connected');
    assert.equal(c.state, 'closed');
  }));

  for (const code of [1000, 1003, 1008, 4000, 4009]) {
    test(`no reconnect after the server closes with ${code}`, () => withServer(async (server, open) => {
      const timers = manualTimers();
      const made = socketLog();
      const c = open({ initialDelayMs: 5, maxDelayMs: 5, WebSocket: made.WebSocket, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
      const log = recordStates(c);
      await waitFor(() => isOpen(c), 'open');
      server.last.socket.close(code, 'go away');
      await waitFor(() => c.state === 'closed', 'closed');
      assert.equal(timers.started, 0, 'no wait before a reconnect started');
      timers.runAll();
      assert.equal(made.sockets.length, 1, 'no second connection attempt');
      assert.equal(server.upgrades, 1);
      assert.deepEqual(log.details.at(-1), { state: 'closed', code, reason: 'go away', attempts: 0, refused: code === 1008 || code >= 4000 });
    }));
  }

  test('reconnects after the server closes with 1001 or 1011', () => withServer(async (server, open) => {
    const c = open({ initialDelayMs: 5, maxDelayMs: 5 });
    await waitFor(() => isOpen(c), 'open');
    server.last.socket.close(1001, 'restarting');
    await waitFor(() => server.connections.length === 2 && isOpen(c), 'reopened after 1001');
    server.last.socket.close(1011);
    await waitFor(() => server.connections.length === 3 && isOpen(c), 'reopened after 1011');
  }));

  test('after 1013 it waits tryAgainLaterMs and comes back; after 1008 it stays closed', () => withServer(async (server, open) => {
    const c = open({ initialDelayMs: 5, maxDelayMs: 5, tryAgainLaterMs: 300 });
    const log = recordStates(c);
    await waitFor(() => isOpen(c), 'open');

    server.last.socket.close(1013, 'message rate limit: 20 messages at once, 2 a second');
    await waitFor(() => c.state === 'reconnecting', 'reconnecting');
    const lostAt = Date.now();
    const waiting = log.details.at(-1);
    assert.equal(waiting.code, 1013);
    assert.ok(waiting.delayMs >= 300 && waiting.delayMs < 305, `delay ${waiting.delayMs} ms`);
    await waitFor(() => server.connections.length === 2 && isOpen(c), 'reopened after 1013');
    assert.ok(Date.now() - lostAt >= 290, `came back after ${Date.now() - lostAt} ms`);
    assert.equal(server.upgrades, 2);

    // The second close is final: the client stops, and a marker client connecting after it is the only upgrade.
    server.last.socket.close(1008, 'policy');
    await waitFor(() => c.state === 'closed', 'closed after 1008');
    assert.deepEqual(log.details.at(-1), { state: 'closed', code: 1008, reason: 'policy', attempts: 0, refused: true });
    const marker = open();
    await waitFor(() => isOpen(marker), 'marker open');
    assert.equal(server.upgrades, 3);
    assert.deepEqual(log.states, ['connecting', 'open', 'reconnecting', 'open', 'closed']);
    assert.throws(() => c.send('m', {}), /the client is closed/);
  }));

  test('after 1013 the wait stays long until a connection opens, then backoff is short again', () => withServer(async (server, open) => {
    const c = open({ initialDelayMs: 5, maxDelayMs: 5, tryAgainLaterMs: 100, random: () => 0 });
    const log = recordStates(c);
    await waitFor(() => isOpen(c), 'open');
    server.refuse = true; // the retry fails with 1006: still waiting the 1013 delay
    server.last.socket.close(1013, 'later');
    await waitFor(() => log.details.filter((d) => d.state === 'reconnecting').length === 2, 'second retry scheduled');
    assert.deepEqual(log.details.filter((d) => d.state === 'reconnecting').map((d) => [d.code, d.delayMs]), [[1013, 100], [1006, 100]]);
    server.refuse = false;
    await waitFor(() => server.connections.length === 2 && isOpen(c), 'reopened');
    server.last.socket.close(1001, 'restarting');
    await waitFor(() => server.connections.length === 3 && isOpen(c), 'reopened after 1001');
    assert.equal(log.details.filter((d) => d.state === 'reconnecting').at(-1).delayMs, 0);
  }));

  test('shouldReconnect overrides the default policy', () => withServer(async (server, open) => {
    const asked = [];
    const c = open({ initialDelayMs: 5, maxDelayMs: 5, shouldReconnect: (code, reason) => asked.push([code, reason]) > 0 });
    await waitFor(() => isOpen(c), 'open');
    server.last.socket.close(4001, 'refused');
    await waitFor(() => server.connections.length === 2 && isOpen(c), 'reopened');
    assert.deepEqual(asked, [[4001, 'refused']]);
  }));
});

describe('options and transports', () => {
  test('invalid options are refused', () => {
    assert.throws(() => new SwitchboardClient('ws://127.0.0.1:1/', { WebSocket, maxQueued: -1 }), RangeError);
    assert.throws(() => new SwitchboardClient('ws://127.0.0.1:1/', { WebSocket, initialDelayMs: 10, maxDelayMs: 5 }), RangeError);
    assert.throws(() => new SwitchboardClient('ws://127.0.0.1:1/', { WebSocket, maxAttempts: Number.NaN }), RangeError);
    assert.throws(() => new SwitchboardClient('ws://127.0.0.1:1/', { WebSocket, tryAgainLaterMs: -1 }), RangeError);
  });

  test('a URL the transport cannot use closes for good with a transport error', async () => {
    const c = new SwitchboardClient('not a url', { WebSocket, initialDelayMs: 5, maxDelayMs: 5 });
    const errors = recordErrors(c);
    const log = recordStates(c);
    await waitFor(() => c.state === 'closed', 'closed');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].kind, 'transport');
    assert.deepEqual(log.states, ['connecting', 'closed']);
  });

  test('an unknown transport name warns and uses auto, which opens over WebSocket', () => withServer(async (server, open) => {
    const warnings = [];
    const warn = console.warn;
    console.warn = (message) => warnings.push(String(message));
    let c;
    try {
      c = open({ transport: 'carrier-pigeon' });
    } finally {
      console.warn = warn;
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /no transport "carrier-pigeon"; using auto/);
    await waitFor(() => isOpen(c), 'open over WebSocket');
    assert.equal(c.transport, 'websocket');
    assert.equal(server.upgrades, 1);
  }));

  test('auto is the default and opens over WebSocket when the upgrade works', () => withServer(async (server) => {
    const c = new SwitchboardClient(server.url, { WebSocket });
    const log = recordStates(c);
    try {
      await waitFor(() => isOpen(c), 'open');
      assert.equal(c.transport, 'websocket');
      assert.deepEqual(log.details.at(-1), { state: 'open', transport: 'websocket' });
    } finally {
      c.close();
    }
  }));

  test('createTransport plugs in another transport behind the same API', async () => {
    const made = [];
    const createTransport = (url, options) => {
      const t = {
        url,
        sent: [],
        open() { setTimeout(() => t.onopen(), 1); },
        send(text) { t.sent.push(text); },
        close(code, reason) { setTimeout(() => t.onclose({ code, reason }), 1); },
      };
      made.push(t);
      return t;
    };
    const c = new SwitchboardClient('http://example.invalid/ws/alice', { createTransport, initialDelayMs: 1, maxDelayMs: 1 });
    const got = [];
    c.on('chat.joined', (data) => got.push(data.user));
    c.send('chat.send', { text: 'queued' });
    await waitFor(() => c.state === 'open', 'open');
    assert.equal(made[0].url, 'http://example.invalid/ws/alice');
    assert.deepEqual(made[0].sent, ['{"type":"chat.send","data":{"text":"queued"}}']);
    made[0].onmessage('{"type":"chat.joined","data":{"user":"bob"}}');
    assert.deepEqual(got, ['bob']);
    made[0].onclose({ code: 1006, reason: '' });
    await waitFor(() => made.length === 2 && c.state === 'open', 'second transport');
    made[0].onmessage('{"type":"chat.joined","data":{"user":"stale"}}'); // events of a replaced transport are ignored
    assert.deepEqual(got, ['bob']);
    c.close();
    assert.equal(c.state, 'closed');
  });
});
