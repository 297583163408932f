# The two commands a newcomer needs: `make run` (the whole system on the local stack) and `make test`.
# Tools are built from the Go module proxy into bin/ (ignored); data and logs live in .data/ (ignored).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
BIN := $(CURDIR)/bin

# The Temporal CLI (dev server 1.31.2, Web UI 2.50.1) is built from tools/temporal, a module of its own
# that pins the tag; its version is in the stamp's name, so a bump rebuilds it.
TEMPORAL_CLI_VERSION := 1.8.2
TEMPORAL_STAMP := $(BIN)/.temporal-v$(TEMPORAL_CLI_VERSION)
# Jaeger v2 (the OTLP receiver that keeps traces in the stack's Elasticsearch, and its query API) is
# built from tools/jaeger, a module of its own: its collector dependencies stay out of go.mod and tools/.
# The module ships no UI assets (its UI is a placeholder page): the stack's trace UI is Zipkin's.
# Cold (empty build cache, modules downloaded): 17m40s on a 2-core machine that others were loading
# (load average 8-17), 7m53s of CPU (6m31s user, 1m23s system); the binary is 121 MB.
JAEGER_VERSION := 1.76.0
JAEGER_STAMP := $(BIN)/.jaeger-v$(JAEGER_VERSION)
# The import linter (depguard, configured in .golangci.yml); the version is in the file name, so a bump
# rebuilds it.
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)

.PHONY: record-histories help run load test test-faults test-unit test-integration bench build tools stack-up stack-down stack-status clean-data fmt vet lint

help:
	@echo "make run          start the stack and both services (Ctrl-C stops everything it started)"
	@echo "make test         unit tests, a short fuzz run, then integration tests against the stack (started if needed)"
	@echo "make load         open-loop load against \`make run\` (another terminal) with the no-op ceiling beside it (LOAD_ARGS)"
	@echo "make lint         the import rules of DESIGN.md's layout (depguard, .golangci.yml)"
	@echo "make monitoring-check  Prometheus config, alert rules (promtool test rules) and the Grafana dashboard"
	@echo "make k8s-check    render the Kubernetes manifests (deploy/k8s) and check them, without a cluster"
	@echo "make fuzz         fuzz every request decoder and domain constructor for FUZZTIME (10000 inputs) each"
	@echo "make test-faults  orders under load while services are killed and servers restarted (a private stack)"
	@echo "make stack-up     start Temporal, FerretDB, RabbitMQ, Elasticsearch, Jaeger and Zipkin (each left alone if it already answers)"
	@echo "make stack-down   stop what this checkout started (by pid)"
	@echo "make clean-data   stop the stack and wipe .data/"

## ---- tools ------------------------------------------------------------------------------------------

tools: $(TEMPORAL_STAMP) $(BIN)/ferretdb $(BIN)/goreman $(JAEGER_STAMP)

$(TEMPORAL_STAMP): tools/temporal/go.mod tools/temporal/go.sum
	@echo "building the Temporal CLI v$(TEMPORAL_CLI_VERSION) (the first time takes several minutes)"
	cd tools/temporal && $(GO) build -o $(BIN)/temporal \
		-ldflags "-X github.com/temporalio/cli/internal/temporalcli.Version=$(TEMPORAL_CLI_VERSION)" \
		github.com/temporalio/cli/cmd/temporal
	touch $@

$(JAEGER_STAMP): tools/jaeger/go.mod tools/jaeger/go.sum
	@echo "building Jaeger v$(JAEGER_VERSION) (the first time takes several minutes)"
	cd tools/jaeger && $(GO) build -o $(BIN)/jaeger \
		-ldflags "-X github.com/jaegertracing/jaeger/internal/version.latestVersion=v$(JAEGER_VERSION)" \
		github.com/jaegertracing/jaeger/cmd/jaeger
	touch $@

# FerretDB and goreman come from tools/, a module of its own, so their dependencies stay out of go.mod.
$(BIN)/ferretdb: tools/go.mod tools/go.sum tools/ferretdb/main.go
	cd tools && $(GO) build -o $@ ./ferretdb

$(BIN)/goreman: tools/go.mod tools/go.sum
	cd tools && $(GO) build -o $@ github.com/mattn/goreman

# Built from the Go module proxy with its own go.mod's pins (go install @version), not from tools/: its
# two hundred dependencies would move FerretDB's there. Cold (empty module and build caches) 1.5 min;
# lint results are cached in ~/.cache/golangci-lint, so a warm `make lint` takes about a second.
$(GOLANGCI_LINT):
	@echo "building golangci-lint $(GOLANGCI_LINT_VERSION)"
	GOBIN=$(BIN)/.golangci-lint-build $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(BIN)/.golangci-lint-build/golangci-lint $@
	rmdir $(BIN)/.golangci-lint-build

build:
	$(GO) build -o $(BIN)/shop ./cmd/shop

## ---- the local stack --------------------------------------------------------------------------------

stack-up: tools
	scripts/stack.sh up

stack-down:
	scripts/stack.sh down

stack-status:
	scripts/stack.sh status

clean-data: stack-down
	rm -rf .data

## ---- run and test -----------------------------------------------------------------------------------

run: tools build
	scripts/run.sh

test: test-unit fuzz test-integration test-schemathesis

# Unit tests need no server.
test-unit: compose-check k8s-check lint
	$(GO) vet ./...
	$(GO) vet -tags integration ./...
	$(GO) vet -tags 'integration schemathesis' ./cmd/shop/
	$(GO) test -count=1 ./...

