// switchboard.js against the real chat server (samples/Chat): long polling, WebSocket, and the
// automatic fallback from one to the other. The server must be built first (scripts/test.sh does).
//
//   node --test tests/Js

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { WebSocket, client as sb, manualTimers, startChatServer, waitFor } from './support.mjs';

const { SwitchboardClient } = sb;

let server;
const clients = [];
let names = 0;
/** Requests the clients' fetch has started and whose answer has not been read yet. */
let requestsInFlight = 0;

/**
 * `inner` (default globalThis.fetch), counted in `requestsInFlight` until its answer is read or it
 * fails. Every client of this file fetches through it, so `after` sees when the last request (the
 * DELETE that leaves a long-polling session) is answered.
 */
function tracked(inner = fetch) {
  return async (url, init) => {
    requestsInFlight += 1;
    try {
      const response = await inner(url, init);
      const text = await response.text();
      return { status: response.status, text: async () => text };
    } finally {
      requestsInFlight -= 1;
    }
  };
}

before(async () => {
  server = await startChatServer();
});

after(async () => {
  // close() starts the DELETE of an open long-polling session at once, or once the sends in flight
  // are answered; either way a request is in flight until the session is left.
  for (const { c } of clients) c.close();
  await waitFor(() => requestsInFlight === 0, 'the DELETEs of the long-polling sessions answered', 20_000);
  await server?.stop();
});

/** A name no other test uses: the server keeps one room (and its history) for the whole file. */
const uniqueName = (prefix) => `${prefix}-${++names}`;

/**
 * Joins the chat as `name`; `got` collects every chat message by type (`got.message` for
 * chat.message, ...), `states` the client's states with their details.
 */
function join(name, options = {}) {
  const c = new SwitchboardClient(server.wsUrl(name), { WebSocket, initialDelayMs: 20, maxDelayMs: 100, ...options, fetch: tracked(options.fetch) });
  const got = { roster: [], message: [], direct: [], joined: [], left: [], error: [] };
  const order = [];
  for (const type of Object.keys(got)) {
    c.on(`chat.${type}`, (data) => {
      got[type].push(data);
      order.push(type);
    });
  }
  const states = [];
  c.onState((state, detail) => states.push({ state, ...detail }));
  const member = { name, c, got, order, states };
  clients.push(member);
  return member;
}

const longPolling = (name, options = {}) => join(name, { transport: 'longpolling', ...options });
const webSocket = (name, options = {}) => join(name, { transport: 'websocket', ...options });

/** Resolves once `member` is open and has its roster. */
async function joined(member) {
  await waitFor(() => member.c.state === 'open' && member.got.roster.length > 0, `${member.name} joined`);
  return member;
}

/** globalThis.fetch, counting the requests that open a long-polling session. */
function countingFetch() {
  const wrapped = (url, init) => {
    if (new URL(url).searchParams.get('transport') === 'longpolling') wrapped.opens += 1;
    return fetch(url, init);
  };
  wrapped.opens = 0;
  return wrapped;
}

/** A WebSocket that never opens, like one whose upgrade a proxy refused. */
class RefusedWebSocket {
  static made = 0;

  constructor(url) {
    RefusedWebSocket.made += 1;
    this.url = url;
    setTimeout(() => this.onclose?.({ code: 1006, reason: '' }), 1);
  }

  send() {
    throw new Error('not open');
  }

  close() {}
}

