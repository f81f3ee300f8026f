#!/usr/bin/python3
"""Echo round-trip check with the Python `websockets` library (Debian python3-websockets).

Usage: /usr/bin/python3 echo_client.py ws://127.0.0.1:PORT/path
       /usr/bin/python3 echo_client.py wss://127.0.0.1:PORT/path CAFILE

With wss://, the server's certificate must chain to (or be) the PEM certificate in CAFILE, and
match the host name or address.

Sends text (with multi-byte UTF-8) and binary messages of several sizes, including fragmented
ones, all pipelined on one connection, then checks that every echo arrives in order with the
same type and exactly the same content; then round-trips a 200 000-byte compressible text and
reports its bytes on the wire each way and the negotiated extensions; answers a ping, and closes
with 1000.

Prints one line `RESULT ok ...` and exits 0 on success; prints `RESULT fail ...` and exits 1
on any mismatch, error or timeout.
"""

import asyncio
import hashlib
import random
import ssl
import sys

import websockets

OVERALL_TIMEOUT = 90
STEP_TIMEOUT = 30
MAX_MESSAGE = 32 * 1024 * 1024

# Characters of 1, 2, 3 and 4 UTF-8 bytes.
ALPHABET = "aZ0 ~éß€中😀🎉"


def text_of_utf8_size(size: int, seed: int) -> str:
  """A string whose UTF-8 encoding is exactly `size` bytes, mostly multi-byte characters."""
  rng = random.Random(seed)
  parts = []
  used = 0
  while used < size:
    ch = rng.choice(ALPHABET)
    width = len(ch.encode("utf-8"))
    if used + width > size:
      ch, width = "x", 1
    parts.append(ch)
    used += width
  text = "".join(parts)
  assert len(text.encode("utf-8")) == size
  return text


COMPRESSIBLE_SIZE = 200_000


def chat_text(size: int) -> str:
  """Chat-style JSON lines of exactly `size` bytes (ASCII): compresses several times over."""
  parts = []
  used = 0
  i = 0
  while used < size:
    line = f'{{"type":"chat.message","room":"lobby","user":"user-{i % 17}","text":"message number {i}"}}\n'
    parts.append(line)
    used += len(line)
    i += 1
  return "".join(parts)[:size]


def count_wire_bytes(ws) -> dict:
  """Counts the bytes the connection writes to and reads from its transport (after TLS, before framing)."""
  wire = {"out": 0, "in": 0}
  transport = ws.transport
  write, data_received = transport.write, ws.data_received

  def counted_write(data):
    wire["out"] += len(data)
    write(data)

  def counted_received(data):
    wire["in"] += len(data)
    data_received(data)

  transport.write = counted_write
  ws.data_received = counted_received
  return wire


def bytes_of_size(size: int, seed: int) -> bytes:
  return random.Random(seed).randbytes(size)


def build_messages():
  """Returns (label, payload, fragments) in send order; fragments is None for a single frame."""
  messages = []
  text_sizes = [0, 1, 125, 126, 65535, 65536, 1024 * 1024 + 3]
  binary_sizes = [0, 1, 125, 126, 65535, 65536, 1024 * 1024 + 7]
  for i, size in enumerate(text_sizes):
    messages.append((f"text[{size}]", text_of_utf8_size(size, 100 + i), None))
  messages.append(("text[greeting]", "héllo wörld — Grüße, 你好, こんにちは 👋🌍", None))
  for i, size in enumerate(binary_sizes):
    messages.append((f"binary[{size}]", bytes_of_size(size, 200 + i), None))
  fragmented_text = text_of_utf8_size(200_000, 300)
  messages.append(
    ("text[fragmented]", fragmented_text,
     [fragmented_text[:10], fragmented_text[10:50_000], fragmented_text[50_000:]]))
  fragmented_binary = bytes_of_size(150_000, 301)
  messages.append(
    ("binary[fragmented]", fragmented_binary,
     [fragmented_binary[:1], fragmented_binary[1:70_000], fragmented_binary[70_000:]]))
  return messages


async def run(url: str, cafile: str | None) -> str:
  messages = build_messages()
  tls = ssl.create_default_context(cafile=cafile) if cafile is not None else None
  digest = hashlib.sha256()
  total = 0
  async with websockets.connect(
    url,
    max_size=MAX_MESSAGE,
    open_timeout=STEP_TIMEOUT,
    close_timeout=STEP_TIMEOUT,
    ping_interval=None,
    ssl=tls,
  ) as ws:
    wire = count_wire_bytes(ws)

    async def send_all():
      for _, payload, fragments in messages:
        await ws.send(fragments if fragments is not None else payload)

    sender = asyncio.create_task(send_all())
    try:
      for index, (label, payload, _) in enumerate(messages):
        echo = await asyncio.wait_for(ws.recv(), STEP_TIMEOUT)
        if type(echo) is not type(payload):
          raise AssertionError(
            f"message {index} {label}: sent {type(payload).__name__}, "
            f"echo is {type(echo).__name__}")
        if echo != payload:
          raise AssertionError(
            f"message {index} {label}: echo differs "
            f"(sent {len(payload)}, got {len(echo)})")
        raw = payload.encode("utf-8") if isinstance(payload, str) else payload
        digest.update(raw)
        total += len(raw)
      await asyncio.wait_for(sender, STEP_TIMEOUT)
    finally:
      sender.cancel()

    # A large compressible message both ways, alone on the connection: its wire bytes show whether
    # permessage-deflate compressed it in each direction.
    compressible = chat_text(COMPRESSIBLE_SIZE)
    out_before, in_before = wire["out"], wire["in"]
    await ws.send(compressible)
    echo = await asyncio.wait_for(ws.recv(), STEP_TIMEOUT)
    if echo != compressible:
      raise AssertionError("the compressible message's echo differs")
    wire_out, wire_in = wire["out"] - out_before, wire["in"] - in_before
    extensions = ws.response_headers.get("Sec-WebSocket-Extensions", "")

    pong = await ws.ping(b"interop-ping")
    await asyncio.wait_for(pong, STEP_TIMEOUT)

    await ws.close(code=1000, reason="done")
    if ws.close_code != 1000:
      raise AssertionError(f"server closed with {ws.close_code}, expected 1000")

  return (f"RESULT ok peer=python-websockets/{websockets.__version__} "
      f"messages={len(messages)} bytes={total} sha256={digest.hexdigest()} "
      f"close={ws.close_code} compressible={len(compressible)} wire_out={wire_out} "
      f"wire_in={wire_in} extensions={extensions}")


def main() -> int:
  if len(sys.argv) not in (2, 3):
    print("usage: echo_client.py ws://host:port/path | wss://host:port/path CAFILE", file=sys.stderr)
    return 2
  cafile = sys.argv[2] if len(sys.argv) == 3 else None
  try:
    line = asyncio.run(asyncio.wait_for(run(sys.argv[1], cafile), OVERALL_TIMEOUT))
  except Exception as error:  # noqa: BLE001 - any failure is reported the same way
    print(f"RESULT fail {type(error).__name__}: {error}", flush=True)
    return 1
  print(line, flush=True)
  return 0


if __name__ == "__main__":
  sys.exit(main())
