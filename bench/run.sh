#!/usr/bin/env bash
# LambdaStorm load-engine benchmark (issue 2): the open model against the in-process `noop` target and against a
# local nginx, and the closed model side by side with wrk and hey against that same nginx. Everything runs in one
# go on this machine; results land in bench/out/results.json and bench/out/results.md. See bench/README.md.
#
#   bench/run.sh                  # full run, about 7 minutes on 2 cores
#   BENCH_QUICK=1 bench/run.sh    # short smoke run (numbers not comparable)
#
# Knobs (environment): BENCH_FIXED_SECONDS (20), BENCH_STEP_SECONDS (8), BENCH_TP_SECONDS (15),
# BENCH_CONNECTIONS (50), BENCH_RAMP_SECONDS (3), BENCH_NOOP_RATES, BENCH_HTTP_RATES (space-separated lists).
# All traffic goes to 127.0.0.1 only; every loop is bounded; nginx is stopped on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
OUT=$HERE/out
PY=(python3 "$HERE/lsbench.py")

FIXED_SECONDS=${BENCH_FIXED_SECONDS:-20}
STEP_SECONDS=${BENCH_STEP_SECONDS:-8}
TP_SECONDS=${BENCH_TP_SECONDS:-15}
CONNECTIONS=${BENCH_CONNECTIONS:-50}
RAMP_SECONDS=${BENCH_RAMP_SECONDS:-3}
NOOP_RATES=${BENCH_NOOP_RATES:-"50000 100000 200000 300000 400000 500000 700000 1000000"}
HTTP_RATES=${BENCH_HTTP_RATES:-"2000 5000 10000 15000 20000 25000 30000 40000 50000"}
if [[ -n "${BENCH_QUICK:-}" ]]; then
  FIXED_SECONDS=3 STEP_SECONDS=3 TP_SECONDS=3 RAMP_SECONDS=1
  NOOP_RATES="20000 80000" HTTP_RATES="2000 10000"
fi

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- 1. tools ----------------------------------------------------------------------------------------------------------
ensure_packages() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v hey >/dev/null || missing+=(hey)
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
  [[ -x /usr/bin/time ]] || missing+=(time)
  command -v python3 >/dev/null || missing+=(python3)
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) == 0 ]] || die "missing ${missing[*]}; install them with: sudo apt-get install ${missing[*]}"
  log "installing ${missing[*]}"
  # Only refresh the package lists when the install cannot find what it needs.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >"$OUT/apt.log" 2>&1; then
    log "apt-get install failed; running apt-get update once and retrying"
    apt-get update -q >>"$OUT/apt.log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$OUT/apt.log" 2>&1 ||
      die "could not install ${missing[*]} (see $OUT/apt.log)"
  fi
}

# --- 2. nginx on a free loopback port ----------------------------------------------------------------------------------
NGINX_PID=
stop_nginx() {
  if [[ -n "$NGINX_PID" ]] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NGINX_PID" 2>/dev/null || true
  fi
  NGINX_PID=
}
trap stop_nginx EXIT
trap 'exit 130' INT TERM

start_nginx() {
  local dir=$OUT/nginx nginx_bin
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
  mkdir -p "$dir/tmp"
  PORT=$("${PY[@]}" free-port)
  # One worker: nginx gets at most one of the two cores, so the client under test always has the other one.
  # keepalive_requests is raised so that no client pays for reconnects every 1,000 requests (the default).
  cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$PORT;
    location / { default_type text/plain; return 200 "ok\n"; }
  }
}
EOF
  "$nginx_bin" -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" &
  NGINX_PID=$!
  URL="http://127.0.0.1:$PORT/"
  for _ in $(seq 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
      log "nginx $NGINX_PID listening on $URL"
      return 0
    fi
    kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited (see $dir/error.log)"
    sleep 0.1
  done
  die "nginx did not start listening on $PORT"
}

# --- 3. CPU accounting around each measurement -------------------------------------------------------------------------
# busy and steal jiffies of the whole machine, and nginx's own CPU, so each result can say how much CPU went to
# something other than the tool under test (a noisy neighbour invalidates a lateness figure).
cpu_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8, $9}' /proc/stat; }
nginx_cpu() { # master and workers
  local t=0 p
  [[ -n "$NGINX_PID" ]] || { echo 0; return; }
  for p in "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true); do
    t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
HZ=$(getconf CLK_TCK)

# timed NAME CMD... : runs CMD under /usr/bin/time -v, stdout+stderr to NAME.log, CPU figures to NAME.cpu.json
timed() {
  local name=$1; shift
  local b0 s0 n0 b1 s1 n1 rc=0
  read -r b0 s0 < <(cpu_busy); n0=$(nginx_cpu)
  /usr/bin/time -v -o "$OUT/parts/$name.time" "$@" >"$OUT/parts/$name.log" 2>&1 || rc=$?
  read -r b1 s1 < <(cpu_busy); n1=$(nginx_cpu)
  awk -v b="$((b1 - b0))" -v s="$((s1 - s0))" -v n="$((n1 - n0))" -v hz="$HZ" -v rc="$rc" 'BEGIN {
    printf "{\"busySeconds\": %.2f, \"stealSeconds\": %.2f, \"nginxCpuSeconds\": %.2f, \"exitCode\": %d}\n", b/hz, s/hz, n/hz, rc
  }' >"$OUT/parts/$name.cpu.json"
  return 0
}

