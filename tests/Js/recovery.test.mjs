// Recovery in switchboard.js (docs/protocol.md, "History and recovery"): positions kept by the
// client rule, presented as `recover` parameters when it reconnects, and onJoined before the
// replay; against a scripted `ws` server on 127.0.0.1. The long-polling side is in longpolling.test.mjs.
//
//   node --test tests/Js

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { WebSocket, client as sb, recordErrors, startServer, waitFor } from './support.mjs';

const { SwitchboardClient, decodeEnvelope } = sb;

const joined = (group, epoch, offset, recovered) =>
  JSON.stringify({ type: 'switchboard.joined', data: recovered === undefined ? { group, epoch, offset } : { group, epoch, offset, recovered } });
const said = (group, offset, text) => JSON.stringify({ type: 'room.said', data: { text }, group, offset });

/** The `recover` values of a connection's upgrade URL, decoded, in order. */
const recoverOf = (connection) => new URL(connection.path, 'ws://x').searchParams.getAll('recover');

/** Runs `body(server, open)`; `open(options)` makes a client whose joins and messages land in `c.log`, closed afterwards. */
async function withServer(body) {
  const server = await startServer();
  const clients = [];
  const open = (options = {}) => {
    const c = new SwitchboardClient(server.url, { WebSocket, transport: 'websocket', initialDelayMs: 1, maxDelayMs: 1, ...options });
    c.log = [];
    c.onJoined((group, epoch, offset, recovered) => c.log.push(`joined ${group} ${epoch} ${offset} ${recovered}`));
    c.on('room.said', (data, envelope) => c.log.push(`said ${data.text}${envelope.group === undefined ? '' : ` @${envelope.group}:${envelope.offset}`}`));
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

const connected = (server, n) => waitFor(() => server.connections.length >= n && server.connections[n - 1].socket.readyState === 1, `connection ${n}`);

describe('recovery', () => {
  test('decodeEnvelope exposes group and offset, and refuses a malformed one', () => {
    assert.deepEqual(decodeEnvelope('{"type":"t","data":{},"group":"g","offset":17}'), { type: 't', data: {}, id: undefined, group: 'g', offset: 17 });
    for (const raw of ['{"type":"t","data":{},"group":1}', '{"type":"t","data":{},"offset":0}', '{"type":"t","data":{},"offset":"2"}', '{"type":"t","data":{},"offset":1.5}']) {
      assert.throws(() => decodeEnvelope(raw), (e) => e.kind === 'malformed', raw);
    }
  });

  test('a reconnect presents every position held, the group percent-encoded; the first connect none', async () => {
    await withServer(async (server, open) => {
      const c = open();
      await connected(server, 1);
      assert.equal(server.connections[0].path, '/ws/alice');
      const socket = server.last.socket;
      socket.send(joined('room one/é', 'e1', 5));
      socket.send(said('room one/é', 6, 'a'));
      socket.send(joined('b&c=d', 'E-2_x', 0));
      socket.send(said('b&c=d', 1, 'b'));
      socket.send(said('never-joined', 4, 'c')); // no epoch known: no position
      await waitFor(() => c.log.length === 5, 'the joins and messages');
      assert.deepEqual(c.positions(), { 'room one/é': { epoch: 'e1', offset: 6 }, 'b&c=d': { epoch: 'E-2_x', offset: 1 } });

      socket.terminate();
      await connected(server, 2);
      assert.equal(server.last.path, '/ws/alice?recover=e1:6:room%20one%2F%C3%A9&recover=E-2_x:1:b%26c%3Dd');
      assert.deepEqual(recoverOf(server.last), ['e1:6:room one/é', 'E-2_x:1:b&c=d']);
    });
  });

  test('onJoined comes before the replay: recovered null, then true, then false', async () => {
    await withServer(async (server, open) => {
      const c = open();
      await connected(server, 1);
      server.last.socket.send(joined('room', 'ep', 3));
      server.last.socket.send(said('room', 2, '2'));
      server.last.socket.send(said('room', 3, '3'));
      await waitFor(() => c.log.length === 3, 'the first join and its replay');
      server.last.socket.terminate();

      await connected(server, 2);
      assert.deepEqual(recoverOf(server.last), ['ep:3:room']);
      server.last.socket.send(joined('room', 'ep', 5, true));
      await waitFor(() => c.log.length === 4, 'the recovered notice');
      assert.deepEqual(c.positions().room, { epoch: 'ep', offset: 3 }, 'recovered: the client\'s offset stays');
      server.last.socket.send(said('room', 4, '4'));
      server.last.socket.send(said('room', 5, '5'));
      await waitFor(() => c.log.length === 6, 'the missed messages');
      server.last.socket.close(1001, 'restart');

      await connected(server, 3);
      assert.deepEqual(recoverOf(server.last), ['ep:5:room']);
      server.last.socket.send(joined('room', 'other', 20, false));
      server.last.socket.send(said('room', 19, '19'));
      server.last.socket.send(said('room', 20, '20'));
      await waitFor(() => c.log.length === 9, 'the unrecovered join and its replay');
      assert.deepEqual(c.log, [
        'joined room ep 3 null', 'said 2 @room:2', 'said 3 @room:3',
        'joined room ep 5 true', 'said 4 @room:4', 'said 5 @room:5',
        'joined room other 20 false', 'said 19 @room:19', 'said 20 @room:20',
      ]);
      assert.deepEqual(c.positions(), { room: { epoch: 'other', offset: 20 } });
    });
  });

  test('seeded positions go with the first connect; recover: false presents none, yet keeps them', async () => {
    await withServer(async (server, open) => {
      const seed = { lobby: { epoch: 's1', offset: 42 } };
      const seeded = open({ positions: seed });
      assert.deepEqual(seeded.positions(), seed);
      await connected(server, 1);
      assert.deepEqual(recoverOf(server.last), ['s1:42:lobby']);
      seeded.close();

      const off = open({ positions: new Map(Object.entries(seed)), recover: false });
      await connected(server, 2);
      assert.deepEqual(recoverOf(server.last), []);
      server.last.socket.send(joined('room', 'ep', 7));
      server.last.socket.send(said('room', 8, '8'));
      await waitFor(() => off.log.length === 2, 'a join and a message');
      assert.deepEqual(off.positions(), { lobby: { epoch: 's1', offset: 42 }, room: { epoch: 'ep', offset: 8 } });
      server.last.socket.terminate();
      await connected(server, 3);
      assert.deepEqual(recoverOf(server.last), []);
    });
  });

  test('a seed the server would refuse throws a RangeError naming the group', () => {
    for (const position of [{ epoch: '', offset: 1 }, { epoch: 'has:colon', offset: 1 }, { epoch: 'ok', offset: -1 }, { epoch: 'ok', offset: 1.5 }, null]) {
      assert.throws(() => new SwitchboardClient('ws://127.0.0.1:1/x', { WebSocket, positions: { 'the-room': position } }),
        (e) => e instanceof RangeError && e.message.includes('options.positions["the-room"]'), JSON.stringify(position));
    }
  });

  test('other switchboard. notices are ignored; a malformed joined notice is a malformed error', async () => {
    await withServer(async (server, open) => {
      const c = open();
      const errors = recordErrors(c);
      await connected(server, 1);
      server.last.socket.send('{"type":"switchboard.something-new","data":{"x":1}}');
      server.last.socket.send('{"type":"switchboard.joined","data":{"group":"room","epoch":"has:colon","offset":1}}');
      server.last.socket.send('{"type":"switchboard.joined","data":{"group":"room","epoch":"ep"}}');
      server.last.socket.send(JSON.stringify({ type: 'room.said', data: { text: 'marker' } }));
      await waitFor(() => c.log.includes('said marker'), 'the marker');
      assert.deepEqual(errors.map((e) => `${e.kind} ${e.type}`), ['malformed switchboard.joined', 'malformed switchboard.joined']);
      assert.deepEqual(c.log, ['said marker']);
      assert.deepEqual(c.positions(), {});
    });
  });
});
