#!/usr/bin/env bash
# The floor under added latency on this machine: the same fixed-rate JSON request (../shared/bench's
# rate client, 20 req/s) against the upstream directly, the nginx reference proxy, a bare SwiftNIO
# server answering by itself (floor fixed), a bare SwiftNIO + AsyncHTTPClient proxy (floor proxy) and
# Switchyard — each on CPU 1, the client and upstream on CPU 0, in alternating rounds.
# Usage: bench/floor.sh [ROUNDS] [DURATION]    (needs ../shared/bench/setup.sh and release builds:
#   swift build -c release --product switchyard && swift build -c release --package-path bench/floor)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
DURATION=${2:-15}
RATE=${RATE:-20}
BIN=${BIN:-$(swift build -c release --show-bin-path)}
FLOOR=${FLOOR:-$(swift build -c release --package-path bench/floor --show-bin-path)/floor}
BENCH=$(cd "${BENCH:-../shared/bench}" && pwd)
export BENCH_HOME=${BENCH_HOME:-/tmp/litellm-bench}
PY=${PY:-$BENCH_HOME/venv/bin/python}
REPO=$(pwd)
# shellcheck disable=SC1091
source "$BENCH/lib/common.sh"
trap 'stop_upstreams >/dev/null 2>&1 || true' EXIT
start_upstreams >/dev/null 2>&1
start_proxy >/dev/null 2>&1
BODY=$(mktemp)
echo '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}' > "$BODY"

cpu_ticks() { # the process and its children (nginx's workers)
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do total=$((total + $(awk '{print $14+$15}' "/proc/$p/stat"))); done
  echo "$total"
}
measure() { # name url pid
  local name=$1 url=$2 pid=${3:-} t0=0 t1=0 out
  taskset -c 0 "$PY" "$BENCH/lib/rate_client.py" --url "$url" --body-file "$BODY" --key sk-bench-master-key-0001 \
    --rate "$RATE" --duration 3 > /dev/null
  [[ -n $pid ]] && t0=$(cpu_ticks "$pid")
  out=$(taskset -c 0 "$PY" "$BENCH/lib/rate_client.py" --url "$url" --body-file "$BODY" --key sk-bench-master-key-0001 \
    --rate "$RATE" --duration "$DURATION" | grep BENCHJSON | sed 's/^BENCHJSON //')
  [[ -n $pid ]] && t1=$(cpu_ticks "$pid")
  python3 -c "
import json, sys
d = json.loads(sys.argv[1]); n = d['ok'] or 1
cpu = (int(sys.argv[3]) - int(sys.argv[2])) * 10000 / n if sys.argv[4] else None
print(json.dumps({'target': sys.argv[5], 'p50': d['p50_ms'], 'p99': d['p99_ms'], 'ok': d['ok'], 'cpu_us': cpu}))
" "$out" "$t0" "$t1" "$pid" "$name"
}

start_pinned() { taskset -c 1 "$@" > /dev/null 2>&1 & echo $!; }
await_port() { for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

RESULTS=$(mktemp)
for round in $(seq 1 "$ROUNDS"); do
  measure direct "http://127.0.0.1:$UPSTREAM_PORT/v1/chat/completions" >> "$RESULTS"
  measure nginx "http://127.0.0.1:$PROXY_PORT/v1/chat/completions" "$(cat "$RUN/nginx-proxy.pid")" >> "$RESULTS"
  pid=$(start_pinned "$FLOOR" fixed 18201); await_port 18201
  measure floor-fixed "http://127.0.0.1:18201/v1/chat/completions" "$pid" >> "$RESULTS"; kill "$pid"
  pid=$(start_pinned "$FLOOR" proxy 18202 "http://127.0.0.1:$UPSTREAM_PORT/v1/chat/completions"); await_port 18202
  measure floor-proxy "http://127.0.0.1:18202/v1/chat/completions" "$pid" >> "$RESULTS"; kill "$pid"
  pid=$(start_pinned env LOG_LEVEL=warning UPSTREAM_PORT="$UPSTREAM_PORT" PROXY_PORT="$PROXY_PORT" SLOW_PORT="$SLOW_PORT" \
    "$BIN/switchyard" serve --config "$REPO/bench/switchyard-bench.yaml"); await_port 8080
  measure switchyard "http://127.0.0.1:8080/v1/chat/completions" "$pid" >> "$RESULTS"; kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "round $round done" >&2
done
python3 - "$RESULTS" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
targets = ["direct", "nginx", "floor-fixed", "floor-proxy", "switchyard"]
med = lambda xs: statistics.median(xs) if xs else None
base50 = med([r["p50"] for r in rows if r["target"] == "direct"])
base99 = med([r["p99"] for r in rows if r["target"] == "direct"])
print("| target | p50 ms | p99 ms | +p50 ms | +p99 ms | CPU µs/req |")
print("|---|---:|---:|---:|---:|---:|")
for t in targets:
    rs = [r for r in rows if r["target"] == t]
    p50, p99 = med([r["p50"] for r in rs]), med([r["p99"] for r in rs])
    cpu = med([r["cpu_us"] for r in rs if r["cpu_us"] is not None])
    print(f"| {t} | {p50:.2f} | {p99:.2f} | {p50-base50:+.2f} | {p99-base99:+.2f} | {'-' if cpu is None else round(cpu)} |")
PY
