#!/usr/bin/env bash
# Lambda model and `simulate` benchmark (issue 3). See bench/simulate/README.md.
#
#   bench/simulate/run.sh                     # full run: about 10 minutes on 2 cores (4 of them real-time runs)
#   BENCH_SIM_QUICK=1 bench/simulate/run.sh   # smoke run, a minute or so (numbers not comparable)
#
# Knobs (environment): BENCH_SIM_REPEATS (2): how many times each measurement is repeated.
# Writes bench/out/simulate/: machine.txt, build.log, scenarios/, runs/<case>-<n>/ (results folder, /usr/bin/time -v
# output, console output), memory.json, model-<n>.json, results.json and results.md (the tables for docs/BENCHMARKS.md).
# Runs one thing at a time; nothing listens on the network; every run is bounded by its scenario.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/bench/out/simulate
CLI=$ROOT/src/LambdaStorm.Cli/bin/Release/net10.0/lambdastorm.dll
REPEATS=${BENCH_SIM_REPEATS:-2}

# Durations of the speed runs and of the side-by-side run.
HOUR=1h            # 1,000/s for an hour: 3.6M invocations
TENK=10m           # 10,000/s for 10 minutes: 6M invocations
PEER=60s           # 200/s, run (real time) and simulate
if [[ -n "${BENCH_SIM_QUICK:-}" ]]; then
  HOUR=2m TENK=30s PEER=10s REPEATS=1
fi

log() { printf '[simulate-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v dotnet >/dev/null || die "dotnet is not on PATH"
command -v python3 >/dev/null || die "python3 is needed for the report"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed: apt-get install time"

rm -rf "$OUT"
mkdir -p "$OUT/scenarios" "$OUT/runs"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  # From a git checkout: the commit, and how many files under src/ differ from it (uncommitted work gets built too).
  # From an export (git archive), set BENCH_SIM_COMMIT to say which commit it is.
  if git -C "$ROOT" rev-parse --short HEAD >/dev/null 2>&1; then
    echo "commit: $(git -C "$ROOT" rev-parse --short HEAD), $(git -C "$ROOT" status --porcelain -- src | wc -l) uncommitted file(s) under src/"
  else
    echo "commit: ${BENCH_SIM_COMMIT:-unknown} (not a git checkout)"
  fi
  echo "nproc: $(nproc)"
  echo "cpu: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
  echo "kernel: $(uname -r)"
  echo "dotnet: $(dotnet --version)"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "free -h:"
  free -h
} >"$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

log "building the CLI (Release)"
dotnet build "$ROOT/src/LambdaStorm.Cli" -c Release -nologo -v q >"$OUT/build.log" 2>&1 || die "build failed (see $OUT/build.log)"

# --- scenarios --------------------------------------------------------------------------------------------------
# speed: one 100 ms function (mean; log-normal with a 400 ms P99), per-function scaling with AWS's defaults
# (1,000 new environments at once, then 100/s), account concurrency raised to 10,000 so the account never limits.
speed_scenario() { # name rate during
  cat >"$OUT/scenarios/$1.yaml" <<EOF
name: $1
description: simulate speed, $2/s for $3 against a 100 ms function.
target:
  type: emulator
  account:
    scaling: per-function
    concurrency: 10000
  functions:
    fn:
      duration: 100ms
      durationP99: 400ms
path: sync
seed: 1
load:
  - inject: { rate: $2, during: $3 }
EOF
}

# side by side: the same scenario under run (system clock, model pumped in real time) and simulate (virtual clock).
# "plain" never throttles; "reserved" caps the function at 20 concurrent, its mean need, so it throttles throughout.
peer_scenario() { # name extra-function-line
  cat >"$OUT/scenarios/$1.yaml" <<EOF
name: $1
description: run vs simulate, 200/s for $PEER against a 100 ms function.
target:
  type: emulator
  functions:
    fn:
      duration: 100ms
      durationP99: 400ms
$2
path: sync
seed: 3
gracefulStop: 10s
load:
  - inject: { rate: 200, during: $PEER }
EOF
}

speed_scenario startup 1 1s
speed_scenario hour-10 10 "$HOUR"          # same virtual length, 1% of the traffic: the per-simulated-second cost
speed_scenario hour-1k 1000 "$HOUR"
speed_scenario tenk-10k 10000 "$TENK"
peer_scenario peer-plain ""
peer_scenario peer-reserved "      reservedConcurrency: 20"

# --- runs --------------------------------------------------------------------------------------------------------
one_run() { # mode scenario label
  local dir=$OUT/runs/$3
  mkdir -p "$dir"
  cut -d' ' -f1-3 /proc/loadavg >"$dir/loadavg"
  log "$1 $2 ($3), load average $(cat "$dir/loadavg")"
  local args=("$1" "$OUT/scenarios/$2.yaml" --results "$dir/results")
  [[ $1 == simulate ]] && args+=(--progress-interval 10m)
  # These scenarios have no thresholds, so any exit code but 0 is a real failure.
  (cd "$ROOT" && /usr/bin/time -v -o "$dir/time.txt" dotnet "$CLI" "${args[@]}" >"$dir/console.txt" 2>&1) \
    || die "$1 $2 failed (see $dir/console.txt)"
  echo "$1 $2" >"$dir/what"
}

for i in $(seq 1 "$REPEATS"); do
  one_run simulate startup "startup-$i"
done
for i in $(seq 1 "$REPEATS"); do
  one_run simulate hour-10 "hour-10-$i"
  one_run simulate hour-1k "hour-1k-$i"
  one_run simulate tenk-10k "tenk-10k-$i"
done
for i in $(seq 1 "$REPEATS"); do
  for s in peer-plain peer-reserved; do
    one_run run "$s" "$s-run-$i"
    one_run simulate "$s" "$s-simulate-$i"
  done
done

log "memory for warm environments (bench/LambdaStorm.Bench)"
(cd "$ROOT" && dotnet run -c Release --project bench/LambdaStorm.Bench -- memory --json "$OUT/memory.json") >"$OUT/memory.txt" 2>&1 \
  || { cat "$OUT/memory.txt" >&2; die "memory benchmark failed"; }
cat "$OUT/memory.txt" >&2

# The model alone on the same two loads: what the load engine, its per-second measurement and the journal add.
for i in $(seq 1 "$REPEATS"); do
  log "the model alone (bench/LambdaStorm.Bench model), run $i, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  (cd "$ROOT" && dotnet run -c Release --project bench/LambdaStorm.Bench -- model --json "$OUT/model-$i.json") >"$OUT/model-$i.txt" 2>&1 \
    || { cat "$OUT/model-$i.txt" >&2; die "model benchmark failed"; }
  cat "$OUT/model-$i.txt" >&2
done

python3 "$HERE/report.py" "$OUT"
log "done: $OUT/results.md"
cat "$OUT/results.md"
