#!/usr/bin/env bash
# Concurrent streams (issue 12): N streaming chat completions held open at once through ONE gateway to ONE
# provider (the fake, `chunk_delay`/`chunks` knobs hold each stream ~11 s), then the gateway's memory after
# the burst. Reports successes, errors by kind, TTFB p50/p99/max, the gateway's RSS at fresh start, its peak
# (VmRSS sampled every 100 ms and VmHWM), right after the burst and SETTLE s after it.
# Goals: 10,000 streams, 0 errors, peak RSS <= 256 MB, idle RSS within 2x of fresh start 60 s after the load.
#
# Usage: bench/streams.sh [N]        (default 10000; needs `ulimit -Hn` >= 2N+40: with a hard limit of 20000, as
#                                    on the project's machines, at most N=9980 fits and the script says so)
# Env:   RAMP=5        seconds over which the N streams are opened (all N overlap while RAMP < stream length)
#        CHUNKS=10 CHUNK_DELAY=1000   the fake's stream knobs (events, ms between them)
#        SETTLE=60     seconds to wait after the burst before the last RSS reading
#        SOURCES=4     client source addresses 127.0.0.2 ... (spreads the client's ephemeral ports)
#        BIN=...       directory with release builds of switchyard and switchyard-fake-providers
#                      (default: `swift build -c release --show-bin-path`; build them first:
#                       swift build -c release --product switchyard && swift build -c release --product switchyard-fake-providers)
#        PIN=0         1: gateway on CPU 1, fake and client on CPU 0
#        GATEWAY_ENV="K=V ..."  extra environment for the gateway
#        OUT=dir       keep logs, config and the RSS timeline there (default: a temporary directory)
# Everything binds 127.0.0.1 (client sources 127.0.0.x). Every process started here is stopped by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-${N:-10000}}
RAMP=${RAMP:-5}
CHUNKS=${CHUNKS:-10}
CHUNK_DELAY=${CHUNK_DELAY:-1000}
SETTLE=${SETTLE:-60}
SOURCES=${SOURCES:-4}
PIN=${PIN:-0}
BIN=${BIN:-$(swift build -c release --show-bin-path)}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
for exe in switchyard switchyard-fake-providers; do
  [[ -x $BIN/$exe ]] || { echo "missing $BIN/$exe: swift build -c release --product $exe" >&2; exit 1; }
done

# File descriptors: the gateway holds two per stream (client side and provider side) plus ~20 of its own; the
# client and the fake one per stream. Everything started below inherits this shell's limit.
need=$((2 * N + 40))
if (( $(ulimit -Sn) < need )); then
  hard=$(ulimit -Hn)
  if [[ $hard != unlimited ]] && (( hard < need )); then
    if ! ulimit -Hn "$need" 2>/dev/null; then
      echo "ulimit -n: the hard limit is $hard and cannot be raised here; N=$N needs $need (2 per stream in the gateway)." >&2
      echo "At most N=$(( (hard - 40) / 2 )) fits: run 'bench/streams.sh $(( (hard - 40) / 2 ))', or raise the hard limit" >&2
      echo "(as root with CAP_SYS_RESOURCE: 'ulimit -Hn $need'; or nofile in /etc/security/limits.conf / LimitNOFILE)." >&2
      exit 2
    fi
  fi
  ulimit -Sn "$need"
fi
echo "open files limit: $(ulimit -Sn) (hard $(ulimit -Hn))" >&2
backlog=$(cat /proc/sys/net/core/somaxconn 2>/dev/null || echo "?")
ports=$(tr '\t' '-' < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo "?")
echo "somaxconn $backlog, ephemeral ports $ports" >&2

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
await_line() { # file pattern: waits up to 60 s for a line matching pattern, prints the match
  for _ in $(seq 1 600); do grep -Eo "$2" "$1" 2>/dev/null | head -1 && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}
if [[ $PIN == 1 ]]; then GW_CPU=(taskset -c 1); LOAD_CPU=(taskset -c 0); else GW_CPU=(); LOAD_CPU=(); fi

# The fake keeps no request log (it would hold every request body).
"${LOAD_CPU[@]}" "$BIN/switchyard-fake-providers" --host 127.0.0.1 --port 0 --log-limit 0 > "$OUT/fake.log" 2>&1 &
pids+=($!)
FAKE_PID=$!
FAKE=$(await_line "$OUT/fake.log" "http://127.0.0.1:[0-9]+")

cat > "$OUT/gateway.yaml" <<YAML
server: { listen: "127.0.0.1:0", master_key: "sk-streams-bench" }
providers:
  fake: { kind: openai, api_key: sk-fake-upstream, base_url: "$FAKE/openai/chunk_delay=$CHUNK_DELAY,chunks=$CHUNKS/v1" }
YAML
# shellcheck disable=SC2086
env LOG_LEVEL=warning ${GATEWAY_ENV:-} "${GW_CPU[@]}" "$BIN/switchyard" serve --config "$OUT/gateway.yaml" > "$OUT/gateway.log" 2>&1 &
pids+=($!)
GW_PID=$!
GW=$(await_line "$OUT/gateway.log" "http://127.0.0.1:[0-9]+/v1")
sleep 1 # let the fresh process settle before the first RSS reading

src=$(for i in $(seq 2 $((SOURCES + 1))); do printf '127.0.0.%s,' "$i"; done)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
dirty=$(git status --porcelain -- Sources Package.swift 2>/dev/null | grep -q . && echo "+local changes" || true)
echo "N=$N ramp ${RAMP}s, fake knobs chunk_delay=$CHUNK_DELAY,chunks=$CHUNKS, commit $commit$dirty, $(nproc) CPUs, PIN=$PIN" >&2
"${LOAD_CPU[@]}" python3 bench/streams_client.py --url "$GW/chat/completions" --key sk-streams-bench --model fake/gpt-4o-mini \
  -n "$N" --ramp "$RAMP" --sources "$src" --gateway-pid "$GW_PID" --fake-pid "$FAKE_PID" --settle "$SETTLE" \
  --fake-port "${FAKE##*:}" --samples-out "$OUT/samples.jsonl" --records-out "$OUT/streams.jsonl" | tee "$OUT/result.txt"
if grep -qiE "error|warn" "$OUT/gateway.log"; then
  echo "gateway log ($OUT/gateway.log), first lines with errors/warnings:" >&2
  grep -iE "error|warn" "$OUT/gateway.log" | sort | uniq -c | sort -rn | head -5 >&2
fi
echo "logs, config, the RSS timeline (samples.jsonl) and one line per stream (streams.jsonl): $OUT" >&2
