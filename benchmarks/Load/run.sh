#!/usr/bin/env bash
# Side by side: Switchboard against Kestrel + System.Net.WebSockets, Node `ws` and (broadcast) SignalR, in one run.
# Builds everything Release, then for each round and each case starts every server in turn (fresh process, pinned to
# core 0), runs benchmarks/Load against it (pinned to core 1), stops it, and moves on: A/B interleaved, with the
# server order rotated every round. Prints the markdown report (docs/performance.md, "Load: side by side").
# The cluster scenario starts a fresh redis-server and two nodes of a peer on it, all three pinned to core 0.
#
#   benchmarks/Load/run.sh            the full run: 3 rounds, about 12 minutes
#   benchmarks/Load/run.sh --quick    a smoke run: 1 round, short windows, about 2 minutes
#   benchmarks/Load/run.sh --scenarios cluster --servers "switchboard-redis signalr-redis"   scale-out (docs/performance.md, "Scale-out")
#   benchmarks/Load/run.sh --scenarios chat --servers "switchboard node" --rounds 1   permessage-deflate (docs/performance.md, "Compression")
#   benchmarks/Load/run.sh --scenarios broadcast-deflate --servers "switchboard node" --rounds 1   a compressed broadcast:
#     Switchboard's room compresses once for all members, its raw room and Node once per member
#
# Options: --rounds N  --warmup S  --duration S  --scenarios "echo broadcast idle handshakes" (also cluster, and chat:
#            the chat's messages echoed with and without permessage-deflate, switchboard and node only, node with --deflate;
#            and broadcast-deflate: a room of chat-like 300-byte messages with and without permessage-deflate offered,
#            switchboard, switchboard-raw and node only, every server with --deflate)
#          --servers "switchboard kestrel node signalr"  (also switchboard-pool: echo and idle with IoThreads = 0;
#            switchboard-inline: echo with the handler on the I/O threads, UnsafePreferInlineScheduling;
#            signalr-redis and switchboard-redis: the cluster scenario's peers, and only its)  --out DIR (default artifacts/load/DATE)  --no-build
#          --server-core N  --load-core N  --connections C (echo, chat)  --users N (broadcast)  --idle K (idle)
#          --nodes N  --cluster-users N (cluster: N nodes on one redis-server, the users split evenly; default 2 and 50)
#          --cluster-senders K  --cluster-inflight P (cluster: the first K users send, each keeping P messages in flight;
#            default every user, 16 each; "--cluster-senders 16 --cluster-inflight 1" keeps 16 in flight in the room)
#          --baseline REV (also runs switchboard-baseline: samples/Echo built from git revision REV, in echo and idle)
#          --churn N (idle: connections opened and closed in each of 12 rounds before the baseline; 0 leaves them out)
#          --no-inline (the load's socket completions on the thread pool instead of the epoll thread)
#          --pool-spin N (cluster: every node of either peer runs with DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=N, how
#            long an idle thread-pool thread spins for work before it sleeps; 0: not at all; default the runtime's own)
# Results: DIR/results.jsonl (one JSON line per measurement), DIR/report.md, DIR/logs/*.log (server output).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

ROUNDS=3 WARMUP=5 DURATION=4 QUICK=0 BUILD=1 INLINE=1
CONNECTIONS="" USERS="" IDLE="" CHURN="" NODES=2 CLUSTER_USERS=50 CLUSTER_SENDERS="" CLUSTER_INFLIGHT=16 BASELINE=""
SCENARIOS="echo broadcast idle handshakes"
SERVERS="switchboard kestrel node signalr"
SERVER_CORE=0 LOAD_CORE=1
POOL_SPIN=""
OUT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1; ROUNDS=1; WARMUP=1; DURATION=2 ;;
    --rounds) ROUNDS="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --scenarios) SCENARIOS="$2"; shift ;;
    --servers) SERVERS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --no-build) BUILD=0 ;;
    --no-inline) INLINE=0 ;;
    --connections) CONNECTIONS="$2"; shift ;;
    --users) USERS="$2"; shift ;;
    --idle) IDLE="$2"; shift ;;
    --churn) CHURN="$2"; shift ;;
    --server-core) SERVER_CORE="$2"; shift ;;
    --load-core) LOAD_CORE="$2"; shift ;;
    --nodes) NODES="$2"; shift ;;
    --cluster-users) CLUSTER_USERS="$2"; shift ;;
    --cluster-senders) CLUSTER_SENDERS="$2"; shift ;;
    --cluster-inflight) CLUSTER_INFLIGHT="$2"; shift ;;
    --baseline) BASELINE="$2"; shift ;;
    --pool-spin) POOL_SPIN="$2"; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$ROOT/benchmarks/Load/run.sh"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# The cluster's peers run on redis-server (Debian's package).
