#!/usr/bin/env bash
# Installs the third-party peers the tests need (when missing), builds Sdk.sln and runs every
# test project, then the JavaScript client's tests in tests/Js (`node --test`). The last line
# printed is always `tests: N passed, M failed`; the exit status is non-zero when the build failed
# or any test failed.
#
#   scripts/test.sh              install peers, build, test
#   scripts/test.sh --deps-only  install peers only
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RESULTS="$ROOT/artifacts/test-results"
PEERS="$ROOT/tests/Interop.Tests/peers"
# The JavaScript tests' own tools (the TypeScript compiler that checks clients/js/switchboard.d.ts).
JS_TOOLS="$ROOT/tests/Js"
# The TypeScript compiler and the AsyncAPI parser that tests/Contract.Tests runs.
CONTRACT_TOOLS="$ROOT/tests/Contract.Tests/node"
APT_PACKAGES=(chromium python3-websockets nginx redis-server)

export DEBIAN_FRONTEND=noninteractive
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Browsers come from Debian (/usr/bin/chromium); no tool may download its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PUPPETEER_SKIP_DOWNLOAD=1
export npm_config_audit=false
export npm_config_fund=false
export npm_config_update_notifier=false

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi
}

install_apt_packages() {
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "Debian packages present: ${APT_PACKAGES[*]}"
    return
  fi
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get -o DPkg::Lock::Timeout=300 update -qq
  as_root apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" </dev/null
}

# True when every dependency and devDependency in DIR/package.json is installed there at exactly the pinned version.
node_packages_installed() {
  local dir="$1"
  [[ -d "$dir/node_modules" ]] || return 1
  (cd "$dir" && node -e '
    const fs = require("fs");
    const manifest = JSON.parse(fs.readFileSync("package.json", "utf8"));
    const deps = { ...manifest.dependencies, ...manifest.devDependencies };
    for (const [name, version] of Object.entries(deps)) {
      const file = `node_modules/${name}/package.json`;
      if (!fs.existsSync(file) || JSON.parse(fs.readFileSync(file, "utf8")).version !== version) process.exit(1);
    }' 2>/dev/null)
}

# Installs the npm packages pinned in DIR (by its lock file when there is one) unless they are there.
install_node_packages() {
  local dir="$1" name="${1#"$ROOT"/}"
  if node_packages_installed "$dir"; then
    log "npm packages present in $name"
    return
  fi
  log "installing npm packages in $name"
  if [[ -f "$dir/package-lock.json" ]]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
  else
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error </dev/null)
  fi
}

# Sums one attribute of <Counters .../> over every trx file in $RESULTS.
sum_counter() {
  local name="$1" total=0 file counters
  local pattern=" $name=\"([0-9]+)\""
  while IFS= read -r -d '' file; do
    counters="$(grep -o '<Counters [^>]*>' "$file" || true)"
    if [[ $counters =~ $pattern ]]; then
      total=$((total + BASH_REMATCH[1]))
    fi
  done < <(find "$RESULTS" -name '*.trx' -print0 2>/dev/null)
  echo "$total"
}

# Reads one `# name N` summary line of the TAP report of the JavaScript tests.
tap_counter() {
  local value
  value="$(sed -n "s/^# $1 \([0-9][0-9]*\)\$/\1/p" "$RESULTS/js.tap" 2>/dev/null | tail -n 1)"
  echo "${value:-0}"
}

install_apt_packages
install_node_packages "$PEERS"
install_node_packages "$JS_TOOLS"
install_node_packages "$CONTRACT_TOOLS"
if [[ "${1:-}" == "--deps-only" ]]; then
  exit 0
fi

rm -rf "$RESULTS"
mkdir -p "$RESULTS"

log "building Sdk.sln (Release)"
if ! dotnet build Sdk.sln -c Release </dev/null; then
  log "build failed"
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

log "running tests"
test_status=0
# Packaging.Tests runs on its own below: it packs both packages and builds four apps (one with Native AOT), which
# would starve the timing-sensitive tests of CPU and outlast the per-test hang timeout on 2 cores.
dotnet test Sdk.sln -c Release --no-build \
  --filter "FullyQualifiedName!~Switchboard.Packaging.Tests" \
  --logger "trx" \
  --results-directory "$RESULTS" \
  --blame-hang-timeout 5m \
  --blame-hang-dump-type none </dev/null || test_status=$?

# About 6 minutes on 2 cores; the pack before its first test takes about 2 of them.
log "running the packaging tests"
dotnet test tests/Packaging.Tests -c Release --no-build \
  --logger "trx;LogFileName=packaging.trx" \
  --results-directory "$RESULTS" \
  --blame-hang-timeout 15m \
  --blame-hang-dump-type none </dev/null || test_status=$?

# The masking tests again on each narrower vector path than this machine's widest: 256-bit, 128-bit, then scalar.
for isa in "DOTNET_EnableAVX512F=0" "DOTNET_EnableAVX2=0" "DOTNET_EnableHWIntrinsic=0"; do
  log "running the masking tests with $isa"
  env "$isa" dotnet test tests/Sdk.Tests -c Release --no-build \
    --filter "FullyQualifiedName~Section5_3_MaskingTests" \
    --logger "trx;LogFileName=masking-${isa%%=*}.trx" \
    --results-directory "$RESULTS" </dev/null || test_status=$?
done

passed="$(sum_counter passed)"
failed=$(( $(sum_counter failed) + $(sum_counter error) + $(sum_counter timeout) + $(sum_counter aborted) ))
trx_count="$(find "$RESULTS" -name '*.trx' | wc -l)"

if [[ $test_status -ne 0 && $failed -eq 0 ]]; then
  # The runner failed without a failing result on record (crash, hang, no results): count it.
  log "dotnet test exited with $test_status but recorded no failed test"
  failed=1
fi
if [[ $trx_count -eq 0 || $((passed + failed)) -eq 0 ]]; then
  log "no test results were recorded"
  [[ $failed -eq 0 ]] && failed=1
fi

log "running JavaScript tests (tests/Js)"
js_status=0
node --test --test-timeout=120000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$RESULTS/js.tap" \
  tests/Js </dev/null || js_status=$?
js_passed="$(tap_counter pass)"
js_failed=$(( $(tap_counter fail) + $(tap_counter cancelled) ))
if [[ $js_status -ne 0 && $js_failed -eq 0 ]]; then
  log "node --test exited with $js_status but recorded no failed test"
  js_failed=1
fi
if [[ $((js_passed + js_failed)) -eq 0 ]]; then
  log "no JavaScript test results were recorded"
  js_failed=1
fi
passed=$((passed + js_passed))
failed=$((failed + js_failed))

# Names what failed at the end of the log, where a CI summary shows it.
python3 scripts/failures.py "$RESULTS" || log "could not list the failed tests"
echo "tests: $passed passed, $failed failed"
if [[ $failed -ne 0 ]]; then
  exit 1
fi
exit 0
