// Tests of the long-polling transport's side of docs/protocol.md "Long polling" that a healthy
// server does not produce on demand (lost answers, failed requests, ended sessions): the client
// runs over an injected `fetch` that answers each request as the test says. The same transport
// against the real chat server is in chat.test.mjs.
//
//   node --test tests/Js

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { client as sb, manualTimers, recordStates, waitFor } from './support.mjs';

const { SwitchboardClient, httpUrl, longPollingTransport } = sb;

const envelope = (n) => ({ type: 'n', data: { n } });

/**
 * An injected fetch. Every request is recorded in `requests` ({ method, path, params, body, credentials }) and
 * waits until the test answers it with `answer(request, status, body)`; `next(predicate)` waits for
 * the first unanswered request that matches. A request aborted by the client rejects as fetch does.
 */
function scriptedFetch() {
  const requests = [];
  const fake = {
    requests,
    fetch(url, init = {}) {
      const u = new URL(url);
      return new Promise((resolve, reject) => {
        const request = {
          method: init.method ?? 'GET',
          url: u.href,
          path: u.pathname,
          params: Object.fromEntries(u.searchParams),
          body: init.body === undefined ? undefined : JSON.parse(init.body),
          contentType: init.headers?.['Content-Type'],
          credentials: init.credentials,
          answered: false,
          aborted: false,
          resolve,
          reject,
        };
        init.signal?.addEventListener('abort', () => {
          request.aborted = true;
          if (!request.answered) reject(new DOMException('This operation was aborted', 'AbortError'));
        });
        requests.push(request);
      });
    },
    pending: (predicate = () => true) => requests.filter((r) => !r.answered && !r.aborted && predicate(r)),
    async next(predicate, what = 'a request') {
      return waitFor(() => fake.pending(predicate)[0], what);
    },
    answer(request, status, body) {
      request.answered = true;
      const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      request.resolve({ status, text: async () => text });
    },
    fail(request) {
      request.answered = true;
      request.reject(new TypeError('fetch failed'));
    },
    /** Answers the open request with a session. */
    async open(session = 'S1') {
      fake.answer(await fake.next((r) => r.params.transport === 'longpolling', 'the open request'), 200, { session, holdMs: 25000 });
    },
    poll: (what = 'a poll') => fake.next((r) => r.method === 'GET', what),
    send: (what = 'a send') => fake.next((r) => r.method === 'POST' && r.params.seq !== undefined, what),
  };
  return fake;
}

/** A long-polling client over a scripted fetch; fast retries and reconnects. */
function lpClient(fake, options = {}, url = 'ws://chat.example:8001/ws/alice') {
  return new SwitchboardClient(url, { transport: 'longpolling', fetch: fake.fetch, initialDelayMs: 1, maxDelayMs: 1, ...options });
}

