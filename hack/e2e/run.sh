#!/usr/bin/env bash
# `make e2e`: start the plane (hack/e2e/cluster-up.sh), run the e2e Go tests (test/e2e, build tag
# e2e) against it, and stop the plane again, also when a step fails. Prints which step failed and
# where the component logs are; prints the measured start-up and wall times at the end.
set -uo pipefail
# shellcheck source=hack/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
GO="${GO:-go}"
T0=$(date +%s)
mkdir -p "$E2E_DIR"

down() {
  "$REPO_ROOT/hack/e2e/cluster-down.sh" || echo "[e2e] WARNING: cluster-down failed" >&2
}
trap down EXIT
trap 'exit 130' INT TERM

log "step 1/3: cluster-up"
if ! "$REPO_ROOT/hack/e2e/cluster-up.sh"; then
  echo "[e2e] FAILED: step cluster-up (component logs: $LOGS/)" >&2
  exit 1
fi

log "step 2/3: e2e tests (go test -tags e2e ./test/e2e/, timeout ${E2E_TIMEOUT:-75m})"
args=(test -tags e2e -count=1 -timeout "${E2E_TIMEOUT:-75m}" -v)
[ -z "${E2E_RUN:-}" ] || args+=(-run "$E2E_RUN")
args+=(./test/e2e/)
T1=$(date +%s)
(cd "$REPO_ROOT" && E2E_DIR="$E2E_DIR" nice -n 5 "$GO" "${args[@]}") 2>&1 | tee "$E2E_DIR/e2e-test.log"
rc=${PIPESTATUS[0]}
T2=$(date +%s)

log "step 3/3: cluster-down"
trap - EXIT
down

echo
echo "=== e2e summary ==="
grep -E '^(=== RUN|--- (PASS|FAIL|SKIP)|    --- (PASS|FAIL|SKIP)|ok |FAIL|PASS$)' "$E2E_DIR/e2e-test.log" | grep -v '^=== RUN' || true
echo "plane start: $(cat "$E2E_DIR/plane-start-seconds" 2>/dev/null || echo '?')s; tests: $((T2 - T1))s; make e2e wall (after tools): $(($(date +%s) - T0))s"
echo "logs: test output $E2E_DIR/e2e-test.log; components $LOGS/"
if [ "$rc" -ne 0 ]; then
  echo "[e2e] FAILED: step e2e tests (exit $rc); the failing tests are marked --- FAIL above; component logs: $LOGS/" >&2
  exit "$rc"
fi
echo "[e2e] OK"
