// The Node peer for benchmarks/Load, on the `ws` package as shipped (no permessage-deflate, ws's default):
//   /room       a broadcast room: every message, as received, is sent to every member (the sender too)
//   any other   echo: every message back with its type
// --deflate turns perMessageDeflate on, with ws's defaults (zlib's default level, context takeover when the client
// does not ask otherwise) but for the threshold: 256 bytes, Switchboard's MinimumSize, instead of ws's 1024, so
// both servers compress the same messages.
// Usage: node server.mjs --port 9103 [--deflate]
import { WebSocketServer, WebSocket } from 'ws';

const portIndex = process.argv.indexOf('--port');
const port = portIndex > 0 ? Number(process.argv[portIndex + 1]) : 9103;
const room = new Set();
const perMessageDeflate = process.argv.includes('--deflate') ? { threshold: 256 } : false;
const server = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 16 * 1024 * 1024, perMessageDeflate });

server.on('listening', () => console.log(`listening on ws://127.0.0.1:${server.address().port}`));
server.on('connection', (socket, request) => {
  if (new URL(request.url, 'ws://localhost').pathname === '/room') {
    room.add(socket);
    socket.on('close', () => room.delete(socket));
    socket.on('message', (data, isBinary) => {
      for (const member of room) {
        if (member.readyState === WebSocket.OPEN) member.send(data, { binary: isBinary });
      }
    });
  } else {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  }
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
