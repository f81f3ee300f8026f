#!/usr/bin/env bash
# Fuzzes the protocol parsers with AFL++ through SharpFuzz, for a bounded time per target: the frame reader
# (frames), the opening handshake parsers of both sides (handshake) and the envelope and generated message readers
# (envelope). Installs afl++ (Debian) and the sharpfuzz tool (.config/dotnet-tools.json) when missing, publishes
# tests/Fuzz in Release under artifacts/fuzz, instruments its copy of Switchboard.dll, and runs afl-fuzz on each
# target's seed corpus (tests/Fuzz/corpus/<target>) with a fresh output directory. Crashes and hangs are copied
# into tests/Fuzz/findings/<target>/ (named after their hash; rename them after what they show once fixed) and
# replayed without AFL to print what went wrong. Not part of CI, which replays corpus/ and findings/ as tests.
#
#   scripts/fuzz.sh                          60 s for each target
#   scripts/fuzz.sh 120                      120 s for each target
#   scripts/fuzz.sh 300 frames envelope      300 s for the named targets
#
# The exit status is 1 when any target produced a crash or a hang, 2 on bad arguments.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ALL_TARGETS=(frames handshake envelope)
DURATION="${1:-60}"
if [[ $# -gt 0 ]]; then shift; fi
TARGETS=("$@")
if [[ ${#TARGETS[@]} -eq 0 ]]; then TARGETS=("${ALL_TARGETS[@]}"); fi

if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || [[ "$DURATION" -eq 0 ]]; then
  echo "usage: scripts/fuzz.sh [seconds-per-target] [${ALL_TARGETS[*]}]" >&2
  exit 2
fi
for target in "${TARGETS[@]}"; do
  if [[ ! " ${ALL_TARGETS[*]} " == *" $target "* ]]; then
    echo "unknown target '$target'; expected one of: ${ALL_TARGETS[*]}" >&2
    exit 2
  fi
done

export DEBIAN_FRONTEND=noninteractive
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

OUT="$ROOT/artifacts/fuzz"
BIN="$OUT/bin"
HARNESS="$BIN/Switchboard.Fuzz.dll"
# Instrumented code writes coverage into AFL's shared memory, so findings are replayed with an uninstrumented copy.
REPLAY="$OUT/replay/Switchboard.Fuzz.dll"

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi
}

if ! command -v afl-fuzz >/dev/null 2>&1; then
  log "installing Debian package afl++"
  as_root apt-get -o DPkg::Lock::Timeout=300 update -qq
  as_root apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends afl++ </dev/null
fi

log "restoring the sharpfuzz tool"
dotnet tool restore >/dev/null

# A fresh publish every time: sharpfuzz refuses an assembly it has already instrumented.
log "publishing tests/Fuzz (Release) to ${BIN#"$ROOT"/}"
rm -rf "$BIN" "$OUT/replay"
dotnet publish tests/Fuzz/Switchboard.Fuzz.csproj -c Release -o "$BIN" -v quiet -nologo >/dev/null
cp -a "$BIN" "$OUT/replay"

log "instrumenting Switchboard.dll"
dotnet tool run sharpfuzz "$BIN/Switchboard.dll" >/dev/null

# The target is `dotnet`, which is not AFL-instrumented itself: SharpFuzz reports coverage through the shared
# memory. The machine is shared, so no CPU binding and no UI; crashes are judged by the harness, not core files.
export AFL_SKIP_BIN_CHECK=1
export AFL_NO_UI=1
export AFL_NO_AFFINITY=1
export AFL_SKIP_CPUFREQ=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_FORKSRV_INIT_TMOUT=60000

found=0
summary=()
for target in "${TARGETS[@]}"; do
  work="$(mktemp -d "${TMPDIR:-/tmp}/switchboard-fuzz-$target.XXXXXX")"
  dict=()
  if [[ -f "tests/Fuzz/dict/$target.dict" ]]; then dict=(-x "tests/Fuzz/dict/$target.dict"); fi
  log "fuzzing $target for ${DURATION}s (output in $work)"
  # -t: a .NET child restarted after a crash needs a moment to start; anything slower than 5 s is a hang.
  if ! afl-fuzz -i "tests/Fuzz/corpus/$target" -o "$work" -V "$DURATION" -t 5000 -m none "${dict[@]}" \
      -- dotnet "$HARNESS" "$target" >"$work/afl.log" 2>&1; then
    log "afl-fuzz failed for $target; its last lines:"
    tail -n 20 "$work/afl.log" >&2
    summary+=("$target: afl-fuzz failed (see $work/afl.log)")
    found=1
    continue
  fi

  stats="$work/default/fuzzer_stats"
  stat() { awk -F' *: *' -v key="$1" '$1 == key { print $2 }' "$stats"; }
  execs="$(stat execs_done)"
  speed="$(stat execs_per_sec)"
  paths="$(stat corpus_count)"
  crashes="$(stat saved_crashes)"
  hangs="$(stat saved_hangs)"

  mkdir -p "tests/Fuzz/findings/$target"
  copied=()
  for kind in crashes hangs; do
    for file in "$work/default/$kind"/id:*; do
      [[ -e "$file" ]] || continue
      name="${kind%es}"; name="${name%s}-$(sha256sum "$file" | cut -c1-12).bin"
      cp "$file" "tests/Fuzz/findings/$target/$name"
      copied+=("tests/Fuzz/findings/$target/$name")
    done
  done

  if [[ ${#copied[@]} -gt 0 ]]; then
    found=1
    log "$target: replaying ${#copied[@]} finding(s) without AFL"
    dotnet "$REPLAY" "$target" "${copied[@]}" | grep -v '^ok ' >&2 || true
  fi
  summary+=("$target: ${execs:-0} execs (${speed:-0}/s), ${paths:-0} paths in the queue, ${crashes:-0} crashes, ${hangs:-0} hangs in ${DURATION}s")
done

printf '\nfuzz summary\n' >&2
printf '  %s\n' "${summary[@]}" >&2
exit "$found"
