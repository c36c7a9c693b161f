#!/usr/bin/env bash
# The whole test suite: Swift unit + integration tests, then conformance tests that drive the real
# gateway binary with the official OpenAI Python SDK. Installs what it needs; ends with
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-test.XXXXXX")

scripts/install-deps.sh || { echo "dependency installation failed"; echo "0 passed, 1 failed"; exit 1; }

echo "== swift build"
if ! swift build --build-tests 2>&1 | tee "$LOGDIR/build.log" | grep -E "error:|warning:.*Sources/|warning:.*Tests/" ; then :; fi
if [ "${PIPESTATUS[0]}" -ne 0 ]; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

echo "== swift test"
swift test --skip-build 2>&1 | tee "$LOGDIR/swift-test.log" | grep -E "^(✘|✔ Test run|✘ Test run)|error:" || true
swift_status=${PIPESTATUS[0]}
swift_total=$(grep -E "Test run with [0-9]+ tests? " "$LOGDIR/swift-test.log" | tail -1 | sed -E 's/.*Test run with ([0-9]+) tests?.*/\1/')
swift_total=${swift_total:-0}
swift_failed=$(grep -E "^✘ Test [^r].* (failed|recorded)" "$LOGDIR/swift-test.log" | sed -E 's/^✘ Test ([^ (]+).*/\1/' | sort -u | wc -l)
if [ "$swift_status" -ne 0 ] && [ "$swift_failed" -eq 0 ]; then swift_failed=1; fi
swift_passed=$((swift_total - swift_failed))
[ "$swift_passed" -lt 0 ] && swift_passed=0

echo "== conformance (official openai SDK against the gateway)"
scripts/conformance.sh "$LOGDIR" 2>&1 | tee "$LOGDIR/conformance.log"
conf_passed=$(grep -Eo "[0-9]+ passed" "$LOGDIR/conformance.log" | tail -1 | grep -Eo "[0-9]+" || echo 0)
conf_failed=$(grep -Eo "[0-9]+ (failed|error|errors)" "$LOGDIR/conformance.log" | tail -1 | grep -Eo "[0-9]+" || echo 0)
if ! grep -qE "[0-9]+ passed" "$LOGDIR/conformance.log"; then conf_failed=$((conf_failed > 0 ? conf_failed : 1)); fi

passed=$((swift_passed + conf_passed))
failed=$((swift_failed + conf_failed))
echo
echo "swift tests: $swift_passed passed, $swift_failed failed; conformance: $conf_passed passed, $conf_failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
