# Wardwatch — see README.md.
GO        ?= go
BIN       := bin/wardwatch
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
FUZZTIME  ?= 10s
DEMO_DB   ?= demo.db

.PHONY: all build demo test vet fuzz fuzz-long bench generate demo-pcap clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/wardwatch

# The main job on the bundled default: replay the project's own demo capture
# (a small simulated hospital) into a fresh database and print the inventory.
demo: build
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN) replay --db $(DEMO_DB) --vantage demo testdata/demo.pcap
	$(BIN) assets --db $(DEMO_DB)

# Every test: vet, the race-enabled unit/integration/live tests, the
# generator's own test, and a short run of every fuzz target.
test: vet
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 ./testdata/gen
	$(MAKE) fuzz FUZZTIME=$(FUZZTIME)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...

# Each native fuzz target for FUZZTIME (10s in CI; use `make fuzz-long` locally).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$t ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg >/dev/null || { $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime 1x $$pkg; exit 1; }; \
	  done; \
	done

fuzz-long:
	$(MAKE) fuzz FUZZTIME=5m

# Benchmarks: per-packet path, parsers, store, whole-file replay on the
# generated mixed capture. Results go in docs/performance.md.
bench: testdata/mixed.pcap
	WARDWATCH_BENCH_PCAP=$(CURDIR)/testdata/mixed.pcap $(GO) test -run '^$$' -bench . -benchmem ./...

testdata/mixed.pcap:
	$(GO) run ./testdata/gen -kind mixed -out $@

demo-pcap:
	$(GO) run ./testdata/gen -kind demo -out testdata/demo.pcap

generate:
	$(GO) generate ./...

clean:
	rm -rf bin $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm testdata/mixed.pcap
