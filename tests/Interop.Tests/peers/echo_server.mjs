// Echo server on Node `ws` for client interop tests.
// Usage: node echo_server.mjs [--path /only] [--deflate] — --deflate accepts permessage-deflate; listens on 127.0.0.1 with an OS-chosen port, prints
// "listening on ws://127.0.0.1:PORT", echoes every message with its type, exits when stdin closes.
import { WebSocketServer } from 'ws';

const pathIndex = process.argv.indexOf('--path');
const path = pathIndex > 0 ? process.argv[pathIndex + 1] : undefined;
const perMessageDeflate = process.argv.includes('--deflate');
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path, maxPayload: 16 * 1024 * 1024, perMessageDeflate });
server.on('listening', () => {
  console.log(`listening on ws://127.0.0.1:${server.address().port}`);
});
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
process.stdin.on('end', () => server.close(() => process.exit(0)));
process.stdin.resume();
