// Package e2e holds the end-to-end tests of Flotilla's charts against a real kube-apiserver and a
// real OCI registry on 127.0.0.1 (see README.md). The tests carry the build tag `e2e` and need
// the plane started by `make cluster-up`; run them with `make e2e`.
package e2e
