#!/usr/bin/env bash
# The whole test suite: Swift unit + integration tests, then conformance tests that drive the real
# gateway binary with the official Python SDKs. Installs what it needs; ends with
# "N passed, N failed".
#
# Honesty rules (issue 11 §0): the counts come from the runners' own result files (Swift Testing's
# and XCTest's --xunit-output, pytest's --junitxml), never from grepping their console output; a
# build failure, a crash, a timeout, a missing result file or a non-zero runner exit each count as
# a failure and make this script exit non-zero; every step runs under a time limit.
set -uo pipefail
cd "$(dirname "$0")/.."
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-test.XXXXXX")
SWIFT=${SWIFT:-swift}
INSTALL_TIMEOUT=${SWITCHYARD_INSTALL_TIMEOUT:-900}
BUILD_TIMEOUT=${SWITCHYARD_BUILD_TIMEOUT:-2400}
SWIFT_TEST_TIMEOUT=${SWITCHYARD_SWIFT_TEST_TIMEOUT:-1200}
CONFORMANCE_TIMEOUT=${SWITCHYARD_CONFORMANCE_TIMEOUT:-1200}

passed=0
failed=0
problems=()

# Records one failure that no runner counted (a build that failed, a runner that crashed or hung).
step_failed() {
  failed=$((failed + 1))
  problems+=("$1")
  echo "!! $1"
}

# Runs a command under a time limit, its output to a log; returns the command's status
# (124 when the time limit stopped it, 128+N when signal N ended it).
run_limited() {
  local limit=$1 log=$2
  shift 2
  timeout --kill-after=30 "$limit" "$@" >"$log" 2>&1
}

describe_status() {
  case $1 in
    124) echo "timed out" ;;
    137) echo "killed after its time limit" ;;
    *) if [ "$1" -gt 128 ]; then echo "ended by signal $(($1 - 128)) ($(kill -l $(($1 - 128)) 2>/dev/null || echo '?'))"; else echo "exited with status $1"; fi ;;
  esac
}

# Adds a runner's result files to the totals; $1 names the runner, $2 its exit status.
count_results() {
  local runner=$1 status=$2
  shift 2
  local summary counts p f
  summary=$(python3 scripts/junit-summary.py "$@")
  counts=$(head -1 <<<"$summary")
  read -r p f _ <<<"$counts"
  tail -n +2 <<<"$summary"
  echo "$runner: $p passed, $f failed"
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    step_failed "$runner $(describe_status "$status") but its results name no failing test"
  elif [ "$status" -ne 0 ]; then
    problems+=("$runner $(describe_status "$status")")
  elif [ "$status" -eq 0 ] && [ "$f" -gt 0 ]; then
    step_failed "$runner exited 0 although its results hold $f failure(s)"
  fi
  if [ "$status" -eq 0 ] && [ "$p" -eq 0 ]; then
    step_failed "$runner ran no tests"
  fi
}

echo "== dependencies"
run_limited "$INSTALL_TIMEOUT" "$LOGDIR/install.log" scripts/install-deps.sh
status=$?
if [ "$status" -ne 0 ]; then
  tail -20 "$LOGDIR/install.log"
  step_failed "dependency installation $(describe_status "$status")"
fi

echo "== postgresql (a throwaway server for the store tests)"
PG_DIR=""
if pg=$(scripts/postgres.sh start 2>"$LOGDIR/postgres.log"); then
  PG_DIR=${pg%% *}
  export SWITCHYARD_TEST_POSTGRES=${pg#* }
  trap 'scripts/postgres.sh stop "$PG_DIR"' EXIT
  echo "running on ${SWITCHYARD_TEST_POSTGRES}"
else
  cat "$LOGDIR/postgres.log"
  step_failed "the PostgreSQL server for the store tests did not start"
fi

echo "== swift build"
run_limited "$BUILD_TIMEOUT" "$LOGDIR/build.log" "$SWIFT" build --build-tests
build_status=$?
grep -E "error:|warning:.*(Sources|Tests)/" "$LOGDIR/build.log" | sort -u | head -50
if [ "$build_status" -ne 0 ]; then
  tail -30 "$LOGDIR/build.log"
  step_failed "swift build $(describe_status "$build_status")"
fi

if [ "$build_status" -eq 0 ]; then
  echo "== swift test"
  rm -f "$LOGDIR"/swift*.xml
  run_limited "$SWIFT_TEST_TIMEOUT" "$LOGDIR/swift-test.log" \
    "$SWIFT" test --skip-build --parallel --xunit-output "$LOGDIR/swift.xml"
  test_status=$?
  grep -E "^(✘|✔ Test run|✘ Test run)|error:|Fatal error|Crash" "$LOGDIR/swift-test.log" | head -80
  # SwiftPM writes XCTest's results to the named file and Swift Testing's beside it with
  # "-swift-testing" before the extension. Swift Testing's file must exist (the suite's tests are
  # Swift Testing); XCTest's is counted when present.
  results=("$LOGDIR/swift-swift-testing.xml")
  [ -s "$LOGDIR/swift.xml" ] && results+=("$LOGDIR/swift.xml")
  if [ "$test_status" -ne 0 ]; then tail -40 "$LOGDIR/swift-test.log"; fi
  count_results "swift test" "$test_status" "${results[@]}"
else
  step_failed "swift tests not run: the build failed"
fi

if [ "$build_status" -eq 0 ]; then
  echo "== conformance (official Python SDKs against the gateway binary)"
  run_limited "$CONFORMANCE_TIMEOUT" "$LOGDIR/conformance.log" \
    env SWIFT="$SWIFT" scripts/conformance.sh "$LOGDIR" --junitxml="$LOGDIR/conformance.xml"
  conf_status=$?
  grep -E "passed|failed|FAILED|ERROR|error" "$LOGDIR/conformance.log" | tail -40
  if [ "$conf_status" -ne 0 ]; then tail -40 "$LOGDIR/conformance.log"; fi
  count_results "conformance" "$conf_status" "$LOGDIR/conformance.xml"
else
  step_failed "conformance not run: the build failed"
fi

echo
echo "logs: $LOGDIR"
for problem in "${problems[@]}"; do echo "problem: $problem"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
