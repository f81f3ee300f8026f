// request() against the real chat server (samples/Chat) over both transports: chat.history pages the
// room's history, a limit out of range is the typed error chat.history.refused, a limit that is not
// a number is the built-in switchboard.failure invalid_request. The server must be built first
// (scripts/test.sh does).
//
// The chat's history handler answers at once from memory, so its 16 requests in flight per
// connection cannot be filled on purpose from here; tests/Js/request.test.mjs and the .NET tests
// cover too_many_requests.
//
//   node --test tests/Js

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { WebSocket, client as sb, startChatServer, waitFor } from './support.mjs';

const { SwitchboardClient, SwitchboardRequestError } = sb;

let server;
const clients = [];
let names = 0;

before(async () => {
  server = await startChatServer();
});

after(async () => {
  for (const c of clients) c.close();
  // A long-polling client's DELETE is under way once close() returns; closed for good is enough here.
  await waitFor(() => clients.every((c) => c.state === 'closed'), 'every client closed');
  await server?.stop();
});

/**
 * Joins the chat as a new user over `transport`; `messages` collects the chat.message envelopes it
 * gets (each with the room's `offset`).
 */
async function join(transport) {
  const name = `req-${transport}-${++names}`;
  const c = new SwitchboardClient(server.wsUrl(name), { WebSocket, transport, initialDelayMs: 20, maxDelayMs: 100 });
  clients.push(c);
  const messages = [];
  let roster = false;
  c.on('chat.roster', () => { roster = true; });
  // The room's other notices are not this file's concern; handled, they are not reported as unhandled.
  for (const type of ['chat.joined', 'chat.left']) c.on(type, () => {});
  c.on('chat.message', (data, envelope) => messages.push({ ...data, offset: envelope.offset, group: envelope.group }));
  await waitFor(() => c.state === 'open' && roster, `${name} joined`);
  return { name, c, messages };
}

/** Every page of the room's history, newest page first, `limit` at a time, until `more` is false. */
async function allPages(c, limit) {
  const pages = [];
  let before = null;
  for (;;) {
    const reply = await c.request('chat.history', { before, limit }, { timeout: 10_000 });
    assert.equal(reply.type, 'chat.history.page');
    pages.push(reply.data);
    if (!reply.data.more) return pages;
    before = reply.data.entries[0].offset;
  }
}

for (const transport of ['websocket', 'longpolling']) {
  describe(`chat.history over ${transport}`, () => {
    test('returns the page before an offset, oldest first, with the messages sent', async () => {
      const alice = await join(transport);
      const texts = ['one', 'two', 'three'].map((t) => `${alice.name} ${t}`);
      for (const text of texts) alice.c.send('chat.send', { text });
      await waitFor(() => alice.messages.filter((m) => m.sender === alice.name).length === 3, 'the three messages back');
      const mine = alice.messages.filter((m) => m.sender === alice.name);
      assert.deepEqual(mine.map((m) => m.group), ['room', 'room', 'room']);
      const [first, second, third] = mine;
      assert.ok(first.offset < second.offset && second.offset < third.offset, JSON.stringify(mine));

      const reply = await alice.c.request('chat.history', { before: third.offset, limit: 2 }, { timeout: 10_000 });
      assert.equal(reply.type, 'chat.history.page');
      assert.equal(reply.data.more, true);
      // The two entries right before the third message: its own two, when nobody spoke in between.
      assert.deepEqual(reply.data.entries.map((e) => [e.offset, e.type, e.user, e.text]), [
        [first.offset, 'chat.message', alice.name, texts[0]],
        [second.offset, 'chat.message', alice.name, texts[1]],
      ]);
      for (const entry of reply.data.entries) assert.ok(!Number.isNaN(Date.parse(entry.sentAt)), entry.sentAt);

      // No `before`: the newest page, ending with the third message.
      const newest = await alice.c.request('chat.history', { before: null, limit: 1 }, { timeout: 10_000 });
      assert.deepEqual(newest.data.entries.map((e) => [e.offset, e.text]), [[third.offset, texts[2]]]);
      assert.equal(alice.c.pendingRequests, 0);
    });

    test('pages back to the start of the history: every offset once, in order, and more is false last', async () => {
      const bob = await join(transport);
      bob.c.send('chat.send', { text: `${bob.name} marker` });
      await waitFor(() => bob.messages.some((m) => m.text === `${bob.name} marker`), 'the marker back');
      const newestOffset = bob.messages.find((m) => m.text === `${bob.name} marker`).offset;

      const pages = await allPages(bob.c, 3);
      const offsets = pages.reverse().flatMap((p) => p.entries.map((e) => e.offset));
      // The room's history starts at offset 1 and keeps every message this server took so far
      // (fewer than its 1000), each an entry: joined, left and chat messages alike.
      assert.deepEqual(offsets, Array.from({ length: newestOffset }, (_, i) => i + 1));
      assert.equal(pages[0].more, false);
      assert.ok(pages.slice(1).every((p) => p.more), 'every page but the oldest says more');
      const all = pages.flatMap((p) => p.entries);
      assert.ok(all.some((e) => e.type === 'chat.joined' && e.user === bob.name), 'bob\'s own join is in the history');
      assert.ok(new Set(all.map((e) => e.type)).size >= 2);
    });

    test('a limit out of range is the typed error chat.history.refused, and the connection lives on', async () => {
      const carol = await join(transport);
      for (const limit of [0, 101]) {
        const reply = await carol.c.request('chat.history', { before: null, limit }, { timeout: 10_000 });
        assert.deepEqual(reply, { type: 'chat.history.refused', data: { reason: 'limit must be 1 to 100' } });
      }
      const offset = await carol.c.request('chat.history', { before: 0, limit: 5 }, { timeout: 10_000 });
      assert.deepEqual(offset, { type: 'chat.history.refused', data: { reason: 'before must be an offset of 1 or more' } });

      const ok = await carol.c.request('chat.history', { before: null, limit: 100 }, { timeout: 10_000 });
      assert.equal(ok.type, 'chat.history.page');
      assert.equal(carol.c.state, 'open');
    });

    test('a limit that is not a number is the failure invalid_request, naming the property', async () => {
      const dave = await join(transport);
      const error = await dave.c.request('chat.history', { before: null, limit: 'ten' }, { timeout: 10_000 }).then(
        () => assert.fail('resolved'),
        (e) => e,
      );
      assert.ok(error instanceof SwitchboardRequestError, String(error));
      assert.equal(error.code, 'invalid_request');
      assert.equal(error.request, 'chat.history');
      assert.equal(error.type, 'switchboard.failure');
      assert.equal(error.data.code, 'invalid_request');
      assert.match(error.data.message, /limit/);

      // The connection lives on and answers the next request.
      const ok = await dave.c.request('chat.history', { before: null, limit: 1 }, { timeout: 10_000 });
      assert.equal(ok.type, 'chat.history.page');
      assert.equal(dave.c.state, 'open');
    });
  });
}