# A short fuzz run of every request decoder and domain constructor (Go fuzzes one target per
# invocation). Seeds live in each package's testdata/fuzz/<target>/; a failing input is written there
# too: commit it, and it stays a regression test of plain `go test`.
# A count, not a duration: with a duration, Go 1.26's fuzz coordinator can fail a target with a bare
# "context deadline exceeded" as the time runs out (golang/go#75804, fixed in Go 1.27; seen in CI here).
FUZZTIME ?= 10000x
FUZZ_TARGETS := \
	./domain:FuzzNewOrder ./domain:FuzzParseMoney ./domain:FuzzProductValidate ./domain:FuzzParseIdempotencyKey \
	./api/ordersapi:FuzzPlaceOrder ./api/ordersapi:FuzzListOrdersQuery \
	./api/inventoryapi:FuzzCreateProduct ./api/inventoryapi:FuzzPatchProduct ./api/inventoryapi:FuzzSetStock \
	./api/inventoryapi:FuzzListQuery

.PHONY: fuzz
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t##*:} ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$${t##*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}" || exit 1; \
	done

# Integration tests talk to the real servers of the stack; they fail (never skip) if it is not there.
test-integration: stack-up
	$(GO) test -count=1 -tags integration -timeout 20m ./...

# The fault suite (cmd/faultsuite): a private stack on other ports (the shared one is left alone),
# services killed with SIGKILL, each server restarted, the broker away longer than any step's timeout;
# then every order must have ended, stock must add up, every final event must be on the exchange.
test-faults: tools
	GO=$(GO) scripts/faults.sh $(FAULTS_ARGS)

# Schemathesis (pinned, installed from PyPI into bin/schemathesis-<version>) over every service's
# OpenAPI spec, against the services started as processes on ports, databases and queues of their own.
.PHONY: test-schemathesis
test-schemathesis: stack-up
	scripts/schemathesis.sh

# Open-loop load against a system started with `make run` in another terminal, and the Temporal dev
# server's ceiling for a no-op saga in the same run (cmd/loadgen): report.json and plot.svg go to
# .data/load/<timestamp>/. LOAD_ARGS passes flags, e.g. LOAD_ARGS='-mix hot -step-for 30s'.
LOAD_ARGS ?=
load:
	$(GO) run ./cmd/loadgen $(LOAD_ARGS)

bench: stack-up
	$(GO) test -tags integration -run '^$$' -bench . -benchtime 3s ./...

# Record the saga's histories (workflows/testdata/) for the replay test, on the local stack. Only for a
# new path or a new version: HISTORY_VERSION=v2 make record-histories.
record-histories: stack-up
	cd workflows && HISTORY_VERSION=$${HISTORY_VERSION:?set HISTORY_VERSION, e.g. v2} $(GO) test -tags record -count=1 -run TestRecordHistories .

# Which package may import which (DESIGN.md's layout), tests and build-tagged files included.
lint: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# docker-compose.yml and the Dockerfile, checked without a Docker engine (none runs here): compose-go
# (Docker Compose v2's loader, with the Compose Specification schema) loads the file and the test asserts
# services, images, health checks, start order, ports and environment; the Dockerfile is parsed with
# BuildKit's parser and its build stage's `go build` runs on the host. A module of its own, like tools/.
# (Debian's docker-compose 1.29 is not used: it rejects `configs: content:` and top-level `name:`.)
.PHONY: compose-check
compose-check: monitoring-check
	cd deploy/composetest && $(GO) test -count=1 ./...

# Prometheus's configuration and alert rules, and the Grafana dashboard (deploy/prometheus,
# deploy/grafana), checked offline by deploy/monitoringtest, a module of its own: promtool check config,
# check rules and test rules (alerts_test.yml: synthetic series in, expected alerts out), and every metric
# the rules and the dashboard use against deploy/prometheus/exported-metrics.txt (cmd/shop's
# TestExportedMetrics keeps that list true to a scrape of the running processes). promtool is built from
# the Go module proxy at the version that module pins (its go.mod's tool directive), without the cloud
# service discoveries (-tags remove_all_sd; the configuration has static targets only), into bin/ with
# the version in its name, so a bump rebuilds it. The first build takes minutes (see the README).
PROMTOOL_VERSION := $(shell awk '$$1 == "github.com/prometheus/prometheus" { print $$2 }' deploy/monitoringtest/go.mod)
PROMTOOL := $(BIN)/promtool-$(PROMTOOL_VERSION)

$(PROMTOOL): deploy/monitoringtest/go.mod deploy/monitoringtest/go.sum
	@echo "building promtool $(PROMTOOL_VERSION) (the first time takes several minutes)"
	cd deploy/monitoringtest && $(GO) build -tags remove_all_sd \
		-ldflags "-X github.com/prometheus/common/version.Version=$(PROMTOOL_VERSION)" \
		-o $@ github.com/prometheus/prometheus/cmd/promtool

.PHONY: monitoring-check
monitoring-check: $(PROMTOOL)
	cd deploy/monitoringtest && PROMTOOL=$(PROMTOOL) $(GO) test -count=1 ./...
# The Kubernetes manifests (deploy/k8s), checked without a cluster: Kustomize's library (krusty, what
# `kubectl kustomize` runs) renders the base and the example overlay, every object is decoded strictly
# into k8s.io/api types, and the test asserts probes, ports, resources, budgets, security and variables
# against the code, the Dockerfile and the README; then it breaks copies of the manifests to see each
# check fail. A module of its own, like deploy/composetest.
.PHONY: k8s-check
k8s-check:
	cd deploy/k8stest && $(GO) test -count=1 ./...
