#!/usr/bin/env bash
# Installs what the test suite needs (if missing), then runs `dotnet test` and prints one closing line of totals.
# Usage: ./test.sh [extra dotnet test args]
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)

log() { printf '[test.sh] %s\n' "$*" >&2; }

# --- OS packages -------------------------------------------------------------------------------------
# Debian packages the tests use: docker-compose (to check docker-compose.yml without a Docker engine), and wrk and hey
# (the benchmark's peers). Later work adds prometheus (real scrape tests) and chromium (report screenshots).
need_pkgs=()
command -v docker-compose >/dev/null 2>&1 || need_pkgs+=(docker-compose)
command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
command -v hey >/dev/null 2>&1 || need_pkgs+=(hey)
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
command -v prometheus >/dev/null 2>&1 || need_pkgs+=(prometheus)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${need_pkgs[*]}"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}") >/dev/null 2>&1 \
      || log "warning: apt-get install ${need_pkgs[*]} failed"
  else
    log "warning: missing ${need_pkgs[*]} and cannot apt-get install"
  fi
fi

# --- npm packages for the AWS SDK conformance clients -----------------------------------------------------
if [ -f tests/conformance/package.json ] && { [ ! -d tests/conformance/node_modules ] || [ ! -d tests/conformance/node_modules/@aws-sdk/client-sqs ]; }; then
  log "installing npm packages for tests/conformance"
  (cd tests/conformance && npm ci --no-audit --no-fund --loglevel=error) || { log "npm ci failed"; exit 1; }
fi

# --- npm packages for the probe function's handler tests (functions/probe) -------------------------------
if [ -f functions/probe/package.json ] && [ ! -d functions/probe/node_modules ]; then
  log "installing npm packages for functions/probe"
  (cd functions/probe && npm ci --no-audit --no-fund --loglevel=error) || { log "npm ci failed"; exit 1; }
fi

# --- build and test ------------------------------------------------------------------------------------
results="$root/TestResults"
rm -rf "$results"
mkdir -p "$results"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet build LambdaStorm.sln -c Release -nologo -v q || { echo "0 passed, 1 failed"; exit 1; }
# One test project at a time, each with its own TRX file, so the totals below cannot be lost to a file-name clash.
rc=0
for proj in tests/*/*.Tests.csproj; do
  name=$(basename "$proj" .csproj)
  dotnet test "$proj" -c Release --no-build -nologo \
    --logger "trx;LogFileName=${name}.trx" --results-directory "$results" "$@" || rc=$?
done

# --- totals ----------------------------------------------------------------------------------------------
passed=0; failed=0; skipped=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$c"); passed=$((passed + ${p:-0}))
  x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$c"); failed=$((failed + ${x:-0}))
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$c"); failed=$((failed + ${e:-0}))
  s=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$c"); skipped=$((skipped + ${s:-0}))
done
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$rc"
