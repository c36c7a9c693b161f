#!/usr/bin/env bash
# The store under load (issue 13): fills a store with ROWS synthetic spend rows through the real
# background writer (`switchyard bench-store`: the writer's rate), then times
# `GET /admin/spend?group_by=model,day` through a running gateway on that store — on SQLite and on
# PostgreSQL (a throwaway server from scripts/postgres.sh).
#   bench/spend.sh [ROWS]        (default 1000000; release builds: swift build -c release --product switchyard)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
BIN=${BIN:-.build/release/switchyard}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-spend.XXXXXX")
PG=""
cleanup() {
  [ -n "${GW:-}" ] && kill "$GW" 2>/dev/null && wait "$GW" 2>/dev/null
  [ -n "$PG" ] && scripts/postgres.sh stop "${PG%% *}"
  rm -rf "$WORK"
}
trap cleanup EXIT

measure() {
  local name=$1 store=$2
  local config="$WORK/$name.yaml"
  printf 'server: { listen: "127.0.0.1:0", master_key: "sk-bench" }\nstore: %s\n' "$store" > "$config"
  echo "== $name: $ROWS rows over 30 days"
  "$BIN" bench-store --config "$config" --rows "$ROWS" --days 30 | sed 's/^/   /'
  echo "   live rate (rows all of this hour, 200,000 of them):"
  "$BIN" bench-store --config "$config" --rows 200000 --days 0 | grep -E "rate|elapsed" | sed 's/^/     /'
  "$BIN" serve --config "$config" > "$WORK/$name.log" 2>&1 &
  GW=$!
  local url=""
  for _ in $(seq 1 300); do
    url=$(grep -Eo "http://127.0.0.1:[0-9]+" "$WORK/$name.log" | head -1 || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  local times=()
  for _ in 1 2 3 4 5 6 7; do
    times+=("$(curl -s -o "$WORK/answer.json" -w '%{time_total}' -H 'authorization: Bearer sk-bench' "$url/admin/spend?group_by=model,day")")
  done
  python3 - "$WORK/answer.json" "${times[@]}" <<'PY'
import json, statistics, sys
answer = json.load(open(sys.argv[1]))
times = sorted(float(t) * 1000 for t in sys.argv[2:])
print(f"   GET /admin/spend?group_by=model,day: {len(answer['data'])} groups, {answer['total']['requests']} requests;"
      f" median {statistics.median(times):.1f} ms, max {max(times):.1f} ms over {len(times)} calls")
PY
  kill "$GW"; wait "$GW" 2>/dev/null || true; GW=""
}

measure sqlite "{ sqlite: \"$WORK/spend.db\" }"
PG=$(scripts/postgres.sh start)
PGURL=${PG#* }
psql "$PGURL" -q -c "CREATE DATABASE spend_bench"
measure postgres "{ postgres: \"${PGURL%/*}/spend_bench\" }"
