#!/usr/bin/env bash
# Regenerate the tools modules (hack/tools/{k8s,etcd,ct}/go.mod + go.sum) from versions.env.
# Run by hand after changing versions.env; the modules are committed so builds are reproducible.
# These modules are separate from the project's go.mod so it stays lean.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=/dev/null
. ./versions.env

# k8s.io/kubernetes replaces its staging modules with ./staging/...; a consumer must replace
# each of them with the published version. List = kubernetes' own go.mod replace block (the
# sample-* modules are not published).
STAGING=(api apimachinery apiextensions-apiserver apiserver cli-runtime client-go cloud-provider
  cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api
  cri-client cri-streaming csi-translation-lib dynamic-resource-allocation endpointslice
  externaljwt kms kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl
  kubelet metrics mount-utils pod-security-admission streaming)

gen_k8s() {
  rm -f k8s/go.mod k8s/go.sum
  (cd k8s && go mod init flotilla.local/hack/tools/k8s >/dev/null 2>&1 &&
    go mod edit -go=1.26 -require="k8s.io/kubernetes@${K8S_VERSION}" &&
    for m in "${STAGING[@]}"; do go mod edit -replace="k8s.io/${m}=k8s.io/${m}@${K8S_STAGING_VERSION}"; done &&
    go mod tidy)
}
gen_etcd() {
  rm -f etcd/go.mod etcd/go.sum
  (cd etcd && go mod init flotilla.local/hack/tools/etcd >/dev/null 2>&1 &&
    go mod edit -go=1.26 &&
    for m in server/v3 api/v3 client/pkg/v3 client/v3 pkg/v3; do go mod edit -require="go.etcd.io/etcd/${m}@${ETCD_VERSION}"; done &&
    go mod tidy)
}
gen_ct() {
  rm -f ct/go.mod ct/go.sum
  (cd ct && go mod init flotilla.local/hack/tools/ct >/dev/null 2>&1 &&
    go mod edit -go=1.26 -require="github.com/helm/chart-testing/v3@${CT_VERSION}" &&
    go mod tidy)
}
gen_k8s & p1=$!
gen_etcd & p2=$!
gen_ct & p3=$!
rc=0
wait $p1 || { echo "gen-modules: k8s module failed" >&2; rc=1; }
wait $p2 || { echo "gen-modules: etcd module failed" >&2; rc=1; }
wait $p3 || { echo "gen-modules: ct module failed" >&2; rc=1; }
exit $rc