describe('long polling: requests', () => {
  test('ws:// maps to http:// and wss:// to https://, keeping the path and query', () => {
    assert.equal(httpUrl('ws://127.0.0.1:8001/ws/al%20ice').href, 'http://127.0.0.1:8001/ws/al%20ice');
    assert.equal(httpUrl('wss://chat.example/ws/bob?room=1#x').href, 'https://chat.example/ws/bob?room=1');
    assert.equal(httpUrl('https://chat.example/ws/bob').href, 'https://chat.example/ws/bob');
    assert.throws(() => httpUrl('ftp://chat.example/'), SyntaxError);
    assert.throws(() => longPollingTransport('ws://x/', { fetch: 1 }), /no fetch/);
  });

  test('"longpoll" names the same transport, without a warning', async () => {
    const fake = scriptedFetch();
    const warn = console.warn;
    const warnings = [];
    console.warn = (message) => warnings.push(message);
    let c;
    try {
      c = new SwitchboardClient('ws://chat.example/ws/alice', { transport: 'longpoll', fetch: fake.fetch });
    } finally {
      console.warn = warn;
    }
    try {
      await fake.open();
      await waitFor(() => c.state === 'open', 'open');
      assert.equal(c.transport, 'longpolling');
      assert.deepEqual(warnings, []);
    } finally {
      c.close();
    }
  });

  test('opens with a POST, then polls with the last sequence number seen', async () => {
    const fake = scriptedFetch();
    const c = lpClient(fake, {}, 'wss://chat.example/ws/alice?room=1');
    const log = recordStates(c);
    const got = [];
    c.on('n', (data) => got.push(data.n));
    try {
      const opening = await fake.next(() => true, 'the open request');
      assert.equal(opening.method, 'POST');
      assert.equal(opening.url, 'https://chat.example/ws/alice?room=1&transport=longpolling');
      assert.equal(opening.body, undefined);
      fake.answer(opening, 200, { session: 'S1', holdMs: 25000 });
      await waitFor(() => c.state === 'open', 'open');
      assert.equal(c.transport, 'longpolling');
      assert.deepEqual(log.details.at(-1), { state: 'open', transport: 'longpolling' });

      let poll = await fake.poll();
      assert.equal(poll.url, 'https://chat.example/ws/alice?room=1&session=S1&ack=0');
      fake.answer(poll, 200, { seq: 1, messages: [envelope(1), envelope(2)] });
      poll = await fake.poll('the second poll');
      assert.deepEqual(poll.params, { room: '1', session: 'S1', ack: '2' });
      fake.answer(poll, 204);
      poll = await fake.poll('the poll after a 204');
      assert.equal(poll.params.ack, '2');
      assert.deepEqual(got, [1, 2]);
    } finally {
      c.close();
    }
  });

  test('messages already seen are dropped when an answer repeats them', async () => {
    const fake = scriptedFetch();
    const c = lpClient(fake);
    const got = [];
    c.on('n', (data) => got.push(data.n));
    try {
      await fake.open();
      fake.answer(await fake.poll(), 200, { seq: 1, messages: [envelope(1), envelope(2)] });
      // The server did not get ack=2 (say the poll was cut off) and sends 2 again along with 3.
      let poll = await fake.poll();
      fake.answer(poll, 200, { seq: 2, messages: [envelope(2), envelope(3)] });
      poll = await fake.poll();
      assert.equal(poll.params.ack, '3');
      fake.answer(poll, 200, { seq: 1, messages: [envelope(1), envelope(2), envelope(3), envelope(4)] });
      poll = await fake.poll();
      assert.equal(poll.params.ack, '4');
      assert.deepEqual(got, [1, 2, 3, 4]);
    } finally {
      c.close();
    }
  });

  test('a failed poll is retried with the same ack', async () => {
    const fake = scriptedFetch();
    const c = lpClient(fake);
    const got = [];
    c.on('n', (data) => got.push(data.n));
    try {
      await fake.open();
      fake.answer(await fake.poll(), 200, { seq: 1, messages: [envelope(1)] });
      fake.fail(await fake.poll());
      fake.answer(await fake.poll(), 503, 'busy');
      const poll = await fake.poll();
      assert.equal(poll.params.ack, '1');
      fake.answer(poll, 200, { seq: 2, messages: [envelope(2)] });
      await waitFor(() => got.length === 2, 'the second message');
      assert.equal(c.state, 'open');
      assert.equal(fake.requests.filter((r) => r.params.transport).length, 1);
    } finally {
      c.close();
    }
  });
});

describe('long polling: credentials', () => {
  /** Opens, polls, sends and leaves; returns the credentials mode of each request, in order. */
  async function modesOfEveryRequest(options) {
    const fake = scriptedFetch();
    const c = lpClient(fake, options);
    await fake.open();
    await waitFor(() => c.state === 'open', 'open');
    const poll = await fake.poll();
    c.send('n', { n: 1 });
    fake.answer(await fake.send(), 204);
    c.close();
    await waitFor(() => poll.aborted, 'the poll aborted');
    fake.answer(await fake.next((r) => r.method === 'DELETE', 'the DELETE'), 204);
    return fake.requests.map((r) => `${r.method} ${r.credentials}`);
  }

  test('every request goes with "same-origin" by default', async () => {
    assert.deepEqual(await modesOfEveryRequest({}),
      ['POST same-origin', 'GET same-origin', 'POST same-origin', 'DELETE same-origin']);
  });

  test('options.credentials is the mode of every request: open, poll, send and DELETE', async () => {
    assert.deepEqual(await modesOfEveryRequest({ credentials: 'include' }),
      ['POST include', 'GET include', 'POST include', 'DELETE include']);
    assert.deepEqual(await modesOfEveryRequest({ credentials: 'omit' }),
      ['POST omit', 'GET omit', 'POST omit', 'DELETE omit']);
  });

  test('any other value throws a RangeError naming the option', () => {
    const fake = scriptedFetch();
    assert.throws(() => lpClient(fake, { credentials: 'always' }), (e) => e instanceof RangeError && /options\.credentials/.test(e.message));
    assert.throws(() => longPollingTransport('ws://chat.example/ws/a', { fetch: fake.fetch, credentials: true }), RangeError);
    assert.equal(fake.requests.length, 0);
  });
});

