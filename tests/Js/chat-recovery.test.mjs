// switchboard.js recovers from the real chat server's room history (samples/Chat, in-memory engine):
// the same client after its WebSocket is cut, and a new client seeded with positions over either
// transport, each getting exactly the messages it missed after an onJoined with recovered true.
// The server must be built first (scripts/test.sh does).
//
//   node --test tests/Js

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { WebSocket, client as sb, manualTimers, startChatServer, waitFor } from './support.mjs';

const { SwitchboardClient } = sb;

let server;
const clients = [];
let names = 0;

before(async () => {
  server = await startChatServer();
});

after(async () => {
  for (const c of clients) c.close();
  await waitFor(() => clients.every((c) => c.state === 'closed'), 'every client closed', 20_000);
  await server?.stop();
});

/** A WebSocket whose instances the test can cut, as a network that drops the connection would. */
class CuttableWebSocket extends WebSocket {
  static open = new Set();

  constructor(...args) {
    super(...args);
    CuttableWebSocket.open.add(this);
    this.addEventListener('close', () => CuttableWebSocket.open.delete(this));
  }

  static cutAll() {
    for (const socket of CuttableWebSocket.open) socket.terminate();
  }
}

/** Joins the chat; `log` gets the joined notices and the room's chat messages, in the order they came. */
function member(prefix, options = {}) {
  const name = `${prefix}-${++names}`;
  const c = new SwitchboardClient(server.wsUrl(name), { WebSocket, initialDelayMs: 20, maxDelayMs: 100, ...options });
  const log = [];
  c.onJoined((group, epoch, offset, recovered) => log.push(`joined ${recovered ?? null}`));
  c.on('chat.message', (data) => log.push(`said ${data.text}`));
  c.on('chat.left', (data) => log.push(`left ${data.user}`));
  for (const type of ['chat.joined', 'chat.roster']) c.on(type, () => {});
  clients.push(c);
  return { name, c, log };
}

const saidOnly = (log) => log.filter((line) => line.startsWith('said ') || line.startsWith('joined '));

/** `speaker` says `texts` and waits until it hears the last back from the room. */
async function say(speaker, ...texts) {
  for (const text of texts) speaker.c.send('chat.send', { text });
  await waitFor(() => speaker.log.includes(`said ${texts.at(-1)}`), `${speaker.name} hearing ${texts.at(-1)}`);
}

describe('recovery against the chat server', () => {
  test('the same client, its WebSocket cut, comes back with its positions and gets exactly what it missed', async () => {
    const timers = manualTimers();
    const speaker = member('speaker');
    const listener = member('listener', { WebSocket: CuttableWebSocket, transport: 'websocket', setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
    await waitFor(() => listener.log.includes('joined null') && speaker.log.length > 0, 'both in the room');
    const run = `r${names}`;
    await say(speaker, `${run}-1`, `${run}-2`);
    await waitFor(() => listener.log.includes(`said ${run}-2`), 'the listener hearing the first two');

    CuttableWebSocket.cutAll();
    // The reconnect waits for the test; the room hears the listener leave before it comes back under its name.
    await waitFor(() => timers.pending.size === 1, 'the reconnect waiting');
    await waitFor(() => speaker.log.includes(`left ${listener.name}`), 'the room hearing the listener leave');
    await say(speaker, `${run}-3`, `${run}-4`, `${run}-5`);
    const before = listener.log.length;
    timers.runAll();
    await waitFor(() => listener.log.includes(`said ${run}-5`), 'the missed messages');
    await say(speaker, `${run}-6`);
    await waitFor(() => listener.log.includes(`said ${run}-6`), 'the live message after them');
    assert.deepEqual(saidOnly(listener.log.slice(before)), ['joined true', `said ${run}-3`, `said ${run}-4`, `said ${run}-5`, `said ${run}-6`]);
  });

  for (const transport of ['websocket', 'longpolling']) {
    test(`a new client over ${transport} seeded with another's positions gets exactly what was said since`, async () => {
      const speaker = member('speaker');
      const first = member('first', { transport });
      await waitFor(() => first.log.includes('joined null') && speaker.log.length > 0, 'both in the room');
      const run = `s${names}`;
      await say(speaker, `${run}-1`);
      await waitFor(() => first.log.includes(`said ${run}-1`), 'the first client hearing it');
      const positions = first.c.positions();
      first.c.close();
      await waitFor(() => speaker.log.includes(`left ${first.name}`), 'the first client gone');
      await say(speaker, `${run}-2`, `${run}-3`);

      const second = member('second', { transport, positions });
      await waitFor(() => second.log.includes(`said ${run}-3`), 'the second client recovering');
      await say(speaker, `${run}-4`);
      await waitFor(() => second.log.includes(`said ${run}-4`), 'the live message');
      // Between the notice and the missed messages the room also tells of the first client leaving.
      assert.deepEqual(saidOnly(second.log), ['joined true', `said ${run}-2`, `said ${run}-3`, `said ${run}-4`]);
      assert.ok(second.c.positions().room.offset > positions.room.offset);
    });
  }
});
