#!/usr/bin/env bash
# Starts the fake providers and the real gateway binary on free loopback ports, then runs the
# conformance tests (official Python SDKs) against the gateway.
# Usage: scripts/conformance.sh [LOGDIR [PYTEST-ARGS...]]
set -uo pipefail
cd "$(dirname "$0")/.."
LOGDIR=${1:-$(mktemp -d)}
mkdir -p "$LOGDIR"
shift || true
SWIFT=${SWIFT:-swift}
# Always (re)build the binaries under test: a stale .build must never be what is tested.
for product in switchyard switchyard-fake-providers; do
  "$SWIFT" build --product "$product" || { echo "build of $product failed"; exit 1; }
done
BIN=$("$SWIFT" build --show-bin-path) || exit 1

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done; }
trap cleanup EXIT

# Waits (up to 60 s) for a process's log to contain a line matching a pattern; prints the match.
await_line() {
  local file=$1 pattern=$2
  for _ in $(seq 1 600); do
    if line=$(grep -Eo "$pattern" "$file" 2>/dev/null | head -1) && [ -n "$line" ]; then echo "$line"; return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for '$pattern' in $file" >&2; cat "$file" >&2; return 1
}

"$BIN/switchyard-fake-providers" --port 0 > "$LOGDIR/fake.log" 2>&1 &
pids+=($!)
FAKE=$(await_line "$LOGDIR/fake.log" "http://127.0.0.1:[0-9]+") || exit 1

MASTER=sk-conformance-master
cat > "$LOGDIR/gateway.yaml" <<YAML
server: { listen: "127.0.0.1:0", master_key: "$MASTER" }
providers:
  openai: { api_key: sk-fake-openai, base_url: "$FAKE/openai/v1" }
  mistral: { api_key: fake-mistral, base_url: "$FAKE/mistral/v1" }
  groq: { api_key: fake-groq, base_url: "$FAKE/groq/v1" }
  deepseek: { api_key: fake-deepseek, base_url: "$FAKE/deepseek/v1" }
  azure: { kind: azure-openai, api_key: fake-azure, api_version: "2024-10-21", base_url: "$FAKE/azure-openai" }
  flaky: { kind: openai, api_key: k, base_url: "$FAKE/openai/status=500/v1" }
  limited: { kind: openai, api_key: k, base_url: "$FAKE/openai/status=429,retry_after=none/v1" }
  anthropic: { api_key: sk-ant-fake, base_url: "$FAKE/anthropic" }
  gemini: { api_key: fake-gemini, base_url: "$FAKE/gemini/v1beta" }
  bedrock: { api_key: fake-bedrock-key, region: us-east-1, base_url: "$FAKE/bedrock" }
  cohere: { api_key: fake-cohere, base_url: "$FAKE/cohere" }
  openai-spaced: { kind: openai, api_key: sk-fake-openai, base_url: "$FAKE/openai/json=spaced/v1" }
  groq-spaced: { kind: groq, api_key: fake-groq, base_url: "$FAKE/groq/json=spaced/v1" }
  deepseek-spaced: { kind: deepseek, api_key: fake-deepseek, base_url: "$FAKE/deepseek/json=spaced/v1" }
  mistral-spaced: { kind: mistral, api_key: fake-mistral, base_url: "$FAKE/mistral/json=spaced/v1" }
  openai-multiline: { kind: openai, api_key: sk-fake-openai, base_url: "$FAKE/openai/json=multiline/v1" }
models:
  - name: support-bot
    to: flaky/gpt-4o-mini
    fallbacks: [openai/gpt-4o-mini]
  - name: corp-gpt
    to: azure/gpt4o-deployment
YAML
"$BIN/switchyard" check --config "$LOGDIR/gateway.yaml" || exit 1
"$BIN/switchyard" serve --config "$LOGDIR/gateway.yaml" > "$LOGDIR/gateway.log" 2>&1 &
pids+=($!)
GATEWAY=$(await_line "$LOGDIR/gateway.log" "http://127.0.0.1:[0-9]+/v1") || exit 1

SWITCHYARD_URL=$GATEWAY SWITCHYARD_KEY=$MASTER FAKE_URL=$FAKE SWITCHYARD_BIN="$BIN/switchyard" \
  .venv/bin/python -m pytest -q -p no:cacheprovider --timeout=120 "$@" tests/conformance 2>&1
