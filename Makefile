# Assay: `make run` serves the product on the embedded stack; `make test`
# runs the whole suite against real servers. Tools the tests need are
# installed on first use into $(TOOLS_BIN), outside the clone, so later runs
# and fresh clones on the same machine reuse them.

SHELL := /bin/bash
GO ?= go
TOOLS_BIN ?= $(HOME)/.cache/assay/bin
export ASSAY_TOOLS_BIN := $(TOOLS_BIN)
ADDR ?= 127.0.0.1:8080
DATA ?= ./data
# A count, not a duration: Go 1.26's fuzzing coordinator can fail a target
# with a bare "context deadline exceeded" when a duration runs out while a
# worker is busy (golang/go#75804, fixed in Go 1.27), which failed CI once
# with no failing input. 3000 runs take 3 to 12 s a target here.
FUZZTIME ?= 3000x
TEST_FLAGS ?=
LOADGEN_FLAGS ?=
SOAK_FLAGS ?=

MINIO := $(TOOLS_BIN)/minio
MAILPIT := $(TOOLS_BIN)/mailpit
STATICCHECK := $(TOOLS_BIN)/staticcheck

.PHONY: run build test vet staticcheck gotest fuzz tools browser bench soak demo fmt clean

## run: build and serve Assay at http://$(ADDR) with data in $(DATA)
run: build
	ASSAY_ADDR=$${ASSAY_ADDR:-$(ADDR)} ASSAY_DATA_DIR=$${ASSAY_DATA_DIR:-$(DATA)} ./bin/assay serve

## demo: like run, seeding a demo portfolio into an empty database
demo: build
	ASSAY_ADDR=$${ASSAY_ADDR:-$(ADDR)} ASSAY_DATA_DIR=$${ASSAY_DATA_DIR:-$(DATA)} ./bin/assay serve --demo

build:
	$(GO) build -o bin/assay ./cmd/assay

## test: vet, staticcheck, the race-enabled suite and short fuzz runs
test: tools vet staticcheck gotest fuzz

vet:
	$(GO) vet ./...

staticcheck: $(STATICCHECK)
	$(STATICCHECK) ./...

# FerretDB runs in its own process, built without -race: its SQLite engine
# would otherwise be instrumented too and slow every database test threefold.
gotest: tools
	$(GO) build -o bin/assay-ferretdb ./testenv/ferretdb
	ASSAY_FERRETDB_BIN=$(CURDIR)/bin/assay-ferretdb $(GO) test -race -timeout 25m $(TEST_FLAGS) ./...

# Each fuzz target runs briefly; the seeds also run in every `go test`.
fuzz:
	@set -e; for spec in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs grep -h -o '^func Fuzz[A-Za-z0-9_]*' /dev/null | sort -u | sed 's/^func //'); do \
	  pkg=$$(dirname $$(grep -rl --include='*_test.go' "^func $$spec(" . | head -1)); \
	  echo "fuzz $$pkg $$spec"; \
	  $(GO) test -run='^$$' -fuzz="^$$spec$$" -fuzztime=$(FUZZTIME) $$pkg; \
	done

tools: $(MINIO) $(MAILPIT) $(STATICCHECK) browser

$(MINIO):
	@echo "building MinIO for the S3 tests (once per machine, a few minutes)"
	GOBIN=$(TOOLS_BIN) $(GO) install github.com/minio/minio@latest

$(MAILPIT):
	GOBIN=$(TOOLS_BIN) $(GO) install github.com/axllent/mailpit@v1.33.1

$(STATICCHECK):
	GOBIN=$(TOOLS_BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@latest

# Browser tests drive Debian's Chromium; the PDF test reads reports with
# poppler's pdftotext.
browser:
	@if ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null || ! command -v node >/dev/null; then \
	  echo "installing chromium and poppler-utils"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils fonts-dejavu-core $$(command -v node >/dev/null || echo nodejs) >/dev/null; \
	fi

## bench: Go benchmarks of every package, then the loopback load test, which
## prints its table and writes bench/results.json (see bench/README.md)
bench: build tools
	$(GO) test -run='^$$' -bench=. -benchmem ./...
	$(GO) run ./cmd/loadgen -upload-gib 1 $(LOADGEN_FLAGS)

## soak: 500 simulated suppliers against a fresh server, then a consistency
## check; SOAK_FLAGS="-suppliers 100" for a shorter run
soak: build tools
	$(GO) run ./cmd/loadgen -soak $(SOAK_FLAGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
