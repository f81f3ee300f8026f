// request() (docs/protocol.md, "Requests and responses") over both transports, against a real `ws`
// WebSocket server and a small long-polling HTTP server on 127.0.0.1 that answer as a Switchboard
// server does: a reply carries the request's id; a switchboard.failure is the built-in failure.
//
//   node --test tests/Js

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { WebSocket, client as sb, recordErrors, startLongPollingServer, startServer, waitFor } from './support.mjs';

const { SwitchboardClient, SwitchboardRequestError } = sb;

/**
 * What the test servers answer: math.add -> math.sum; math.divide by 0 -> the typed error
 * math.divisionByZero; boom -> switchboard.failure handler_failed; drop -> the connection is lost;
 * marker -> a plain message back (no id); anything else is held in `held` for the test to answer.
 */
function answer(envelope, peer) {
  const { type, id, data } = envelope;
  switch (type) {
    case 'math.add': peer.reply({ type: 'math.sum', id, data: { sum: data.a + data.b } }); break;
    case 'math.divide':
      if (data.b === 0) peer.reply({ type: 'math.divisionByZero', id, data: { dividend: data.a } });
      else peer.reply({ type: 'math.quotient', id, data: { quotient: data.a / data.b } });
      break;
    case 'boom': peer.reply({ type: 'switchboard.failure', id, data: { code: 'handler_failed', message: 'The handler failed.' } }); break;
    case 'drop': peer.drop(); break;
    case 'marker': peer.reply({ type: 'marker', data: data }); break;
    default: peer.held.push(envelope);
  }
}

