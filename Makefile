# Every task a person runs on Flotilla. `make help` lists them.
SHELL := /bin/bash
GO ?= go
GOTESTFLAGS ?=

.PHONY: help deps generate check-generated test lint bench bench-helm check ci
help: ## list targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

generate: ## regenerate charts/ and schemas/ from the Go sources
	$(GO) run ./cmd/flotilla generate

check-generated: ## fail when committed charts/ or schemas/ drift from the Go sources
	$(GO) run ./cmd/flotilla generate --check

test: ## unit and integration tests (real PostgreSQL, helm's engine); pkg/render again under -race
	$(GO) test $(GOTESTFLAGS) ./...
	$(GO) test -race $(GOTESTFLAGS) ./pkg/render/

lint: ## go vet + gofmt + generated-file drift
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(MAKE) check-generated

bench: ## render benchmarks
	$(GO) test -run '^$$' -bench . -benchmem ./pkg/render/

BENCH_HELM_COUNT ?= 3
bench-helm: ## ours vs peer charts under Helm's engine (FLOTILLA_PEER_HELMFORGE_FLOWISE, FLOTILLA_PEER_FLAGSMITH; HELM adds helm template)
	$(GO) test -run '^$$' -v -bench . -benchtime 3s -count $(BENCH_HELM_COUNT) ./test/helmbench/

deps: ## install the Debian packages the tests need (PostgreSQL, yamllint, ...)
	hack/deps.sh

check: lint test ## lint + unit and integration tests

ci: deps check e2e runtime ## what CI runs: dependencies, lint, tests, e2e, the real Flowise (runtime)

# --- companion binary (issue 3) ---
.PHONY: hook image bench-prune
HOOK_VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
HOOK_LDFLAGS := -s -w
HOOK_BUILD = CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(HOOK_LDFLAGS)"
IMAGE ?=
BENCH_PRUNE_N ?=

hook: ## static flotilla-hook binary in build/bin
	$(HOOK_BUILD) -o build/bin/flotilla-hook ./cmd/flotilla-hook

image: ## multi-arch OCI image of flotilla-hook in build/image/flotilla-hook; IMAGE=registry/repo:tag also pushes
	$(GO) run ./hack/image --out build/image/flotilla-hook --version $(HOOK_VERSION) \
		--revision "$$(git rev-parse HEAD 2>/dev/null)" $(if $(IMAGE),--push $(IMAGE))

bench-prune: ## cache prune benchmark vs the DROP TABLE floor (N=1,000 and 10,000; BENCH_PRUNE_N=100000 for more)
	BENCH_PRUNE_N=$(BENCH_PRUNE_N) $(GO) test -run '^$$' -bench BenchmarkPrune -benchtime 1x -timeout 2h ./pkg/cachepruner/

# --- backups (issue 13) ---
.PHONY: bench-backup
BENCH_BACKUP_MB ?=
bench-backup: ## backup wall time vs pg_dump -Fc > /dev/null, and flotilla-hook's peak RSS (BENCH_BACKUP_MB, default 1024)
	BENCH_BACKUP_MB=$(BENCH_BACKUP_MB) $(GO) test -run '^$$' -bench BenchmarkBackup -benchtime 1x -timeout 2h ./cmd/flotilla-hook/

# --- e2e harness (issue 4) ---
# A real control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok) and an OCI
# registry on 127.0.0.1, built from Go modules; see test/e2e/README.md.
E2E_DIR ?= build/e2e
E2E_TIMEOUT ?= 75m
E2E_RUN ?=
.PHONY: tools cluster-up cluster-down e2e
tools: ## build etcd, kube-*, kubectl, kwok, helm, ct, registry once (cached in ~/.cache/flotilla/bin/<key>)
	nice -n 10 hack/tools/build.sh
cluster-up: tools ## start the local e2e plane + registry (idempotent); kubeconfig in build/e2e/kubeconfig
	E2E_DIR=$(E2E_DIR) hack/e2e/cluster-up.sh
cluster-down: ## stop the local e2e plane (only the PIDs cluster-up recorded)
	E2E_DIR=$(E2E_DIR) hack/e2e/cluster-down.sh
e2e: tools ## tools + cluster-up + e2e tests (every chart via helm install oci://, ct) + cluster-down
	E2E_DIR=$(E2E_DIR) E2E_TIMEOUT=$(E2E_TIMEOUT) E2E_RUN='$(E2E_RUN)' GO=$(GO) hack/e2e/run.sh

# --- release (issue 12) ---
# One command publishes the flotilla-hook image and every chart, pinned to each other and signed.
# Keys come from the environment (FLOTILLA_PGP_KEYRING, FLOTILLA_PGP_KEY, FLOTILLA_PGP_PASSPHRASE,
# FLOTILLA_PGP_KEY_URL, FLOTILLA_COSIGN_KEY, COSIGN_PASSWORD); see README "Releasing".
REGISTRY ?=
VERSION ?=
RELEASE_FLAGS ?=
.PHONY: release
release: ## publish image + signed charts: make release REGISTRY=ghcr.io/flotilla VERSION=0.1.0 [RELEASE_FLAGS=--plain-http]
	@test -n "$(REGISTRY)" && test -n "$(VERSION)" || { echo "usage: make release REGISTRY=host/namespace VERSION=x.y.z [RELEASE_FLAGS=...]" >&2; exit 2; }
	$(GO) run ./cmd/flotilla release --registry $(REGISTRY) --version $(VERSION) $(RELEASE_FLAGS)

# --- runtime suite (issue 10) ---
# The real Flowise (npm package at the chart's appVersion) started from every example's rendered
# Deployment as local processes, against PostgreSQL, redis-server and an S3 server on 127.0.0.1;
# see test/runtime/README.md.
RUNTIME_TIMEOUT ?= 40m
RUNTIME_RUN ?=
RUNTIME_PARALLEL ?= 3
.PHONY: flowise-install runtime
flowise-install: ## install the pinned flowise npm package into ~/.cache/flotilla/flowise (cold ~11 min, then instant)
	hack/runtime/install-flowise.sh
runtime: flowise-install ## run the real Flowise from every example's rendered pods (test/runtime)
	$(GO) test -tags runtime -count=1 -timeout $(RUNTIME_TIMEOUT) -parallel $(RUNTIME_PARALLEL) -v $(if $(RUNTIME_RUN),-run '$(RUNTIME_RUN)') ./test/runtime/
