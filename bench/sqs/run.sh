#!/usr/bin/env bash
# SQS throughput benchmark (issue 5): messages per second that one `lambdastorm emulator` process serves through its
# SQS API (AWS JSON 1.0) on this machine — SendMessage, SendMessageBatch (10 per call) and receive-and-delete
# (ReceiveMessage of 10 + DeleteMessageBatch) — driven through AWSSDK.SQS (bench/sqs/SqsBench) and, side by side,
# through @aws-sdk/client-sqs (bench/sqs/jsbench.mjs), against the emulator and against a peer SQS emulator, fauxqs
# (npm, Node.js), on the same loopback; plus hey (raw unsigned SendMessage JSON, no SDK on the client side) to show what
# each server takes when the client costs next to nothing. Results: bench/out/sqs/results.jsonl and results.md.
# See docs/BENCHMARKS.md.
#
#   bench/sqs/run.sh                    # full run, about 4 minutes on 2 cores
#   BENCH_SQS_QUICK=1 bench/sqs/run.sh  # short smoke run (numbers not comparable)
#
# Knobs (environment): BENCH_SQS_SECONDS (10, each send measurement), BENCH_SQS_WORKERS (32 concurrent calls),
# BENCH_SQS_PREFILL (20000 messages drained by receive-and-delete), BENCH_SQS_PEER=0 (skip fauxqs),
# BENCH_SQS_JS=0 (skip the JavaScript client).
# All traffic goes to 127.0.0.1 only; every loop is bounded; the servers are stopped on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/bench/out/sqs
SECONDS_EACH=${BENCH_SQS_SECONDS:-10}
WORKERS=${BENCH_SQS_WORKERS:-32}
PREFILL=${BENCH_SQS_PREFILL:-20000}
PEER=${BENCH_SQS_PEER:-1}
JS=${BENCH_SQS_JS:-1}
if [[ -n "${BENCH_SQS_QUICK:-}" ]]; then
  SECONDS_EACH=2 PREFILL=2000
fi
MODES=(send send-batch receive-delete)

log() { printf '[sqs-bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
mkdir -p "$OUT"
: >"$OUT/results.jsonl"

# --- 1. tools and builds ---------------------------------------------------------------------------------------------
command -v dotnet >/dev/null || die "dotnet is not on PATH"
command -v node >/dev/null || die "node is not on PATH"
command -v python3 >/dev/null || die "python3 is not on PATH"
if [[ ! -d "$ROOT/tests/conformance/node_modules/@aws-sdk/client-sqs" ]]; then
  log "npm ci in tests/conformance (@aws-sdk/client-sqs)"
  (cd "$ROOT/tests/conformance" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [[ "$PEER" == 1 && ! -d "$HERE/node_modules/fauxqs" ]]; then
  log "npm ci in bench/sqs (fauxqs)"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi
log "building lambdastorm and the AWSSDK.SQS driver (Release)"
dotnet build "$ROOT/src/LambdaStorm.Cli/LambdaStorm.Cli.csproj" -c Release -v q -nologo >"$OUT/build.log" 2>&1 || die "build failed (see $OUT/build.log)"
dotnet build "$HERE/SqsBench/SqsBench.csproj" -c Release -v q -nologo >>"$OUT/build.log" 2>&1 || die "build failed (see $OUT/build.log)"
CLI=$ROOT/src/LambdaStorm.Cli/bin/Release/net10.0/lambdastorm.dll
DRIVER=$HERE/SqsBench/bin/Release/net10.0/SqsBench.dll

# --- 2. servers ------------------------------------------------------------------------------------------------------
SERVER_PID= URL=
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID= URL=
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# start_server NAME: starts it in the background and waits (bounded) for its "listening on URL" line.
start_server() {
  local name=$1 logf="$OUT/$1.log"
  case $name in
    lambdastorm) dotnet "$CLI" emulator --port 0 >"$logf" 2>&1 & ;;
    fauxqs) PORT=0 node "$HERE/fauxqs-loopback.mjs" >"$logf" 2>&1 & ;;
  esac
  SERVER_PID=$!
  for _ in $(seq 300); do
    URL=$(grep -o -m1 'listening on http://127\.0\.0\.1:[0-9]*' "$logf" 2>/dev/null | sed 's/listening on //' || true)
    [[ -n "$URL" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || die "$name exited (see $logf)"
    sleep 0.1
  done
  [[ -n "$URL" ]] || die "$name did not start within 30 s (see $logf)"
  log "$name listening on $URL (pid $SERVER_PID)"
}

# CPU seconds (user + system) the server process has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$SERVER_PID/stat"; }

# measure SERVER CLIENT MODE: one run; appends a JSON line with the server's CPU use during the run.
measure() {
  local server=$1 client=$2 mode=$3 before after line
  before=$(cpu_seconds)
  case $client in
    dotnet) line=$(dotnet "$DRIVER" --endpoint "$URL" --mode "$mode" --workers "$WORKERS" --seconds "$SECONDS_EACH" --prefill "$PREFILL") ;;
    js) line=$(node "$HERE/jsbench.mjs" --endpoint "$URL" --mode "$mode" --workers "$WORKERS" --seconds "$SECONDS_EACH" --prefill "$PREFILL" 2>/dev/null) ;;
    hey) line=$(hey_send) ;;
  esac
  after=$(cpu_seconds)
  line=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d.update(server=sys.argv[2], server_cpu_seconds=round(float(sys.argv[4])-float(sys.argv[3]),2)); print(json.dumps(d))' "$line" "$server" "$before" "$after")
  echo "$line" >>"$OUT/results.jsonl"
  log "$server / $client / $mode: $line"
}

