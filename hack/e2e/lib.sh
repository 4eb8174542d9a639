# Shared by hack/e2e/cluster-up.sh and cluster-down.sh. Sourced, not run.
# Everything the plane creates lives under $E2E_DIR (default <repo>/build/e2e):
#   pki/ etcd/ registry/ logs/<component>.log pids/<component>.pid kubeconfig cluster.env
# Processes are started by us in their own session and stopped by the PID we recorded,
# after checking that the PID still runs the binary we started (no broad kills).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E_DIR="${E2E_DIR:-$REPO_ROOT/build/e2e}"
case "$E2E_DIR" in /*) ;; *) E2E_DIR="$REPO_ROOT/$E2E_DIR" ;; esac
PIDS="$E2E_DIR/pids"
LOGS="$E2E_DIR/logs"
KUBECONFIG_FILE="$E2E_DIR/kubeconfig"
ENV_FILE="$E2E_DIR/cluster.env"
# Components in start order; stopped in reverse.
COMPONENTS=(registry etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

log() { echo "[e2e $(date -u +%H:%M:%S)] $*" >&2; }
die() {
  echo "[e2e] FAILED at step: $CURRENT_STEP: $*" >&2
  echo "[e2e] component logs: $LOGS/" >&2
  exit 1
}
CURRENT_STEP="init"
step() { CURRENT_STEP="$*"; log "$*"; }

# pid_alive COMPONENT -> 0 when the recorded PID runs our binary for that component.
pid_alive() {
  local f="$PIDS/$1.pid" pid exe
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
  [ "$(basename "${exe% (deleted)}")" = "$(bin_name "$1")" ]
}
bin_name() { echo "$1"; }

stop_component() {
  local c="$1" f="$PIDS/$1.pid" pid i
  if pid_alive "$c"; then
    pid="$(cat "$f")"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$c (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $c (pid $pid)"
  elif [ -f "$f" ]; then
    log "$c: recorded pid $(cat "$f") is not running our $c; nothing to stop"
  fi
  rm -f "$f"
}

stop_all() {
  local i
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do stop_component "${COMPONENTS[$i]}"; done
}
