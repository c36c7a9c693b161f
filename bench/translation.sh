#!/usr/bin/env bash
# Translation overhead: the same OpenAI-client stream at the same fixed rate, once passed through to an
# OpenAI-dialect provider and once translated to an Anthropic provider (both fakes, same process).
# Uses ../shared/bench's fixed-rate client. Usage: bench/translation.sh [RATE] [DURATION]
# Needs release builds: swift build -c release --product switchyard && swift build -c release --product switchyard-fake-providers
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-20}
DURATION=${2:-20}
BIN=${BIN:-$(swift build -c release --show-bin-path)}
BENCH=${BENCH:-../shared/bench}
PY=${PY:-${BENCH_HOME:-/tmp/litellm-bench}/venv/bin/python}
WORK=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
await_line() { for _ in $(seq 1 300); do grep -Eo "$2" "$1" 2>/dev/null | head -1 && return 0; sleep 0.1; done; return 1; }

taskset -c 0 "$BIN/switchyard-fake-providers" --port 0 > "$WORK/fake.log" 2>&1 &
pids+=($!)
FAKE=$(await_line "$WORK/fake.log" "http://127.0.0.1:[0-9]+")
cat > "$WORK/gw.yaml" <<YAML
server: { listen: "127.0.0.1:0", master_key: "sk-bench" }
providers:
  openai: { api_key: k, base_url: "$FAKE/openai/chunks=15/v1" }
  anthropic: { api_key: k, base_url: "$FAKE/anthropic/chunks=15" }
YAML
LOG_LEVEL=warning taskset -c 1 "$BIN/switchyard" serve --config "$WORK/gw.yaml" > "$WORK/gw.log" 2>&1 &
pids+=($!)
GW=$(await_line "$WORK/gw.log" "http://127.0.0.1:[0-9]+/v1")

for model in openai/gpt-4o-mini anthropic/claude-sonnet-4-5; do
  printf '{"model":"%s","messages":[{"role":"user","content":"Say hello in one short sentence."}],"max_tokens":64,"stream":true,"stream_options":{"include_usage":true}}' "$model" > "$WORK/body.json"
  # warm-up, then the measured run
  taskset -c 0 "$PY" "$BENCH/lib/rate_client.py" --url "$GW/chat/completions" --body-file "$WORK/body.json" --key sk-bench --rate "$RATE" --duration 3 > /dev/null
  echo "$model $(taskset -c 0 "$PY" "$BENCH/lib/rate_client.py" --url "$GW/chat/completions" --body-file "$WORK/body.json" --key sk-bench --rate "$RATE" --duration "$DURATION" | grep BENCHJSON)"
done
