#!/usr/bin/env bash
# Start a local Kubernetes control plane and an OCI registry on 127.0.0.1, for the e2e tests.
#   etcd, kube-apiserver (RBAC + PodSecurity admission), kube-controller-manager, kube-scheduler,
#   kwok (one fake node; stages make pods Ready, Job pods and helm hook/test pods Succeeded),
#   a default StorageClass with a pool of static PersistentVolumes (there is no provisioner),
#   and a distribution registry on a free loopback port.
# Idempotent: when everything recorded under $E2E_DIR is already running and healthy it does
# nothing; otherwise it stops only the processes it recorded (by PID) and starts afresh.
# Writes $E2E_DIR/kubeconfig and $E2E_DIR/cluster.env (KUBECONFIG, E2E_REGISTRY, TOOLS_BIN, ...).
# Never reads or writes ~/.kube. Binaries: $TOOLS_BIN, default: the `make tools` cache dir.
set -euo pipefail
# shellcheck source=hack/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
T_START=$(date +%s.%N)

TOOLS_BIN="${TOOLS_BIN:-$("$REPO_ROOT/hack/tools/build.sh" --print-bin)}"
PV_COUNT="${E2E_PV_COUNT:-80}"
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok registry helm; do
  [ -x "$TOOLS_BIN/$b" ] || { CURRENT_STEP="find tools"; die "$TOOLS_BIN/$b missing: run 'make tools' first"; }
done
KUBECTL=("$TOOLS_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE")
mkdir -p "$E2E_DIR" "$PIDS" "$LOGS"

healthy() {
  local c reg bin
  for c in "${COMPONENTS[@]}"; do pid_alive "$c" || return 1; done
  [ -f "$ENV_FILE" ] && [ -f "$KUBECONFIG_FILE" ] || return 1
  reg="$(. "$ENV_FILE" && echo "$E2E_REGISTRY")" || return 1
  bin="$(. "$ENV_FILE" && echo "$TOOLS_BIN")" || return 1
  [ "$bin" = "$TOOLS_BIN" ] || { log "plane runs binaries from $bin, want $TOOLS_BIN: restarting"; return 1; }
  "${KUBECTL[@]}" get --raw /readyz >/dev/null 2>&1 || return 1
  curl -fsS "http://$reg/v2/" >/dev/null 2>&1 || return 1
  E2E_REGISTRY="$reg"
}
if healthy; then
  log "plane already up (kubeconfig $KUBECONFIG_FILE, registry $E2E_REGISTRY): nothing to do"
  exit 0
fi

step "stop leftovers of an earlier run (recorded PIDs only)"
stop_all
rm -rf "$E2E_DIR/etcd" "$E2E_DIR/registry" "$ENV_FILE"
mkdir -p "$E2E_DIR/etcd" "$E2E_DIR/registry"
for c in "${COMPONENTS[@]}"; do
  if [ -f "$LOGS/$c.log" ]; then mv -f "$LOGS/$c.log" "$LOGS/$c.previous.log"; fi
done

# --- ports -----------------------------------------------------------------------------------
declare -A TAKEN=()
# free_port VAR: sets VAR to a loopback TCP port nothing listens on (and not given out before).
free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$((20000 + RANDOM % 20000))
    [ -z "${TAKEN[$p]:-}" ] || continue
    if [ -z "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ]; then
      TAKEN[$p]=1
      printf -v "$1" '%s' "$p"
      return 0
    fi
  done
  die "no free loopback port found"
}
step "pick free loopback ports"
for v in P_REG P_ETCD P_PEER P_API P_KCM P_SCHED P_KWOK; do free_port "$v"; done
REGISTRY="127.0.0.1:$P_REG"

# --- PKI (kept across restarts of the same build dir) -----------------------------------------
PKI="$E2E_DIR/pki"
gen_pki() {
  local d="$PKI"
  mkdir -p "$d"
  cd "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=flotilla-e2e-ca" 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -keyout front-proxy-ca.key -out front-proxy-ca.crt -days 3650 -subj "/CN=flotilla-e2e-front-proxy-ca" 2>/dev/null
  sign() { # name subject ca ext
    openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial -days 3650 \
      -extfile <(printf '%s\n' "$4" "keyUsage=critical,digitalSignature,keyEncipherment") -out "$1.crt" 2>/dev/null
    rm -f "$1.csr"
  }
  sign apiserver "/CN=kube-apiserver" ca \
    "subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage=serverAuth"
  sign admin "/O=system:masters/CN=flotilla-e2e-admin" ca "extendedKeyUsage=clientAuth"
  sign front-proxy-client "/CN=front-proxy-client" front-proxy-ca "extendedKeyUsage=clientAuth"
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  touch .complete
  cd - >/dev/null
}
step "certificates ($PKI)"
[ -f "$PKI/.complete" ] || { rm -rf "$PKI"; gen_pki || die "openssl failed"; }