if [[ " $SCENARIOS " == *" cluster "* ]]; then
  command -v redis-server >/dev/null || { echo "the cluster scenario needs redis-server: apt-get install redis-server" >&2; exit 2; }
fi

# The cases. Echo: the issue's two targets (32-byte payloads, 8 and 1 in flight). Broadcast: one room. Idle: 8,000
# connections, enough that the memory they take is several times one of the garbage collector's allocation budgets,
# so whether a collector happens to grow during the window moves the figure little (at 2,000 it moved it 2x).
if [[ $QUICK -eq 1 ]]; then
  CONNECTIONS="${CONNECTIONS:-32}" USERS="${USERS:-50}" IDLE="${IDLE:-500}" CHURN="${CHURN:-100}"
else
  CONNECTIONS="${CONNECTIONS:-32}" USERS="${USERS:-100}" IDLE="${IDLE:-8000}" CHURN="${CHURN:-250}"
fi
ECHO_CASES=("--connections $CONNECTIONS --inflight 8 --payload 32" "--connections $CONNECTIONS --inflight 1 --payload 32")
BROADCAST_ARGS="--users $USERS --inflight 1"
IDLE_ARGS="--connections $IDLE --churn $CHURN"
HANDSHAKE_ARGS="--concurrency 8"
# Chat: the same messages without and with permessage-deflate offered (no context takeover either way).
CHAT_CASES=("--connections $CONNECTIONS --inflight 1" "--connections $CONNECTIONS --inflight 1 --deflate")
# Broadcast with deflate: chat words instead of filler, long enough (300 bytes) for every server to compress them.
BROADCAST_DEFLATE_CASES=("$BROADCAST_ARGS --payload 300 --text chat" "$BROADCAST_ARGS --payload 300 --deflate")
# Cluster: one room of 50 split over the nodes; by default every user keeps 16 of its own messages in flight.
CLUSTER_ARGS="--users $CLUSTER_USERS --inflight $CLUSTER_INFLIGHT --payload 64${CLUSTER_SENDERS:+ --senders $CLUSTER_SENDERS}"

OUT="${OUT:-$ROOT/artifacts/load/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT/logs"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log() { printf '==> %s\n' "$*" >&2; }

BIN=bin/Release/net10.0
LOAD_DLL="$ROOT/benchmarks/Load/$BIN/Switchboard.Benchmarks.Load.dll"
ECHO_DLL="$ROOT/samples/Echo/$BIN/Echo.dll"
BROADCAST_DLL="$ROOT/benchmarks/Peers/SwitchboardBroadcast/$BIN/SwitchboardBroadcast.dll"
KESTREL_DLL="$ROOT/benchmarks/Peers/KestrelEcho/$BIN/KestrelEcho.dll"
SIGNALR_DLL="$ROOT/benchmarks/Peers/SignalRChat/$BIN/SignalRChat.dll"
NODE_DIR="$ROOT/benchmarks/Peers/node"

if [[ $BUILD -eq 1 ]]; then
  for project in benchmarks/Load samples/Echo benchmarks/Peers/SwitchboardBroadcast benchmarks/Peers/KestrelEcho benchmarks/Peers/SignalRChat; do
    log "building $project (Release)"
    dotnet build -c Release -nologo -v q "$project" >"$OUT/logs/build.log" 2>&1 || { cat "$OUT/logs/build.log" >&2; exit 1; }
  done