describe('long polling: sends', () => {
  test('one POST at a time; sends made meanwhile go in the next, numbered on', async () => {
    const fake = scriptedFetch();
    const c = lpClient(fake);
    try {
      c.send('n', { n: 1 }); // queued before the session opens
      c.onState((state) => { if (state === 'open') c.send('n', { n: 2 }); }); // the same turn as the flush
      await fake.open();
      let post = await fake.send();
      assert.equal(post.url, 'http://chat.example:8001/ws/alice?session=S1&seq=1');
      assert.equal(post.contentType, 'application/json');
      assert.deepEqual(post.body, [envelope(1), envelope(2)]);

      for (let n = 3; n <= 6; n++) c.send('n', { n });
      // A marker: the poll answered now is followed by a new poll, which the transport asks for
      // after anything the sends above set going.
      fake.answer(await fake.poll(), 204);
      const marker = await fake.poll('the poll after the marker answer');
      assert.equal(fake.pending((r) => r.method === 'POST').length, 1, 'one POST in flight');
      assert.ok(fake.requests.indexOf(marker) > fake.requests.indexOf(post));
      fake.answer(post, 204);
      post = await fake.send('the second POST');
      assert.equal(post.params.seq, '3');
      assert.deepEqual(post.body, [3, 4, 5, 6].map(envelope));
      fake.answer(post, 204);
      c.send('n', { n: 7 });
      post = await fake.send('the third POST');
      assert.equal(post.params.seq, '7');
    } finally {
      c.close();
    }
  });

  test('a POST carries at most 100 envelopes, the server\'s MaxEnvelopesPerSend; the rest go in the next', async () => {
    const fake = scriptedFetch();
    const c = lpClient(fake, { maxQueued: 200 });
    try {
      for (let n = 1; n <= 150; n++) c.send('n', { n }); // queued before the session opens
      await fake.open();
      let post = await fake.send();
      assert.equal(post.params.seq, '1');
      assert.equal(post.body.length, 100);
      fake.answer(post, 204);
      post = await fake.send('the second POST');
      assert.equal(post.params.seq, '101');
      assert.deepEqual(post.body.at(-1), envelope(150));
      assert.equal(post.body.length, 50);
      fake.answer(post, 204);
    } finally {
      c.close();
    }
  });

  test('a failed POST is sent again with the same seq and body', async () => {
    const fake = scriptedFetch();
    const c = lpClient(fake);
    try {
      await fake.open();
      await waitFor(() => c.state === 'open', 'open');
      c.send('n', { n: 1 });
      c.send('n', { n: 2 });
      const first = await fake.send();
      c.send('n', { n: 3 });
      fake.fail(first);
      const retry = await fake.send('the retry');
      assert.equal(retry.params.seq, '1');
      assert.deepEqual(retry.body, [envelope(1), envelope(2)]);
      fake.answer(retry, 502);
      const again = await fake.send('the second retry');
      assert.deepEqual([again.params.seq, again.body], ['1', [envelope(1), envelope(2)]]);
      fake.answer(again, 204);
      const next = await fake.send('the POST after');
      assert.deepEqual([next.params.seq, next.body], ['3', [envelope(3)]]);
    } finally {
      c.close();
    }
  });

  test('close() delivers the sends already made, then DELETEs the session', async () => {
    const fake = scriptedFetch();
    const c = lpClient(fake);
    await fake.open();
    await waitFor(() => c.state === 'open', 'open');
    const poll = await fake.poll();
    c.send('n', { n: 1 });
    c.close();
    assert.equal(c.state, 'closed');
    await waitFor(() => poll.aborted, 'the poll aborted');
    const post = await fake.send();
    assert.deepEqual(post.body, [envelope(1)]);
    assert.equal(fake.pending((r) => r.method === 'DELETE').length, 0, 'no DELETE before the send is taken');
    fake.answer(post, 204);
    const leaving = await fake.next((r) => r.method === 'DELETE', 'the DELETE');
    assert.equal(leaving.url, 'http://chat.example:8001/ws/alice?session=S1');
    fake.answer(leaving, 204);
  });

  test('close() while the session is opening DELETEs it once it exists', async () => {
    const fake = scriptedFetch();
    const c = lpClient(fake);
    const opening = await fake.next(() => true, 'the open request');
    c.close();
    fake.answer(opening, 200, { session: 'S9', holdMs: 25000 });
    const leaving = await fake.next((r) => r.method === 'DELETE', 'the DELETE');
    assert.equal(leaving.params.session, 'S9');
    assert.equal(fake.requests.filter((r) => r.method === 'GET').length, 0);
  });
});