step "kubeconfig ($KUBECONFIG_FILE)"
cat >"$KUBECONFIG_FILE.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: flotilla-e2e
  cluster:
    server: https://127.0.0.1:$P_API
    certificate-authority: $PKI/ca.crt
users:
- name: flotilla-e2e-admin
  user:
    client-certificate: $PKI/admin.crt
    client-key: $PKI/admin.key
contexts:
- name: flotilla-e2e
  context: {cluster: flotilla-e2e, user: flotilla-e2e-admin, namespace: default}
current-context: flotilla-e2e
EOF
mv -f "$KUBECONFIG_FILE.tmp" "$KUBECONFIG_FILE"
chmod 600 "$KUBECONFIG_FILE"

# start COMPONENT ARGS...: own session, log to $LOGS/COMPONENT.log, PID to $PIDS/COMPONENT.pid.
start() {
  local c="$1"; shift
  # setsid execs in place (we are not a process-group leader), so $! is the daemon's PID.
  setsid "$TOOLS_BIN/$c" "$@" >"$LOGS/$c.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$c.pid"
  sleep 0.2
  pid_alive "$c" || die "$c exited at once; see $LOGS/$c.log: $(tail -5 "$LOGS/$c.log")"
  log "started $c (pid $(cat "$PIDS/$c.pid"), log $LOGS/$c.log)"
}
# wait_for DESC SECONDS COMPONENT CMD...: polls CMD; fails early when COMPONENT died.
wait_for() {
  local desc="$1" secs="$2" c="$3" deadline
  shift 3
  deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ -z "$c" ] || pid_alive "$c" || die "$c died while waiting for $desc; last log lines:
$(tail -20 "$LOGS/$c.log")"
    [ $SECONDS -lt $deadline ] || die "timed out after ${secs}s waiting for $desc${c:+; last $c log lines:
$(tail -20 "$LOGS/$c.log")}"
    sleep 0.2
  done
}

# --- registry ----------------------------------------------------------------------------------
step "registry on $REGISTRY"
cat >"$E2E_DIR/registry-config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog: {disabled: true}
storage:
  filesystem: {rootdirectory: $E2E_DIR/registry}
  delete: {enabled: true}
http:
  addr: $REGISTRY
EOF
start registry serve "$E2E_DIR/registry-config.yml"
wait_for "registry /v2/" 30 registry curl -fsS "http://$REGISTRY/v2/"

# --- etcd --------------------------------------------------------------------------------------
step "etcd on 127.0.0.1:$P_ETCD"
start etcd --name=e2e --data-dir="$E2E_DIR/etcd" \
  --listen-client-urls="http://127.0.0.1:$P_ETCD" --advertise-client-urls="http://127.0.0.1:$P_ETCD" \
  --listen-peer-urls="http://127.0.0.1:$P_PEER" --initial-advertise-peer-urls="http://127.0.0.1:$P_PEER" \
  --initial-cluster="e2e=http://127.0.0.1:$P_PEER" --unsafe-no-fsync --log-level=warn
wait_for "etcd /health" 30 etcd curl -fsS "http://127.0.0.1:$P_ETCD/health"

# --- kube-apiserver ----------------------------------------------------------------------------
step "kube-apiserver on 127.0.0.1:$P_API"
start kube-apiserver \
  --etcd-servers="http://127.0.0.1:$P_ETCD" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$P_API" \
  --endpoint-reconciler-type=none \
  --cert-dir="$PKI/apiserver-certs" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range=10.96.0.0/16 \
  --authorization-mode=Node,RBAC \
  --enable-admission-plugins=NodeRestriction,PodSecurity \
  --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
  --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
  --profiling=false --v=1
wait_for "kube-apiserver /readyz" 90 kube-apiserver "${KUBECTL[@]}" get --raw /readyz

# --- controller-manager, scheduler -------------------------------------------------------------
# kwok run stand-alone renews no node Lease (its lease options stay 0 without a KwokConfiguration
# document), and its heartbeat stage runs every ~10 min: with the default 40 s grace period the
# node lifecycle controller marks the node NotReady every minute, taints it, and new pods (rollouts,
# hook Jobs) stall. A long grace period keeps the fake node Ready.
step "kube-controller-manager"
start kube-controller-manager \
  --kubeconfig="$KUBECONFIG_FILE" --authentication-kubeconfig="$KUBECONFIG_FILE" --authorization-kubeconfig="$KUBECONFIG_FILE" \
  --bind-address=127.0.0.1 --secure-port="$P_KCM" --cert-dir="$PKI/kcm-certs" \
  --leader-elect=false \
  --node-monitor-grace-period=24h \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --profiling=false --v=1