# Waits (bounded) for the machine to be quiet: less than 15% of one core busy over 2 s.
wait_quiet() {
  local b0 b1 s
  for _ in $(seq 30); do
    read -r b0 s < <(cpu_busy); sleep 2; read -r b1 s < <(cpu_busy)
    if (((b1 - b0) * 100 / (2 * HZ) < 15)); then return 0; fi
    log "machine busy ($(((b1 - b0) * 100 / (2 * HZ)))% of a core), waiting"
  done
  log "machine still busy after 60 s; measuring anyway (see otherCpuSeconds in the results)"
}

# --- 4. LambdaStorm runs -----------------------------------------------------------------------------------------------
scenario_open() { # NAME TARGET RATE SECONDS
  local name=$1 target=$2 rate=$3 secs=$4 file=$OUT/scenarios/$1.yaml
  {
    echo "# generated by bench/run.sh"
    echo "name: $name"
    echo "description: open model, ramp to $rate/s in ${RAMP_SECONDS}s, then $rate/s for ${secs}s against $target"
    if [[ $target == noop ]]; then
      echo "target: noop"
      echo "maxInFlight: 10000"
    else
      echo "target: { type: http, url: '$URL', method: GET, timeout: 5s }"
      echo "path: http"
      echo "maxInFlight: 1000"
    fi
    echo "gracefulStop: 10s"
    echo "load:"
    echo "  - ramping-inject: { rate: $rate, during: ${RAMP_SECONDS}s }"
    echo "  - inject: { rate: $rate, during: ${secs}s }"
  } >"$file"
  echo "$file"
}

scenario_closed() { # NAME COPIES SECONDS
  local file=$OUT/scenarios/$1.yaml
  cat >"$file" <<EOF
# generated by bench/run.sh
name: $1
description: closed model, $2 copies for ${3}s against nginx (compare with wrk -c$2 and hey -c $2)
target: { type: http, url: '$URL', method: GET, timeout: 5s }
path: http
maxInFlight: $2
gracefulStop: 10s
load:
  - keep-constant: { copies: $2, during: ${3}s }
EOF
  echo "$file"
}

# At most this many measurements are taken again because the machine was busy, so the run stays bounded.
# (A file, because ls_run runs in a command substitution's subshell.)
take_retry() {
  local left
  left=$(cat "$OUT/parts/retries-left")
  ((left > 0)) || return 1
  echo $((left - 1)) >"$OUT/parts/retries-left"
}

# noisy NAME SECONDS: true when something else on the machine used more than 10% of a core during NAME
noisy() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d.get("otherCpuSeconds", 0) > 0.1 * float(sys.argv[2]) else 1)' \
    "$OUT/parts/$1.json" "$2"
}

# ls_run NAME SCENARIO RATE SECONDS: runs one scenario (again once, after waiting for quiet, if the machine was busy
# meanwhile); judges the held window [ramp, ramp + SECONDS); writes parts/NAME.json; prints yes/no (sustained)
ls_run() {
  local name=$1 file=$2 rate=$3 secs=$4 dir attempt window
  window="$RAMP_SECONDS,$((RAMP_SECONDS + secs))"
  [[ $rate == 0 ]] && window="0,$secs"
  for attempt in 1 2; do
    rm -rf "$OUT/results/$name"
    timed "$name" "$BIN" run "$file" --results "$OUT/results/$name" --plain
    dir=$(find "$OUT/results/$name" -mindepth 1 -maxdepth 1 -type d | head -1)
    [[ -n "$dir" && -f "$dir/summary.json" ]] || die "$name produced no summary (see $OUT/parts/$name.log)"
    "${PY[@]}" run-summary "$dir" "$rate" --window "$window" --name "$name" \
      --time "$OUT/parts/$name.time" --cpu "$OUT/parts/$name.cpu.json" --out "$OUT/parts/$name.verdict" >/dev/null
    mv "$OUT/parts/$name.verdict" "$OUT/parts/$name.json"
    if [[ $attempt == 1 ]] && noisy "$name" "$((RAMP_SECONDS + secs))" && take_retry; then
      log "$name: the machine was busy with something else; measuring again"
      wait_quiet
      continue
    fi
    break
  done
  python3 -c 'import json,sys; print("yes" if json.load(open(sys.argv[1]))["sustained"] else "no")' "$OUT/parts/$name.json"
}

