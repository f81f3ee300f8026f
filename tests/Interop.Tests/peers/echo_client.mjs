// Echo round-trip check with the Node.js `ws` library (pinned in package.json).
//
// Usage: node echo_client.mjs ws://127.0.0.1:PORT/path
//
// Sends text (with multi-byte UTF-8) and binary messages of several sizes, including fragmented
// ones, all pipelined on one connection, then checks that every echo arrives in order with the
// same type and exactly the same bytes; then round-trips a 200 000-byte compressible text and
// reports its bytes on the wire each way and the negotiated extensions; answers a ping, and closes
// with 1000.
//
// Prints one line `RESULT ok ...` and exits 0 on success; prints `RESULT fail ...` and exits 1
// on any mismatch, error or timeout.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

const OVERALL_TIMEOUT_MS = 90_000;
const MAX_MESSAGE = 32 * 1024 * 1024;
const wsVersion = JSON.parse(
  readFileSync(new URL('./node_modules/ws/package.json', import.meta.url), 'utf8')).version;

// Deterministic xorshift32 so every run sends the same content.
function rng(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state;
  };
}

// Characters of 1, 2, 3 and 4 UTF-8 bytes.
const ALPHABET = ['a', 'Z', '0', ' ', '~', 'é', 'ß', '€', '中', '😀', '🎉'];

/** A string whose UTF-8 encoding is exactly `size` bytes, mostly multi-byte characters. */
function textOfUtf8Size(size, seed) {
  const next = rng(seed);
  const parts = [];
  let used = 0;
  while (used < size) {
    let ch = ALPHABET[next() % ALPHABET.length];
    let width = Buffer.byteLength(ch, 'utf8');
    if (used + width > size) { ch = 'x'; width = 1; }
    parts.push(ch);
    used += width;
  }
  const text = parts.join('');
  if (Buffer.byteLength(text, 'utf8') !== size) throw new Error('text generator is broken');
  return text;
}

const COMPRESSIBLE_SIZE = 200_000;

/** Chat-style JSON lines of exactly `size` UTF-8 bytes: compresses several times over. */
function chatText(size) {
  const parts = [];
  let used = 0;
  for (let i = 0; used < size; i++) {
    const line = `{"type":"chat.message","room":"lobby","user":"user-${i % 17}","text":"message number ${i}"}\n`;
    parts.push(line);
    used += line.length;
  }
  return parts.join('').slice(0, size);
}

function bytesOfSize(size, seed) {
  const next = rng(seed);
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = next() & 0xff;
  return bytes;
}

function buildMessages() {
  const messages = [];
  const textSizes = [0, 1, 125, 126, 65535, 65536, 1024 * 1024 + 3];
  const binarySizes = [0, 1, 125, 126, 65535, 65536, 1024 * 1024 + 7];
  textSizes.forEach((size, i) => messages.push({
    label: `text[${size}]`, binary: false, bytes: Buffer.from(textOfUtf8Size(size, 100 + i), 'utf8'),
  }));
  messages.push({
    label: 'text[greeting]', binary: false,
    bytes: Buffer.from('héllo wörld — Grüße, 你好, こんにちは 👋🌍', 'utf8'),
  });
  binarySizes.forEach((size, i) => messages.push({
    label: `binary[${size}]`, binary: true, bytes: bytesOfSize(size, 200 + i),
  }));
  // Fragmented text: the cut points fall inside multi-byte characters on purpose, which is legal
  // on the wire (UTF-8 is only required of the whole message).
  const fragmentedText = Buffer.from(textOfUtf8Size(200_000, 300), 'utf8');
  messages.push({
    label: 'text[fragmented]', binary: false, bytes: fragmentedText,
    fragments: [fragmentedText.subarray(0, 11), fragmentedText.subarray(11, 50_001), fragmentedText.subarray(50_001)],
  });
  const fragmentedBinary = bytesOfSize(150_000, 301);
  messages.push({
    label: 'binary[fragmented]', binary: true, bytes: fragmentedBinary,
    fragments: [fragmentedBinary.subarray(0, 1), fragmentedBinary.subarray(1, 70_000), fragmentedBinary.subarray(70_000)],
  });
  return messages;
}

function sendAsync(ws, data, options) {
  return new Promise((resolve, reject) => ws.send(data, options, (error) => (error ? reject(error) : resolve())));
}