step "kube-scheduler"
start kube-scheduler \
  --kubeconfig="$KUBECONFIG_FILE" --authentication-kubeconfig="$KUBECONFIG_FILE" --authorization-kubeconfig="$KUBECONFIG_FILE" \
  --bind-address=127.0.0.1 --secure-port="$P_SCHED" --cert-dir="$PKI/scheduler-certs" \
  --leader-elect=false --profiling=false --v=1

# --- kwok + the fake node ----------------------------------------------------------------------
step "kwok (stages: hack/e2e/kwok-stages.yaml)"
start kwok --kubeconfig="$KUBECONFIG_FILE" --config="$REPO_ROOT/hack/e2e/kwok-stages.yaml" \
  --manage-all-nodes=true --node-ip=127.0.0.1 --cidr=10.0.0.0/24 \
  --server-address="127.0.0.1:$P_KWOK"
step "fake node kwok-node-0"
"${KUBECTL[@]}" apply -f - >/dev/null <<'EOF' || die "creating the fake node"
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations:
    node.alpha.kubernetes.io/ttl: "0"
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: kwok-node-0
    kubernetes.io/os: linux
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    type: kwok
status:
  allocatable: {cpu: "64", memory: 256Gi, pods: "1000", ephemeral-storage: 1Ti}
  capacity: {cpu: "64", memory: 256Gi, pods: "1000", ephemeral-storage: 1Ti}
EOF
node_ready() {
  [ "$("${KUBECTL[@]}" get node kwok-node-0 -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" = True ]
}
wait_for "node kwok-node-0 Ready" 60 kwok node_ready

# --- CRDs charts may use (Gateway API standard channel, from `make tools`) ------------------------
step "Gateway API CRDs ($TOOLS_BIN/crds)"
[ -d "$TOOLS_BIN/crds" ] || die "$TOOLS_BIN/crds missing: run 'make tools'"
"${KUBECTL[@]}" apply --server-side --force-conflicts -f "$TOOLS_BIN/crds/" >/dev/null || die "applying the Gateway API CRDs"
"${KUBECTL[@]}" wait --for condition=Established --timeout=60s -f "$TOOLS_BIN/crds/" >/dev/null || die "Gateway API CRDs not Established"

# --- storage (capacity is only a number here: nothing is written, so make every claim fit) ------
step "default StorageClass + $PV_COUNT static PersistentVolumes"
{
  cat <<'EOF'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: e2e-static
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
reclaimPolicy: Retain
EOF
  for i in $(seq -f '%03g' 1 "$PV_COUNT"); do
    cat <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: e2e-pv-$i
  labels: {flotilla.dev/e2e-pool: "true"}
spec:
  capacity: {storage: 100Ti}
  accessModes: [ReadWriteOnce, ReadOnlyMany, ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: e2e-static
  hostPath: {path: $E2E_DIR/pv/$i}
EOF
  done
} | "${KUBECTL[@]}" apply -f - >/dev/null || die "creating StorageClass/PVs"

step "wait for ServiceAccount default/default (created by the controller-manager)"
wait_for "serviceaccount default/default" 60 kube-controller-manager "${KUBECTL[@]}" -n default get serviceaccount default
pid_alive kube-scheduler || die "kube-scheduler died; last log lines:
$(tail -20 "$LOGS/kube-scheduler.log")"

cat >"$ENV_FILE" <<EOF
# written by hack/e2e/cluster-up.sh; source it to talk to the e2e plane
export KUBECONFIG=$KUBECONFIG_FILE
export E2E_REGISTRY=$REGISTRY
export TOOLS_BIN=$TOOLS_BIN
export E2E_DIR=$E2E_DIR
export E2E_APISERVER=https://127.0.0.1:$P_API
EOF
T_END=$(date +%s.%N)
ELAPSED=$(awk -v a="$T_START" -v b="$T_END" 'BEGIN{printf "%.1f", b-a}')
echo "$ELAPSED" >"$E2E_DIR/plane-start-seconds"
log "plane up in ${ELAPSED}s: apiserver https://127.0.0.1:$P_API, registry $REGISTRY, kubeconfig $KUBECONFIG_FILE, logs $LOGS/"