fi
# The baseline: samples/Echo of another revision, from a copy of that revision's tree (built once per revision).
BASELINE_DLL=""
if [[ -n "$BASELINE" ]]; then
  rev="$(git rev-parse --short "$BASELINE^{commit}")"
  dir="$ROOT/artifacts/baseline/$rev"
  if [[ ! -f "$dir/samples/Echo/$BIN/Echo.dll" ]]; then
    log "building samples/Echo at $rev (Release)"
    rm -rf "$dir" && mkdir -p "$dir"
    git archive "$rev" | tar -x -C "$dir"
    dotnet build -c Release -nologo -v q "$dir/samples/Echo" >"$OUT/logs/build-baseline.log" 2>&1 || { cat "$OUT/logs/build-baseline.log" >&2; exit 1; }
  fi
  BASELINE_DLL="$dir/samples/Echo/$BIN/Echo.dll"
  SERVERS="$SERVERS switchboard-baseline"
fi
if [[ " $SERVERS " == *" node "* ]]; then
  if [[ "$(node -p "try{require('$NODE_DIR/node_modules/ws/package.json').version}catch{''}" 2>/dev/null)" != "$(node -p "require('$NODE_DIR/package.json').dependencies.ws")" ]]; then
    log "installing npm packages in benchmarks/Peers/node"
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
  fi
fi

# The processes of the current measurement, in start order: one server, or a cluster's redis-server and its nodes.
SERVER_PIDS=()
stop_server() {
  local i pid
  # Newest first: a cluster's nodes go before the redis-server they use.
  for ((i = ${#SERVER_PIDS[@]} - 1; i >= 0; i--)); do
    pid="${SERVER_PIDS[$i]}"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SERVER_PIDS=()
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

# next_port: sets PORT to the next port after it that nothing on 127.0.0.1 listens on.
PORT=9300
next_port() {
  PORT=$((PORT + 1))
  while (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do PORT=$((PORT + 1)); done
}

# launch NAME LOG COMMAND...: starts COMMAND on core $SERVER_CORE, output to logs/LOG.log, and waits until it
# listens on $PORT.
launch() {
  local name="$1" log="$OUT/logs/$2.log" pid; shift 2
  taskset -c "$SERVER_CORE" "$@" >>"$log" 2>&1 &
  pid=$!
  SERVER_PIDS+=("$pid")
  for _ in $(seq 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "$name did not start; see $log" >&2; tail -5 "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name is not listening on $PORT after 30 s" >&2
  exit 1
}

# start_server NAME SCENARIO: starts the server that plays NAME in SCENARIO on core $SERVER_CORE; sets URL and FORMAT.
start_server() {
  local name="$1" scenario="$2" echo_path="/" room_path="/room"
  if [[ "$scenario" == cluster ]]; then start_cluster "$name"; return; fi
  next_port
  FORMAT=envelope
  local cmd
  case "$name" in
    switchboard-pool) cmd=(dotnet "$ECHO_DLL" --port "$PORT" --io-threads 0) ;; # echo without I/O threads
    switchboard-inline) cmd=(dotnet "$ECHO_DLL" --port "$PORT" --unsafe-inline) ;; # echo with the handler on the I/O threads
    switchboard-baseline) cmd=(dotnet "$BASELINE_DLL" --port "$PORT") ;; # echo at the --baseline revision
    switchboard|switchboard-raw)
      if [[ "$scenario" == broadcast* ]]; then
        cmd=(dotnet "$BROADCAST_DLL" --port "$PORT"); [[ "$scenario" == broadcast-deflate ]] && cmd+=(--deflate)
        [[ "$name" == switchboard-raw ]] && room_path="/raw"
      else
        cmd=(dotnet "$ECHO_DLL" --port "$PORT")
      fi ;;
    kestrel) cmd=(dotnet "$KESTREL_DLL" --urls "http://127.0.0.1:$PORT") ;;
    node) cmd=(node "$NODE_DIR/server.mjs" --port "$PORT"); [[ "$scenario" == chat || "$scenario" == broadcast-deflate ]] && cmd+=(--deflate) ;;
    signalr) cmd=(dotnet "$SIGNALR_DLL" --urls "http://127.0.0.1:$PORT"); room_path="/chat"; FORMAT=signalr ;;
    *) echo "unknown server $name" >&2; exit 2 ;;
  esac
  if [[ "$scenario" == broadcast* ]]; then URL="ws://127.0.0.1:$PORT$room_path"; else URL="ws://127.0.0.1:$PORT$echo_path"; fi
  launch "$name" "$name" "${cmd[@]}"
}