# hey_send: SendMessage as raw, unsigned AWS JSON 1.0 (a 256-byte body) for SECONDS_EACH; prints a driver-style line.
hey_send() {
  local queue_url body report
  queue_url=$(curl -s -X POST "$URL/" -H 'X-Amz-Target: AmazonSQS.CreateQueue' -H 'Content-Type: application/x-amz-json-1.0' \
    -d "{\"QueueName\":\"hey-$$\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["QueueUrl"])')
  body=$(python3 -c 'import json,sys; print(json.dumps({"QueueUrl": sys.argv[1], "MessageBody": "x" * 256}))' "$queue_url")
  report=$(hey -z "${SECONDS_EACH}s" -c "$WORKERS" -m POST -H 'X-Amz-Target: AmazonSQS.SendMessage' -T application/x-amz-json-1.0 -d "$body" "$URL/")
  python3 - "$report" "$WORKERS" "$SECONDS_EACH" <<'PY'
import json, re, sys
report, workers, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
ok = sum(int(n) for n in re.findall(r"\[200\]\s+(\d+) responses", report))
bad = sum(int(n) for code, n in re.findall(r"\[(\d+)\]\s+(\d+) responses", report) if code != "200")
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1))
print(json.dumps({"mode": "send", "client": "hey (raw JSON)", "workers": workers, "messages": ok, "seconds": seconds, "rate": round(rate * ok / max(ok + bad, 1), 1), "errors": bad}))
PY
}

run_server() {
  local server=$1
  start_server "$server"
  log "warm-up (not recorded)"
  dotnet "$DRIVER" --endpoint "$URL" --mode send --workers "$WORKERS" --seconds 2 >/dev/null
  for mode in "${MODES[@]}"; do
    measure "$server" dotnet "$mode"
    if [[ "$JS" == 1 ]]; then measure "$server" js "$mode"; fi
  done
  if command -v hey >/dev/null; then measure "$server" hey send; else log "hey is not installed: skipping the raw-HTTP run (apt-get install hey)"; fi
  stop_server
}

run_server lambdastorm
if [[ "$PEER" == 1 ]]; then run_server fauxqs; fi

# --- 3. report -------------------------------------------------------------------------------------------------------
python3 "$HERE/report.py" "$OUT/results.jsonl" "$OUT/results.md" "$WORKERS" "$SECONDS_EACH" "$PREFILL"
log "results: $OUT/results.md"