/** Runs `body({ open, held, reply, drop, received })` with a fresh server of `transport`. */
async function withServer(transport, body) {
  const held = [];
  const received = [];
  let peer = null; // the latest connection's { reply, drop }
  const server = transport === 'websocket'
    ? await startServer({
      onMessage: (text, connection) => {
        const envelope = JSON.parse(text);
        received.push(envelope);
        peer = { held, reply: (e) => connection.socket.send(JSON.stringify(e)), drop: () => connection.socket.terminate() };
        answer(envelope, peer);
      },
    })
    : await startLongPollingServer((envelope, session) => {
      received.push(envelope);
      peer = { held, reply: (e) => session.push(e), drop: () => session.end() };
      answer(envelope, peer);
    });
  const clients = [];
  const open = (options = {}) => {
    const c = new SwitchboardClient(server.url, { WebSocket, transport, initialDelayMs: 10, maxDelayMs: 20, ...options });
    clients.push(c);
    return c;
  };
  try {
    await body({ open, held, received, reply: (e) => peer.reply(e), drop: () => peer.drop() });
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}

/** Asserts that `promise` rejects with a SwitchboardRequestError of `code`; returns the error. */
async function rejectsWith(promise, code) {
  let error;
  await assert.rejects(promise, (e) => {
    error = e;
    return e instanceof SwitchboardRequestError && e.code === code;
  });
  return error;
}

for (const transport of ['websocket', 'longpolling']) {
  describe(`request over ${transport}`, () => {
    test('sends {type, id, data} and resolves with the reply of the same id', () => withServer(transport, async ({ open, received }) => {
      const c = open();
      const reply = await c.request('math.add', { a: 2, b: 3 });
      assert.deepEqual(reply, { type: 'math.sum', data: { sum: 5 } });
      const [sent] = received;
      assert.deepEqual(Object.keys(sent), ['type', 'data', 'id']);
      assert.equal(sent.type, 'math.add');
      assert.deepEqual(sent.data, { a: 2, b: 3 });
      assert.equal(typeof sent.id, 'string');
      assert.ok(sent.id.length > 0 && sent.id.length <= 64, sent.id);
      assert.equal(c.pendingRequests, 0);
    }));

    test('requests in flight together get unique ids and each settles with its own reply, in any order', () => withServer(transport, async ({ open, held, received, reply }) => {
      const c = open();
      const promises = [1, 2, 3, 4, 5].map((n) => c.request('slow', { n }));
      await waitFor(() => held.length === 5, 'five held requests');
      assert.equal(new Set(received.map((e) => e.id)).size, 5);
      for (const envelope of [...held].reverse()) reply({ type: 'slow.done', id: envelope.id, data: { n: envelope.data.n * 10 } });
      const replies = await Promise.all(promises);
      assert.deepEqual(replies.map((r) => r.data.n), [10, 20, 30, 40, 50]);
    }));

    test('a typed error is a reply: it resolves, and its type tells it apart', () => withServer(transport, async ({ open }) => {
      const c = open();
      assert.deepEqual(await c.request('math.divide', { a: 6, b: 0 }), { type: 'math.divisionByZero', data: { dividend: 6 } });
      assert.deepEqual(await c.request('math.divide', { a: 6, b: 3 }), { type: 'math.quotient', data: { quotient: 2 } });
    }));

    test('a switchboard.failure rejects with its code, message and the reply', () => withServer(transport, async ({ open }) => {
      const c = open();
      const error = await rejectsWith(c.request('boom', {}), 'handler_failed');
      assert.equal(error.name, 'SwitchboardRequestError');
      assert.equal(error.type, 'switchboard.failure');
      assert.deepEqual(error.data, { code: 'handler_failed', message: 'The handler failed.' });
      assert.equal(error.request, 'boom');
      assert.match(error.message, /The handler failed\./);
    }));

    test('times out after its timeout; the late reply is ignored', () => withServer(transport, async ({ open, held, reply }) => {
      const c = open();
      const errors = recordErrors(c);
      const markers = [];
      c.on('marker', (data) => markers.push(data));
      const error = await rejectsWith(c.request('slow', {}, { timeout: 50 }), 'timeout');
      assert.equal(error.type, undefined);
      assert.equal(c.pendingRequests, 0);
      await waitFor(() => held.length === 1, 'the held request');
      reply({ type: 'slow.done', id: held[0].id, data: {} });
      c.send('marker', { n: 1 });
      await waitFor(() => markers.length === 1, 'the marker after the late reply');
      assert.deepEqual(errors, []);
    }));

    test('the default timeout is options.requestTimeoutMs', () => withServer(transport, async ({ open }) => {
      const c = open({ requestTimeoutMs: 40 });
      await rejectsWith(c.request('slow', {}), 'timeout');
    }));

    test('an abort signal rejects with "aborted"; one already aborted sends nothing', () => withServer(transport, async ({ open, held, received }) => {
      const c = open();
      const controller = new AbortController();
      const pending = c.request('slow', {}, { signal: controller.signal });
      await waitFor(() => held.length === 1, 'the held request');
      controller.abort(new Error('the user left'));
      const error = await rejectsWith(pending, 'aborted');
      assert.equal(error.cause.message, 'the user left');

      await rejectsWith(c.request('math.add', { a: 1, b: 1 }, { signal: AbortSignal.abort() }), 'aborted');
      assert.deepEqual(await c.request('math.add', { a: 1, b: 2 }), { type: 'math.sum', data: { sum: 3 } });
      assert.deepEqual(received.map((e) => e.type), ['slow', 'math.add']);
    }));

    test('a lost connection rejects the requests sent on it with "disconnected"; the client reconnects and requests again', () => withServer(transport, async ({ open }) => {
      const c = open();
      const states = [];
      c.onState((state) => states.push(state));
      const slow = c.request('slow', {});
      const dropped = c.request('drop', {});
      await rejectsWith(dropped, 'disconnected');
      await rejectsWith(slow, 'disconnected');
      assert.equal(c.pendingRequests, 0);
      await waitFor(() => states.includes('reconnecting') && c.state === 'open', 'reconnected');
      assert.deepEqual(await c.request('math.add', { a: 20, b: 22 }), { type: 'math.sum', data: { sum: 42 } });
    }));

    test('a request made before the connection opens is queued and answered', () => withServer(transport, async ({ open }) => {
      const c = open();
      assert.equal(c.state, 'connecting');
      const reply = c.request('math.add', { a: 1, b: 1 });
      assert.equal(c.queued, 1);
      assert.deepEqual(await reply, { type: 'math.sum', data: { sum: 2 } });
    }));

    test('close() rejects the requests in flight with "disconnected"; a request after close() rejects at once', () => withServer(transport, async ({ open, held }) => {
      const c = open();
      const pending = c.request('slow', {});
      await waitFor(() => held.length === 1, 'the held request');
      c.close();
      await rejectsWith(pending, 'disconnected');
      await rejectsWith(c.request('math.add', { a: 1, b: 1 }), 'disconnected');
    }));
  });
}

describe('request arguments', () => {
  test('a bad type, timeout or signal throws at once', () => withServer('websocket', async ({ open }) => {
    const c = open();
    assert.throws(() => c.request('', {}), TypeError);
    assert.throws(() => c.request('math.add', {}, { timeout: 0 }), RangeError);
    assert.throws(() => c.request('math.add', {}, { timeout: 'soon' }), RangeError);
    assert.throws(() => c.request('math.add', {}, { signal: {} }), TypeError);
    assert.throws(() => new SwitchboardClient('ws://127.0.0.1:1/ws', { requestTimeoutMs: -1 }), RangeError);
    assert.equal(c.pendingRequests, 0);
  }));

  test('while disconnected with queueing off, a request rejects with "disconnected"', () => withServer('websocket', async ({ open }) => {
    const c = open({ queueWhileDisconnected: false });
    const error = await rejectsWith(c.request('math.add', { a: 1, b: 1 }), 'disconnected');
    assert.match(error.message, /queueing is off/);
  }));
});