# search TARGET RATES... : steps the rate upward until a step is not sustained, then tries the midpoint once
search() {
  local target=$1; shift
  local last_ok=0 first_bad=0 rate ok
  for rate in "$@"; do
    ok=$(ls_run "search-$target-$rate" "$(scenario_open "search-$target-$rate" "$target" "$rate" "$STEP_SECONDS")" "$rate" "$STEP_SECONDS")
    log "search $target $rate/s: sustained=$ok"
    if [[ $ok == yes ]]; then last_ok=$rate; else first_bad=$rate; break; fi
  done
  if ((first_bad > 0 && first_bad - last_ok > 2000)); then
    rate=$(((last_ok + first_bad) / 2 / 1000 * 1000))
    ok=$(ls_run "search-$target-$rate" "$(scenario_open "search-$target-$rate" "$target" "$rate" "$STEP_SECONDS")" "$rate" "$STEP_SECONDS")
    log "search $target $rate/s (midpoint): sustained=$ok"
  fi
}

# --- main --------------------------------------------------------------------------------------------------------------
mkdir -p "$OUT"
rm -rf "$OUT/parts" "$OUT/results" "$OUT/scenarios"
mkdir -p "$OUT/parts" "$OUT/results" "$OUT/scenarios"
echo "${BENCH_RETRIES:-4}" >"$OUT/parts/retries-left"
ensure_packages
ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null || true

log "building the CLI (Release)"
dotnet build "$ROOT/src/LambdaStorm.Cli" -c Release -nologo -v q >"$OUT/build.log" 2>&1 || die "build failed (see $OUT/build.log)"
BIN=$ROOT/src/LambdaStorm.Cli/bin/Release/net10.0/lambdastorm
[[ -x "$BIN" ]] || die "no CLI at $BIN"

start_nginx

{
  printf '{"startedAt": "%s", "host": "%s", "nproc": %s, "memTotal": "%s", "cpuModel": "%s", "kernel": "%s",' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(hostname)" "$(nproc)" "$(free -h | awk '/^Mem:/{print $2}')" \
    "$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)" "$(uname -r)"
  printf ' "dotnet": "%s", "wrk": "wrk %s", "hey": "hey %s", "nginx": "nginx %s (worker_processes 1)",' \
    "$(dotnet --version)" "$(dpkg-query -W -f '${Version}' wrk 2>/dev/null || echo '?')" \
    "$(dpkg-query -W -f '${Version}' hey 2>/dev/null || echo '?')" "$(nginx -v 2>&1 | sed 's|.*/||')"
  printf ' "fixedSeconds": %s, "stepSeconds": %s, "tpSeconds": %s, "connections": %s, "rampSeconds": %s, "url": "%s", "quick": %s}\n' \
    "$FIXED_SECONDS" "$STEP_SECONDS" "$TP_SECONDS" "$CONNECTIONS" "$RAMP_SECONDS" "$URL" "$([[ -n "${BENCH_QUICK:-}" ]] && echo true || echo false)"
} >"$OUT/parts/machine.json"

wait_quiet

# 1 + 3a. lateness at 1,000/s and 10,000/s, noop then nginx
for target in noop http; do
  for rate in 1000 10000; do
    name=fixed-$target-$rate
    ok=$(ls_run "$name" "$(scenario_open "$name" "$target" "$rate" "$FIXED_SECONDS")" "$rate" "$FIXED_SECONDS")
    log "$name: sustained=$ok"
  done
done

# 2 + 3b. highest sustained arrival rate
# shellcheck disable=SC2086
search noop $NOOP_RATES
# shellcheck disable=SC2086
search http $HTTP_RATES

# 4. closed-model throughput: LambdaStorm vs wrk vs hey, same URL, same connections, same duration
# Run as a group; if anything else used the machine meanwhile, wait for quiet and run the group once more.
for attempt in 1 2; do
  ls_run tp-lambdastorm "$(scenario_closed tp-lambdastorm "$CONNECTIONS" "$TP_SECONDS")" 0 "$TP_SECONDS" >/dev/null
  log "tp-lambdastorm done"
  timed tp-wrk wrk -t2 -c"$CONNECTIONS" -d"${TP_SECONDS}s" --latency "$URL"
  log "tp-wrk done"
  timed tp-hey hey -c "$CONNECTIONS" -z "${TP_SECONDS}s" "$URL"
  log "tp-hey done"
  busy=$("${PY[@]}" other-cpu "$OUT/parts" tp-lambdastorm tp-wrk tp-hey)
  if [[ $attempt == 1 ]] && awk -v b="$busy" -v s="$TP_SECONDS" 'BEGIN { exit !(b > 0.3 * s) }' && take_retry; then
    log "something else used ${busy} CPU s during the throughput runs; running them again"
    wait_quiet
    continue
  fi
  break
done

stop_nginx
"${PY[@]}" assemble "$OUT"
"${PY[@]}" report "$OUT/results.json" "$OUT/results.md"
log "wrote $OUT/results.json and $OUT/results.md"
cat "$OUT/results.md"