describe('chat over long polling', () => {
  test('joins and gets the roster', async () => {
    const name = uniqueName('lp');
    const alice = await joined(longPolling(name));
    assert.equal(alice.c.transport, 'longpolling');
    assert.deepEqual(alice.states.map((s) => s.state), ['connecting', 'open']);
    assert.equal(alice.states[1].transport, 'longpolling');
    assert.ok(alice.got.roster[0].users.includes(name), JSON.stringify(alice.got.roster));
    assert.equal(alice.order[0], 'roster');
  });

  test('a long-polling and a WebSocket client talk to each other', async () => {
    const alice = await joined(longPolling(uniqueName('lp')));
    const bob = await joined(webSocket(uniqueName('ws')));
    assert.equal(bob.c.transport, 'websocket');
    assert.ok(bob.got.roster[0].users.includes(alice.name));
    await waitFor(() => alice.got.joined.some((d) => d.user === bob.name), 'alice sees bob join');

    alice.c.send('chat.send', { text: 'hi from long polling <b>&</b> 😀' });
    await waitFor(() => bob.got.message.some((m) => m.sender === alice.name), 'bob gets the message');
    const toBob = bob.got.message.find((m) => m.sender === alice.name);
    assert.equal(toBob.text, 'hi from long polling <b>&</b> 😀');
    assert.ok(!Number.isNaN(Date.parse(toBob.sentAt)));
    await waitFor(() => alice.got.message.some((m) => m.sender === alice.name), 'alice gets her own message');

    bob.c.send('chat.send', { text: 'hi from WebSocket' });
    await waitFor(() => alice.got.message.some((m) => m.sender === bob.name && m.text === 'hi from WebSocket'), 'alice gets the reply');

    bob.c.send('chat.direct', { to: alice.name, text: 'psst' });
    await waitFor(() => alice.got.direct.length === 1, 'alice gets the direct message');
    assert.deepEqual([alice.got.direct[0].from, alice.got.direct[0].to, alice.got.direct[0].text], [bob.name, alice.name, 'psst']);

    alice.c.send('chat.direct', { to: bob.name, text: 'back' });
    await waitFor(() => bob.got.direct.some((d) => d.from === alice.name), 'bob gets the direct reply');
    assert.deepEqual(alice.got.error, []);
    assert.deepEqual(bob.got.error, []);
  });

  test('closing a long-polling client tells the others it left', async () => {
    const alice = await joined(longPolling(uniqueName('lp')));
    const bob = await joined(webSocket(uniqueName('ws')));
    alice.c.close();
    assert.equal(alice.c.state, 'closed');
    await waitFor(() => bob.got.left.some((d) => d.user === alice.name), 'chat.left for alice');

    // And the other way round: a WebSocket client leaving reaches a long-polling one.
    const carol = await joined(longPolling(uniqueName('lp')));
    bob.c.close();
    await waitFor(() => carol.got.left.some((d) => d.user === bob.name), 'chat.left for bob over long polling');
  });

  test('a name already taken gets chat.error, then a 1008 close and no reconnect', async () => {
    const name = uniqueName('dup');
    await joined(webSocket(name));
    const fetchImpl = countingFetch();
    const timers = manualTimers();
    const second = longPolling(name, { fetch: fetchImpl, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
    await waitFor(() => second.c.state === 'closed', 'the refused client closed');
    assert.equal(second.got.error.length, 1);
    assert.match(second.got.error[0].reason, /taken/);
    const closed = second.states.at(-1);
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /taken/);
    assert.deepEqual(second.states.map((s) => s.state), ['connecting', 'open', 'closed']);
    assert.equal(timers.started, 0, 'no wait before a reconnect started');
    timers.runAll();
    assert.equal(fetchImpl.opens, 1, 'no second session');
    assert.deepEqual(second.got.roster, []);
  });

  test('a name already taken over WebSocket: closed as a refusal with the reason, after one upgrade', async () => {
    const name = uniqueName('dupws');
    await joined(webSocket(name));
    let upgrades = 0;
    class CountingWebSocket extends WebSocket {
      constructor(...args) {
        super(...args);
        upgrades += 1;
      }
    }
    const second = webSocket(name, { WebSocket: CountingWebSocket });
    await waitFor(() => second.c.state === 'closed', 'the refused client closed');
    const closed = second.states.at(-1);
    assert.equal(closed.code, 1008);
    assert.equal(closed.refused, true);
    assert.match(closed.reason, /taken/);
    assert.deepEqual(second.states.map((s) => s.state), ['connecting', 'open', 'closed']);
    assert.equal(upgrades, 1);
  });

  test('auto at a path with no endpoint: the long-polling open reads the 404, a refusal, so the client ends at once', async () => {
    // The upgrade's 404 is hidden from a page; the long-polling open there gets 404 too (the static
    // files' catch-all answers GET only and claims no path for POST), which the page can read.
    const fetchImpl = countingFetch();
    let sockets = 0;
    class CountingWebSocket extends WebSocket {
      constructor(...args) {
        super(...args);
        sockets += 1;
      }
    }
    const url = `${server.wsUrl('x').slice(0, -'/ws/x'.length)}/nowhere`;
    const c = new SwitchboardClient(url, { WebSocket: CountingWebSocket, fetch: tracked(fetchImpl), initialDelayMs: 5, maxDelayMs: 10, maxConnectAttempts: 2 });
    clients.push({ c });
    const states = [];
    c.onState((state, detail) => states.push({ state, ...detail }));
    await waitFor(() => c.state === 'closed', 'closed');
    assert.deepEqual(states.map((s) => s.state), ['connecting', 'closed']);
    assert.equal(states.at(-1).refused, true);
    assert.equal(states.at(-1).status, 404);
    assert.equal(sockets, 1);
    assert.equal(fetchImpl.opens, 1);
  });

  test('auto falls back to long polling when the WebSocket never opens, and stays there', async () => {
    RefusedWebSocket.made = 0;
    const bob = await joined(webSocket(uniqueName('ws')));
    // A fetch that can make the session look lost: the server ends it, the client gets a 404.
    let dropNextPoll = false;
    const fetchImpl = (url, init) => {
      const u = new URL(url);
      if (dropNextPoll && (init?.method ?? 'GET') === 'GET' && u.searchParams.has('session')) {
        dropNextPoll = false;
        return fetch(u.href.replace(/&ack=\d+$/, ''), { method: 'DELETE' })
          .then(() => new Response('{"error":"unknown session"}', { status: 404, headers: { 'Content-Type': 'application/json' } }));
      }
      return fetch(url, init);
    };
    const alice = await joined(join(uniqueName('auto'), { WebSocket: RefusedWebSocket, fetch: fetchImpl }));
    assert.equal(RefusedWebSocket.made, 1);
    assert.equal(alice.c.transport, 'longpolling');
    assert.deepEqual(alice.states.map((s) => s.state), ['connecting', 'open']);
    assert.equal(alice.states[1].transport, 'longpolling');

    alice.c.send('chat.send', { text: 'over the fallback' });
    await waitFor(() => bob.got.message.some((m) => m.sender === alice.name), 'bob gets the message');

    // The next attempt goes to long polling straight away.
    dropNextPoll = true;
    bob.c.send('chat.send', { text: 'wake the poll' });
    await waitFor(() => alice.states.filter((s) => s.state === 'open').length === 2 && alice.got.roster.length === 2, 'reconnected');
    assert.deepEqual(alice.states.map((s) => s.state), ['connecting', 'open', 'reconnecting', 'open']);
    assert.equal(alice.states[2].code, 1006);
    assert.equal(alice.states[3].transport, 'longpolling');
    assert.equal(RefusedWebSocket.made, 1, 'no second WebSocket attempt');
    assert.ok(alice.got.roster[1].users.includes(alice.name));
  });

  test('a burst of 20 sends (the most the chat takes at once) arrives in order, both ways', async () => {
    const alice = await joined(longPolling(uniqueName('lp')));
    const bob = await joined(webSocket(uniqueName('ws')));
    const texts = Array.from({ length: 20 }, (_, i) => `burst ${i}`);
    for (const text of texts) alice.c.send('chat.send', { text });
    const fromAlice = () => bob.got.message.filter((m) => m.sender === alice.name).map((m) => m.text);
    await waitFor(() => fromAlice().length === 20, '20 messages at bob', 20_000);
    assert.deepEqual(fromAlice(), texts);
    const echoed = () => alice.got.message.filter((m) => m.sender === alice.name).map((m) => m.text);
    await waitFor(() => echoed().length === 20, '20 messages back at alice', 20_000);
    assert.deepEqual(echoed(), texts);

    for (const text of texts) bob.c.send('chat.send', { text });
    const fromBob = () => alice.got.message.filter((m) => m.sender === bob.name).map((m) => m.text);
    await waitFor(() => fromBob().length === 20, '20 messages at alice', 20_000);
    assert.deepEqual(fromBob(), texts);
    assert.deepEqual(alice.got.error, []);
    assert.deepEqual(alice.states.map((s) => s.state), ['connecting', 'open']);
    assert.deepEqual(bob.states.map((s) => s.state), ['connecting', 'open']);
  });

  for (const transport of ['websocket', 'longpolling']) {
    test(`a spammer over ${transport} is cut at the burst with 1013 and comes back after tryAgainLaterMs`, async () => {
      const reader = await joined(webSocket(uniqueName('reader')));
      const spammer = await joined(join(uniqueName('spam'), { transport, tryAgainLaterMs: 400 }));
      for (let i = 0; i < 100; i++) spammer.c.send('chat.send', { text: `spam ${i}` });
      await waitFor(() => spammer.c.state === 'reconnecting', 'the spammer cut');
      const lostAt = Date.now();
      const cut = spammer.states.at(-1);
      assert.equal(cut.code, 1013);
      assert.match(cut.reason, /^message rate limit/);
      assert.ok(cut.delayMs >= 400, `waits ${cut.delayMs} ms`);

      // It comes back, after the delay, as the same user, and can talk again.
      await waitFor(() => spammer.c.state === 'open' && spammer.got.roster.length === 2, 'the spammer back', 10_000);
      assert.ok(Date.now() - lostAt >= 390, `back after ${Date.now() - lostAt} ms`);
      spammer.c.send('chat.send', { text: 'sorry' });
      await waitFor(() => reader.got.message.some((m) => m.sender === spammer.name && m.text === 'sorry'), 'sorry at the reader');
      const spam = reader.got.message.filter((m) => m.sender === spammer.name && m.text.startsWith('spam'));
      assert.ok(spam.length >= 20 && spam.length <= 30, `${spam.length} spam messages got through`);
      assert.deepEqual(reader.states.map((s) => s.state), ['connecting', 'open']);
    });
  }
});

describe('the client script the chat server serves', () => {
  test('is the package\'s switchboard.js, as JavaScript, with an ETag that answers 304 when it matches', async () => {
    const { readFileSync } = await import('node:fs');
    const { join: joinPath } = await import('node:path');
    const { packageDir } = await import('./support.mjs');
    const source = readFileSync(joinPath(packageDir, 'switchboard.js'), 'utf8');
    const url = `http://127.0.0.1:${server.port}/switchboard.js`;

    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const etag = response.headers.get('etag');
    assert.match(etag ?? '', /^"[0-9A-F]{32}"$/);
    assert.equal(await response.text(), source);

    for (const tag of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await fetch(url, { headers: { 'If-None-Match': tag } });
      assert.equal(again.status, 304, tag);
      assert.equal(again.headers.get('etag'), etag);
      assert.equal(await again.text(), '');
    }
    const changed = await fetch(url, { headers: { 'If-None-Match': '"0123"' } });
    assert.equal(changed.status, 200);
    assert.equal(await changed.text(), source);
  });
});