describe('long polling: ends', () => {
  test('a 404 on a poll reconnects with a new session', async () => {
    const fake = scriptedFetch();
    const c = lpClient(fake);
    const log = recordStates(c);
    try {
      await fake.open('S1');
      fake.answer(await fake.poll(), 404, { error: 'unknown session' });
      await fake.open('S2');
      const poll = await fake.poll('a poll of the new session');
      assert.deepEqual(poll.params, { session: 'S2', ack: '0' });
      assert.deepEqual(log.states, ['connecting', 'open', 'reconnecting', 'open']);
      assert.equal(log.details[2].code, 1006);
    } finally {
      c.close();
    }
  });

  test('a 404 or 409 on a send reconnects with a new session', async () => {
    for (const status of [404, 409]) {
      const fake = scriptedFetch();
      const c = lpClient(fake);
      const log = recordStates(c);
      try {
        await fake.open('S1');
        await waitFor(() => c.state === 'open', 'open');
        c.send('n', { n: 1 });
        fake.answer(await fake.send(), status, { error: 'unknown session' });
        await fake.open('S2');
        await waitFor(() => c.state === 'open' && log.states.length === 4, `reopened after ${status}`);
        assert.equal(log.details[2].code, 1006);
        const deletes = fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.params.session);
        assert.deepEqual(deletes, status === 409 ? ['S1'] : []);
      } finally {
        c.close();
      }
    }
  });

  test('a close in a poll answer comes after its messages, and the reconnect policy applies', async () => {
    const fake = scriptedFetch();
    const timers = manualTimers();
    const c = lpClient(fake, { setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
    const log = recordStates(c);
    const got = [];
    c.on('n', (data) => got.push(data.n));
    await fake.open();
    fake.answer(await fake.poll(), 200, { seq: 1, messages: [envelope(1)], close: { code: 1008, reason: 'taken' } });
    await waitFor(() => c.state === 'closed', 'closed');
    assert.deepEqual(got, [1]);
    assert.deepEqual(log.details.at(-1), { state: 'closed', code: 1008, reason: 'taken', attempts: 0, refused: true });
    assert.equal(timers.started, 0, 'no wait before a reconnect started');
    timers.runAll();
    assert.equal(fake.requests.filter((r) => r.params.transport).length, 1, 'no new session');
    assert.equal(fake.requests.filter((r) => r.method === 'DELETE').length, 0, 'the session is already gone');
  });

  test('an open answered with anything but a session is a lost connection (1006)', async () => {
    const fake = scriptedFetch();
    const c = lpClient(fake, { maxAttempts: 2 });
    const log = recordStates(c);
    fake.answer(await fake.next(() => true), 405, 'Method Not Allowed');
    fake.fail(await fake.next((r) => r.params.transport));
    fake.answer(await fake.next((r) => r.params.transport), 200, '{"holdMs":1}');
    await waitFor(() => c.state === 'closed', 'gave up');
    assert.deepEqual(log.states, ['connecting', 'reconnecting', 'reconnecting', 'closed']);
    assert.ok(log.details.slice(1).every((d) => d.code === 1006), JSON.stringify(log.details));
  });
});

describe('refusals (docs/protocol.md, "Reconnecting")', () => {
  for (const [status, reason] of [[401, 'token expired'], [403, 'origin not allowed'], [404, 'no endpoint']]) {
    test(`an open answered ${status} is final, with the status and the server's reason`, async () => {
      const fake = scriptedFetch();
      const c = lpClient(fake);
      const log = recordStates(c);
      fake.answer(await fake.next((r) => r.params.transport === 'longpolling', 'the open request'), status, { error: reason });
      await waitFor(() => c.state === 'closed', 'closed');
      assert.deepEqual(log.states, ['connecting', 'closed']);
      assert.deepEqual(log.details.at(-1), { state: 'closed', code: 1008, reason, status, attempts: 0, refused: true });
      // Closed is final: no timer is left that could open again.
      assert.equal(fake.requests.filter((r) => r.params.transport).length, 1, 'one open request');
    });
  }

  test('"auto": a WebSocket that never opens, then a refused long-polling open, is final too', async () => {
    const fake = scriptedFetch();
    let sockets = 0;
    class NeverOpens {
      constructor() {
        sockets += 1;
        setTimeout(() => this.onclose?.({ code: 1006, reason: '' }), 1);
      }

      close() {}
    }
    const c = new SwitchboardClient('ws://chat.example:8001/ws/alice', { transport: 'auto', WebSocket: NeverOpens, fetch: fake.fetch, initialDelayMs: 1, maxDelayMs: 1 });
    const log = recordStates(c);
    fake.answer(await fake.next((r) => r.params.transport === 'longpolling', 'the open request'), 401, { error: 'credentials required' });
    await waitFor(() => c.state === 'closed', 'closed');
    assert.deepEqual(log.details.at(-1), { state: 'closed', code: 1008, reason: 'credentials required', status: 401, attempts: 0, refused: true });
    assert.equal(sockets, 1);
    assert.equal(fake.requests.length, 1);
  });

  test('other failures of the first connect are retried, up to maxConnectAttempts in all', async () => {
    const fake = scriptedFetch();
    const c = lpClient(fake, { maxConnectAttempts: 2 });
    const log = recordStates(c);
    fake.answer(await fake.next((r) => r.params.transport === 'longpolling' && !r.answered, 'the first open'), 503, { error: 'busy' });
    await waitFor(() => fake.pending((r) => r.params.transport === 'longpolling').length === 1, 'the second open');
    fake.answer(fake.pending((r) => r.params.transport === 'longpolling')[0], 503, { error: 'busy' });
    await waitFor(() => c.state === 'closed', 'closed');
    assert.deepEqual(log.states, ['connecting', 'reconnecting', 'closed']);
    assert.equal(log.details.at(-1).refused, false);
    assert.equal(fake.requests.length, 2);
  });
});

describe('long polling: recovery', () => {
  test('a reconnect presents the positions on the open only, not on polls, sends or the DELETE', async () => {
    const fake = scriptedFetch();
    const c = lpClient(fake, {}, 'ws://chat.example:8001/ws/alice?room=1');
    const joined = [];
    const got = [];
    c.onJoined((group, epoch, offset, recovered) => joined.push({ group, epoch, offset, recovered }));
    c.on('n', (data) => got.push(data.n));
    try {
      const first = await fake.next((r) => r.params.transport === 'longpolling', 'the first open');
      assert.deepEqual(new URL(first.url).searchParams.getAll('recover'), [], 'nothing held, nothing presented');
      fake.answer(first, 200, { session: 'S1', holdMs: 25000 });
      fake.answer(await fake.poll(), 200, {
        seq: 1,
        messages: [
          { type: 'switchboard.joined', data: { group: 'a b', epoch: 'E1', offset: 4 } },
          { type: 'n', data: { n: 5 }, group: 'a b', offset: 5 },
        ],
        close: { code: 1012, reason: 'restart' },
      });
      const second = await fake.next((r) => r.params.transport === 'longpolling' && r !== first, 'the open of the reconnect');
      const query = new URL(second.url).searchParams;
      assert.deepEqual(query.getAll('recover'), ['E1:5:a b']);
      assert.equal(query.get('room'), '1');
      fake.answer(second, 200, { session: 'S2', holdMs: 25000 });
      const poll = await fake.poll('a poll of the new session');
      assert.deepEqual(poll.params, { room: '1', session: 'S2', ack: '0' });
      c.send('n', { n: 1 });
      const send = await fake.send();
      assert.deepEqual(new URL(send.url).searchParams.getAll('recover'), []);
      fake.answer(send, 204);
      assert.deepEqual(joined, [{ group: 'a b', epoch: 'E1', offset: 4, recovered: null }]);
      assert.deepEqual(got, [5]);
    } finally {
      c.close();
    }
    const leave = await fake.next((r) => r.method === 'DELETE', 'the DELETE');
    assert.deepEqual(new URL(leave.url).searchParams.getAll('recover'), []);
  });
});
