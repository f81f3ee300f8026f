#!/usr/bin/env bash
# A bounded soak of the chat sample on loopback (benchmarks/Soak): starts samples/Chat as its own process on a free
# port, connects N SwitchboardClients that chat for M minutes, and prints a report: messages sent and checked, lost
# (must be 0), duplicates, reconnects, p50/p99/max delivery latency, and the server's resident memory at start, peak
# and end. The exit status is non-zero when a message was lost, a client did not come back, or the server kept sockets.
# Not part of scripts/test.sh: it runs for minutes.
#
#   scripts/soak.sh                                   50 WebSocket clients, 2 minutes, a message per client per second
#   scripts/soak.sh --clients 100 --minutes 10
#   scripts/soak.sh --long-polling 0.2                a fifth of the clients over long polling
#   scripts/soak.sh --faults                          reset 2 random client connections every 3 s (they reconnect)
#   scripts/soak.sh --faults --fault-every-ms 1000 --fault-resets 5 --interval-ms 500
#   scripts/soak.sh --restart-every-s 30                kill the server every 30 s and start it again on the same port
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

printf '==> building benchmarks/Soak (Release)\n' >&2
dotnet build benchmarks/Soak -c Release -v quiet -nologo </dev/null >&2
exec dotnet benchmarks/Soak/bin/Release/net10.0/Switchboard.Soak.dll "$@"