# start_cluster NAME: a fresh redis-server (no snapshots, no append-only file) and $NODES nodes of NAME using it as
# their backplane, all on core $SERVER_CORE; sets URL to the nodes' URLs, comma-separated, and FORMAT.
start_cluster() {
  local name="$1" redis node path
  next_port
  redis="127.0.0.1:$PORT"
  launch redis-server "$name-redis" redis-server --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no
  URL=""
  # The same setting for both peers' nodes: an idle pool thread's spin (sched_yield on a pinned core) hands the core
  # to the other node and Redis and back, many times per burst of work.
  local spin=()
  [[ -n "$POOL_SPIN" ]] && spin=(env "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=$POOL_SPIN")
  for ((node = 1; node <= NODES; node++)); do
    next_port
    case "$name" in
      signalr-redis) path=/chat; FORMAT=signalr
        launch "$name node $node" "$name" "${spin[@]}" dotnet "$SIGNALR_DLL" --urls "http://127.0.0.1:$PORT" --redis "$redis" ;;
      # /room on Switchboard.Redis's RedisEngine: the room is a group without history, on every node.
      switchboard-redis) path=/room; FORMAT=envelope
        launch "$name node $node" "$name" "${spin[@]}" dotnet "$BROADCAST_DLL" --port "$PORT" --redis "$redis" --log ;;
      *) echo "unknown cluster server $name (signalr-redis, switchboard-redis)" >&2; exit 2 ;;
    esac
    URL="${URL:+$URL,}ws://127.0.0.1:$PORT$path"
  done
}

# measure ROUND SCENARIO NAME ARGS...: fresh server(s), one load run, one line in results.jsonl. broadcast-deflate is
# the load's broadcast scenario against servers started with --deflate.
measure() {
  local round="$1" scenario="$2" name="$3" pid; shift 3
  start_server "$name" "$scenario"
  sleep 0.5 # let the runtime finish starting (tiered JIT, thread pool) before it is measured
  # Inline socket completions: the load's loops run on the epoll thread, with no hop to the thread pool per read,
  # which takes about a quarter off the load's CPU per message on its one core.
  # A server that stops answering cannot hang the run: the load is given a few minutes at most.
  if ! DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="$INLINE" timeout 300 taskset -c "$LOAD_CORE" dotnet "$LOAD_DLL" "${scenario%-deflate}" --url "$URL" --format "$FORMAT" \
      --label "$name" --round "$round" --server-pid "$(IFS=,; echo "${SERVER_PIDS[*]}")" --out "$RESULTS" "$@"; then
    echo "load run failed: $scenario $name round $round" >&2
  fi
  for pid in "${SERVER_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || echo "warning: a process of $name exited during $scenario; see $OUT/logs/$name*.log" >&2
  done
  stop_server
}

