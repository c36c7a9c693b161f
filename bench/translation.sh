#!/usr/bin/env bash
# Translation overhead, and an A/B of gateway builds on it: the same OpenAI-client stream passed through to
# an OpenAI-dialect provider and translated to an Anthropic provider (both fakes, one process), through
# each gateway binary in BINS (directories holding `switchyard`), alternating round by round:
#   - added latency at a fixed rate (../shared/bench's open-loop client; p50/p99 against the fake direct),
#   - proxy CPU per request at saturation (wrk, 64 connections; the gateway's utime+stime from /proc).
# Usage: bench/translation.sh [RATE] [DURATION]   env: BINS="dir1 dir2" ROUNDS=2 SATURATE=1 CASES="json sse translated"
#   KEYED=1 adds a virtual key with RPM, TPM and a hard budget (builds with governance only) and the cases
#   json-key and sse-key, which send json and sse with it instead of the master key. STORE='{ memory: true }'
#   sets the store (default: SQLite beside the config, as a gateway without a store section has).
# Needs release builds: swift build -c release --product switchyard && swift build -c release --product switchyard-fake-providers
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-20}
DURATION=${2:-20}
BIN=${BIN:-$(swift build -c release --show-bin-path)}
BINS=${BINS:-$BIN}
ROUNDS=${ROUNDS:-1}
SATURATE=${SATURATE:-0}
BENCH=${BENCH:-../shared/bench}
PY=${PY:-${BENCH_HOME:-/tmp/litellm-bench}/venv/bin/python}
WORK=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
await_line() { for _ in $(seq 1 300); do grep -Eo "$2" "$1" 2>/dev/null | head -1 && return 0; sleep 0.1; done; return 1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

taskset -c 0 "$BIN/switchyard-fake-providers" --port 0 > "$WORK/fake.log" 2>&1 &
pids+=($!)
FAKE=$(await_line "$WORK/fake.log" "http://127.0.0.1:[0-9]+")
cat > "$WORK/gw.yaml" <<YAML
server: { listen: "127.0.0.1:0", master_key: "sk-bench" }
providers:
  openai: { api_key: k, base_url: "$FAKE/openai/chunks=15/v1" }
  anthropic: { api_key: k, base_url: "$FAKE/anthropic/chunks=15" }
YAML
[[ -n ${STORE:-} ]] && echo "store: $STORE" >> "$WORK/gw.yaml"
VIRTUAL_KEY=sk-bench-virtual-key-0123456789
if [[ ${KEYED:-0} == 1 ]]; then
  cat >> "$WORK/gw.yaml" <<YAML
keys:
  - { name: bench, key: "$VIRTUAL_KEY", rpm: 100000000, tpm: 2000000000, budget: { max_usd: 1000000, period: month } }
YAML
fi
declare -A GW GWPID
index=0
for dir in $BINS; do
  LOG_LEVEL=warning taskset -c 1 "$dir/switchyard" serve --config "$WORK/gw.yaml" > "$WORK/gw$index.log" 2>&1 &
  pids+=($!)
  GWPID[$dir]=$!
  GW[$dir]=$(await_line "$WORK/gw$index.log" "http://127.0.0.1:[0-9]+/v1")
  index=$((index + 1))
done
HZ=$(getconf CLK_TCK)

# CASES: json (passthrough, whole answer), sse (passthrough stream), translated (OpenAI client → Anthropic stream).
for case in ${CASES:-sse translated}; do
  key=sk-bench
  case $case in
    json) model=openai/gpt-4o-mini; stream=false ;;
    sse) model=openai/gpt-4o-mini; stream=true ;;
    json-key) model=openai/gpt-4o-mini; stream=false; key=$VIRTUAL_KEY ;;
    sse-key) model=openai/gpt-4o-mini; stream=true; key=$VIRTUAL_KEY ;;
    translated) model=anthropic/claude-sonnet-4-5; stream=true ;;
  esac
  options=$([[ $stream == true ]] && echo ',"stream_options":{"include_usage":true}' || true)
  printf '{"model":"%s","messages":[{"role":"user","content":"Say hello in one short sentence."}],"max_tokens":64,"stream":%s%s}' "$model" "$stream" "$options" > "$WORK/body.json"
  for round in $(seq 1 "$ROUNDS"); do
    if [[ $case != translated ]]; then
      # The fake itself, for the added latency (the model name is the fake's business only).
      direct="$FAKE/openai/chunks=15/v1/chat/completions"
      taskset -c 0 "$PY" "$BENCH/lib/rate_client.py" --url "$direct" --body-file "$WORK/body.json" --key k --rate "$RATE" --duration 3 > /dev/null
      echo "round=$round bin=direct $case $(taskset -c 0 "$PY" "$BENCH/lib/rate_client.py" --url "$direct" --body-file "$WORK/body.json" --key k --rate "$RATE" --duration "$DURATION" | grep BENCHJSON)"
    fi
    for dir in $BINS; do
      url="${GW[$dir]}/chat/completions"
      # warm-up, then the measured run
      taskset -c 0 "$PY" "$BENCH/lib/rate_client.py" --url "$url" --body-file "$WORK/body.json" --key "$key" --rate "$RATE" --duration 3 > /dev/null
      echo "round=$round bin=$dir $case $(taskset -c 0 "$PY" "$BENCH/lib/rate_client.py" --url "$url" --body-file "$WORK/body.json" --key "$key" --rate "$RATE" --duration "$DURATION" | grep BENCHJSON)"
      if [[ $SATURATE == 1 ]]; then
        before=$(cpu_ticks "${GWPID[$dir]}")
        out=$(BENCH_BODY_FILE="$WORK/body.json" BENCH_KEY=$key taskset -c 0 wrk -t2 -c64 -d"${DURATION}s" -s "$BENCH/lib/chat.lua" "$url" | grep BENCHJSON)
        after=$(cpu_ticks "${GWPID[$dir]}")
        requests=$(sed -E 's/.*"requests":([0-9]+).*/\1/' <<< "$out")
        errors=$(sed -E 's/.*"err_status":([0-9]+).*/\1/' <<< "$out")
        echo "round=$round bin=$dir $case saturation requests=$requests non2xx=$errors cpu_us_per_request=$(( (after - before) * 1000000 / HZ / (requests > 0 ? requests : 1) ))"
      fi
    done
  done
done
