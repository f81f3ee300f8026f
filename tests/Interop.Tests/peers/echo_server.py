"""Echo server on Python websockets (Debian python3-websockets) for client interop tests.

Usage: /usr/bin/python3 echo_server.py [--cert CERT.pem --key KEY.pem]
Listens on 127.0.0.1 with an OS-chosen port, prints "listening on ws://127.0.0.1:PORT"
(wss:// with a certificate), echoes every message, and exits when stdin closes.
"""
import argparse
import asyncio
import ssl
import sys

import websockets


async def echo(websocket, path=None):
    async for message in websocket:
        await websocket.send(message)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()

    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)

    server = await websockets.serve(echo, "127.0.0.1", 0, ssl=context, max_size=2**24)
    port = server.sockets[0].getsockname()[1]
    scheme = "wss" if context else "ws"
    print(f"listening on {scheme}://127.0.0.1:{port}", flush=True)

    # Run until the test closes our stdin (or kills us).
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()
    await server.wait_closed()


asyncio.run(main())