# servers_for SCENARIO ROUND: the servers that take part, rotated by ROUND so no server always goes first.
servers_for() {
  local scenario="$1" round="$2" list=() s
  for s in $SERVERS; do
    case "$s" in
      signalr) [[ "$scenario" == broadcast ]] && list+=(signalr) ;;
      switchboard-pool) [[ "$scenario" == echo || "$scenario" == idle ]] && list+=(switchboard-pool) ;;
      switchboard-inline) [[ "$scenario" == echo ]] && list+=(switchboard-inline) ;;
      switchboard-baseline) [[ "$scenario" == echo || "$scenario" == idle ]] && list+=(switchboard-baseline) ;;
      switchboard) [[ "$scenario" != cluster ]] && list+=(switchboard); [[ "$scenario" == broadcast* ]] && list+=(switchboard-raw) ;;
      signalr-redis|switchboard-redis) [[ "$scenario" == cluster ]] && list+=("$s") ;;
      node) [[ "$scenario" != cluster ]] && list+=(node) ;;
      *) [[ "$scenario" != cluster && "$scenario" != chat && "$scenario" != broadcast-deflate ]] && list+=("$s") ;;
    esac
  done
  local n=${#list[@]} i
  for ((i = 0; i < n; i++)); do printf '%s\n' "${list[$(((i + round) % n))]}"; done
}

{
  echo "Load: side by side, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
  echo "dotnet $(dotnet --version), node $(node --version); servers on core $SERVER_CORE, load on core $LOAD_CORE (inline completions: $INLINE); $ROUNDS round(s), warm-up ${WARMUP} s, measured ${DURATION} s"
  if [[ " $SCENARIOS " == *" cluster "* ]]; then
    echo "cluster: $NODES nodes and $(redis-server --version | cut -d' ' -f1-3) on core $SERVER_CORE (no snapshots, no append-only file), $CLUSTER_USERS users split evenly"
  fi
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/header.txt" >&2

TIMING=(--warmup "$WARMUP" --duration "$DURATION")
for ((round = 1; round <= ROUNDS; round++)); do
  log "round $round of $ROUNDS"
  for scenario in $SCENARIOS; do
    case "$scenario" in
      echo)
        for case_args in "${ECHO_CASES[@]}"; do
          # shellcheck disable=SC2086
          for name in $(servers_for echo "$round"); do measure "$round" echo "$name" "${TIMING[@]}" $case_args; done
        done ;;
      chat)
        for case_args in "${CHAT_CASES[@]}"; do
          # shellcheck disable=SC2086
          for name in $(servers_for chat "$round"); do measure "$round" chat "$name" "${TIMING[@]}" $case_args; done
        done ;;
      broadcast)
        # shellcheck disable=SC2086
        for name in $(servers_for broadcast "$round"); do measure "$round" broadcast "$name" "${TIMING[@]}" $BROADCAST_ARGS --payload 64; done ;;
      broadcast-deflate)
        for case_args in "${BROADCAST_DEFLATE_CASES[@]}"; do
          # shellcheck disable=SC2086
          for name in $(servers_for broadcast-deflate "$round"); do measure "$round" broadcast-deflate "$name" "${TIMING[@]}" $case_args; done
        done ;;
      idle)
        # The hold is the measured window; its warm-up is the settling time after the churn and the first few
        # connections, long enough for the runtime to finish compiling what the churn ran.
        # shellcheck disable=SC2086
        for name in $(servers_for idle "$round"); do measure "$round" idle "$name" --warmup 2 --duration 3 $IDLE_ARGS; done ;;
      cluster)
        # shellcheck disable=SC2086
        # switchboard-redis joins each connection to the room's group after it opened and says so: the load waits for that.
        for name in $(servers_for cluster "$round"); do
          joined=(); [[ "$name" == switchboard-redis ]] && joined=(--await-joined)
          measure "$round" cluster "$name" "${TIMING[@]}" $CLUSTER_ARGS "${joined[@]}"
        done ;;
      handshakes)
        # shellcheck disable=SC2086
        for name in $(servers_for handshakes "$round"); do measure "$round" handshakes "$name" "${TIMING[@]}" $HANDSHAKE_ARGS; done ;;
      *) echo "unknown scenario $scenario" >&2; exit 2 ;;
    esac
  done
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/header.txt" >&2
{
  cat "$OUT/header.txt"
  echo
  dotnet "$LOAD_DLL" report --in "$RESULTS" --baseline kestrel --subject switchboard
} > "$OUT/report.md"
echo
cat "$OUT/report.md"
echo
log "results in $OUT"