async function run(url) {
  const messages = buildMessages();
  const ws = new WebSocket(url, { maxPayload: MAX_MESSAGE, handshakeTimeout: 30_000 });

  const received = [];
  let wake = null;
  let failure = null;
  let closeInfo = null;
  let closed = null;
  const closedPromise = new Promise((resolve) => { closed = resolve; });
  const signal = () => { if (wake) { const w = wake; wake = null; w(); } };
  ws.on('message', (data, isBinary) => { received.push({ data, isBinary }); signal(); });
  ws.on('error', (error) => { failure ??= error; signal(); });
  ws.on('close', (code, reason) => { closeInfo = { code, reason: reason.toString() }; closed(); signal(); });
  // The upgrade response: its socket counts the bytes that really crossed the wire.
  let socket = null;
  let extensions = '';
  ws.once('upgrade', (response) => {
    socket = response.socket;
    extensions = response.headers['sec-websocket-extensions'] ?? '';
  });

  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });

  const sending = (async () => {
    for (const message of messages) {
      if (message.fragments) {
        const last = message.fragments.length - 1;
        for (let i = 0; i <= last; i++) {
          await sendAsync(ws, message.fragments[i], { binary: message.binary, fin: i === last, compress: false });
        }
      } else {
        await sendAsync(ws, message.bytes, { binary: message.binary, compress: false });
      }
    }
  })();
  sending.catch((error) => { failure ??= error; signal(); });

  const digest = createHash('sha256');
  let total = 0;
  for (let index = 0; index < messages.length; index++) {
    while (received.length === 0) {
      if (failure) throw failure;
      if (closeInfo) throw new Error(`connection closed (${closeInfo.code}) after ${index} echoes`);
      await new Promise((resolve) => { wake = resolve; });
    }
    const { data, isBinary } = received.shift();
    const message = messages[index];
    if (isBinary !== message.binary) {
      throw new Error(`message ${index} ${message.label}: sent ${message.binary ? 'binary' : 'text'}, echo is ${isBinary ? 'binary' : 'text'}`);
    }
    const echo = Buffer.isBuffer(data) ? data : Buffer.concat(data);
    if (!echo.equals(message.bytes)) {
      throw new Error(`message ${index} ${message.label}: echo differs (sent ${message.bytes.length} bytes, got ${echo.length})`);
    }
    digest.update(message.bytes);
    total += message.bytes.length;
  }
  await sending;

  // A large compressible message both ways, alone on the connection: its wire bytes show whether
  // permessage-deflate compressed it in each direction.
  const compressible = chatText(COMPRESSIBLE_SIZE);
  const outBefore = socket.bytesWritten;
  const inBefore = socket.bytesRead;
  await sendAsync(ws, compressible, { binary: false, compress: true });
  while (received.length === 0) {
    if (failure) throw failure;
    if (closeInfo) throw new Error(`connection closed (${closeInfo.code}) before the compressible echo`);
    await new Promise((resolve) => { wake = resolve; });
  }
  const compressibleEcho = received.shift();
  if (compressibleEcho.isBinary || Buffer.from(compressibleEcho.data).toString('utf8') !== compressible) {
    throw new Error('the compressible message\'s echo differs');
  }
  const wireOut = socket.bytesWritten - outBefore;
  const wireIn = socket.bytesRead - inBefore;

  await new Promise((resolve, reject) => {
    ws.once('pong', (payload) => (payload.toString() === 'interop-ping' ? resolve() : reject(new Error('pong payload differs'))));
    ws.ping('interop-ping');
  });

  ws.close(1000, 'done');
  await closedPromise;
  if (closeInfo.code !== 1000) throw new Error(`server closed with ${closeInfo.code}, expected 1000`);
  return `RESULT ok peer=node-ws/${wsVersion} messages=${messages.length} bytes=${total} ` +
    `sha256=${digest.digest('hex')} close=${closeInfo.code} compressible=${Buffer.byteLength(compressible, 'utf8')} ` +
    `wire_out=${wireOut} wire_in=${wireIn} extensions=${extensions}`;
}

const url = process.argv[2];
if (!url) {
  console.error('usage: node echo_client.mjs ws://host:port/path');
  process.exit(2);
}

let timer;
try {
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${OVERALL_TIMEOUT_MS} ms`)), OVERALL_TIMEOUT_MS);
  });
  const line = await Promise.race([run(url), timeout]);
  console.log(line);
  process.exitCode = 0;
} catch (error) {
  console.log(`RESULT fail ${error?.message ?? error}`);
  process.exitCode = 1;
} finally {
  clearTimeout(timer);
}
// Do not wait on a socket that a failure left open.
process.exit(process.exitCode);
