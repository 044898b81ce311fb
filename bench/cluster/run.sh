#!/usr/bin/env bash
# Cluster benchmark (issue 7): the coordinator's merge cost per snapshot, and the total achieved rate of a cluster
# with 1 and with 3 agents against the noop target on this machine. Everything on 127.0.0.1; every process it starts
# is stopped by the exit trap. Results go to bench/out/cluster/ (git-ignored); method and numbers: docs/BENCHMARKS.md.
#   bench/cluster/run.sh                 RATE=50000 SECONDS_HELD=10 by default
set -euo pipefail
cd "$(dirname "$0")/../.."
RATE="${RATE:-50000}"
HELD="${SECONDS_HELD:-10}"
OUT=bench/out/cluster
rm -rf "$OUT" && mkdir -p "$OUT"
dotnet build src/LambdaStorm.Cli -c Release -nologo -v q >/dev/null
dotnet build bench/LambdaStorm.Bench -c Release -nologo -v q >/dev/null
LS=src/LambdaStorm.Cli/bin/Release/net10.0/lambdastorm
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "== merge cost per snapshot"
bench/LambdaStorm.Bench/bin/Release/net10.0/LambdaStorm.Bench merge --json "$OUT/merge.json"

cat > "$OUT/noop.yaml" <<YAML
name: cluster-bench
target: { type: noop }
maxInFlight: 100000
gracefulStop: 5s
load:
  - ramping-inject: { rate: $RATE, during: 3s }
  - inject: { rate: $RATE, during: ${HELD}s }
YAML

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

for agents in 1 3; do
  port=$(free_port)
  "$LS" coordinator --port "$port" --metrics-port 0 --results "$OUT/coordinator-$agents" >"$OUT/coordinator-$agents.log" 2>&1 &
  PIDS+=($!)
  for k in $(seq 1 "$agents"); do
    "$LS" agent --seed "akka.tcp://lambdastorm@127.0.0.1:$port" --name "agent-$k" --metrics-port 0 >"$OUT/agent-$agents-$k.log" 2>&1 &
    PIDS+=($!)
  done
  "$LS" run "$OUT/noop.yaml" --cluster "akka.tcp://lambdastorm@127.0.0.1:$port" --min-agents "$agents" --plain --metrics-port 0 \
    --results "$OUT/results-$agents" >"$OUT/run-$agents.log" 2>&1 || true
  summary=$(ls "$OUT"/results-"$agents"/*/summary.json)
  python3 - "$summary" "$agents" "$RATE" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); t = s["totals"]; r = s["rates"]
print(f"== {sys.argv[2]} agent(s) at {int(sys.argv[3]):,}/s: scheduled {t['scheduledArrivals']:,}, started {t['started']:,}, dropped {t['dropped']:,}, "
      f"achieved {r['achieved']:,.0f}/s (target avg {r['targetAverage']:,.0f}/s), lateness p99 {s['latenessMs']['p99']} ms, status {s['status']}")
PY
  cleanup; PIDS=()
done
