#!/usr/bin/env bash
# Stop the e2e plane started by hack/e2e/cluster-up.sh: only the processes whose PIDs it
# recorded under $E2E_DIR/pids (and only while they still run the binary we started), in
# reverse start order. Keeps logs/ and pki/; removes etcd and registry data and cluster.env.
# Idempotent: stopping a stopped plane is fine.
set -euo pipefail
# shellcheck source=hack/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
CURRENT_STEP="cluster-down"
[ -d "$PIDS" ] || { log "no plane recorded under $E2E_DIR: nothing to stop"; exit 0; }
stop_all
rm -rf "$E2E_DIR/etcd" "$E2E_DIR/registry" "$ENV_FILE"
log "plane stopped; component logs kept in $LOGS/"
