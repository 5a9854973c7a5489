# Wardwatch — see README.md.
GO        ?= go
BIN       := bin/wardwatch
# The version of the binary and of the Debian package: the git tag, else a
# snapshot of the newest packaging/changelog entry (see packaging/version.sh).
VERSION   ?= $(shell sh packaging/version.sh)
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null)
REVISION_TIME ?= $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null)
LDFLAGS   := -X main.version=$(VERSION) -X main.revision=$(REVISION) -X main.revisionTime=$(REVISION_TIME)
FUZZTIME  ?= 8s
DEMO_DB   ?= demo.db

.PHONY: all build demo test vet fuzz fuzz-long bench generate demo-pcap clean deb identification

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/wardwatch

# The main job on the bundled default: replay the project's own demo capture
# (a small simulated hospital) into a fresh database and print the inventory,
# with lifecycle states as of the end of the capture (2026-01-05 08:10 UTC).
demo: build
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB)-lock
	$(BIN) replay --db $(DEMO_DB) --vantage demo --policy.file configs/policy.yml testdata/demo.pcap
	$(BIN) assets --db $(DEMO_DB) --policy.file configs/policy.yml --now 2026-01-05T08:10:00Z
	$(BIN) violations --db $(DEMO_DB) --policy.file configs/policy.yml --now 2026-01-05T08:10:00Z

# Every test: vet, the race-enabled unit/integration/live tests, the
# generator's own test, and a short run of every fuzz target.
test: vet
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 ./testdata/gen
	$(MAKE) fuzz FUZZTIME=$(FUZZTIME)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...

# Each native fuzz target for FUZZTIME (8s in CI; use `make fuzz-long`
# locally). Targets are found in the *_test.go files, without building every
# package's tests. FUZZMINIMIZETIME: Go spends up to 60 s minimising each new
# interesting input by default, which in a short run is all the time there
# is (the DICOM target ran 25 441 inputs and found 1 new one in 10 s; with
# 10x, 43 294 and 193); 10 executions per minimisation leave the time to
# fuzzing. FUZZTIME includes each target's start-up (seed corpus, baseline
# coverage: about 3 s for FuzzDecode's 400 seeds from the shared captures
# on a loaded machine), so 8 s leaves every target seconds of real fuzzing;
# each target's last progress line (executions, new inputs) is printed. 25
# targets x ~10 s stay within about 4 minutes on 2 cores once the packages
# are built.
FUZZMINIMIZETIME ?= 10x
FUZZFLAGS = -run '^$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME)

fuzz:
	@set -e; start=$$(date +%s); n=0; \
	for line in $$($(GO) list -f '{{.Dir}}:{{.ImportPath}}' ./...); do \
	  dir=$${line%%:*}; pkg=$${line#*:}; \
	  for t in $$(cat $$dir/*_test.go 2>/dev/null | sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*\*testing\.F).*/\1/p'); do \
	    n=$$((n+1)); \
	    crashers=$$dir/testdata/fuzz/$$t; before=$$(ls $$crashers 2>/dev/null | wc -l); \
	    if ! $(GO) test $(FUZZFLAGS) -fuzz "^$$t$$" $$pkg > fuzz.log 2>&1; then \
	      tail -40 fuzz.log; \
	      if [ "$$(ls $$crashers 2>/dev/null | wc -l)" != "$$before" ]; then echo "new crasher in $$crashers"; rm -f fuzz.log; exit 1; fi; \
	      echo "fuzzing stopped without a crasher (see above); running $$t once more"; \
	      $(GO) test $(FUZZFLAGS) -fuzz "^$$t$$" $$pkg > fuzz.log 2>&1 || { tail -40 fuzz.log; rm -f fuzz.log; exit 1; }; \
	    fi; \
	    echo "fuzz $$pkg $$t: $$(grep -o 'elapsed: .*' fuzz.log | tail -1)"; \
	  done; \
	done; rm -f fuzz.log; \
	echo "fuzz: $$n targets in $$(( $$(date +%s) - start ))s ($(FUZZTIME) each, -fuzzminimizetime $(FUZZMINIMIZETIME))"; \
	[ $$n -gt 0 ] || { echo "fuzz: no fuzz target found"; exit 1; }

fuzz-long:
	$(MAKE) fuzz FUZZTIME=5m

# Identification accuracy: the labelled set and every shared capture
# (../shared/pcaps) measured, and the tables of docs/identification.md
# written. Not part of `make test` (which checks the labelled set only).
identification:
	$(GO) test -count=1 -run '^TestIdentificationDoc$$' ./fingerprint/accuracy -args -write-doc

# Benchmarks: per-packet path, parsers, store, whole-file replay on the
# generated mixed capture. Results go in docs/performance.md.
bench: testdata/mixed1m.pcap
	WARDWATCH_BENCH_PCAP=$(CURDIR)/testdata/mixed1m.pcap $(GO) test -run '^$$' -bench . -benchmem ./...
	@echo "floor: tcpdump -r testdata/mixed1m.pcap -w /dev/null"; time tcpdump -r testdata/mixed1m.pcap -w /dev/null 2>/dev/null || true

# Replay against the floor (issue 11's targets; not part of `make test`):
# `wardwatch replay` of BENCH_PCAP into a fresh database with the example
# policy, with 1 worker, 2 workers and capture.workers auto, side by side in
# one run with `tcpdump -r BENCH_PCAP -w /dev/null`: BENCH_RUNS rounds after a
# warm-up, each round running the four commands in turn (so that a machine
# whose speed drifts from minute to minute weighs on all four alike), medians
# per command, the ratios to tcpdump, the speed-up of 2 workers over 1, and
# each replay's peak RSS (GNU time, else VmHWM from /proc), and where one
# worker's replay spent its store flushes (the debug log's steps). Results go in
# docs/performance.md.
BENCH_PCAP ?= testdata/mixed1m.pcap
BENCH_RUNS ?= 7
BENCH_DB   ?= $(or $(TMPDIR),/tmp)/wardwatch-bench-replay.db

.PHONY: bench-replay
bench-replay: build $(BENCH_PCAP)
	@set -e; pcap='$(BENCH_PCAP)'; db='$(BENCH_DB)'; runs=$(BENCH_RUNS); bin='$(CURDIR)/$(BIN)'; \
	clean="rm -f $$db $$db-wal $$db-shm $$db-lock"; \
	rep() { echo "$$bin replay -q --db $$db --policy.file configs/policy.yml --workers $$1 $$pcap"; }; \
	cmd() { case $$1 in tcpdump) echo "tcpdump -r $$pcap -w /dev/null";; w1) rep 1;; w2) rep 2;; auto) rep auto;; esac; }; \
	out=$$(mktemp); trap 'rm -f $$out; eval "$$clean"' EXIT; \
	echo "bench-replay: $$pcap, $$(nproc) CPUs, medians of $$runs interleaved rounds (load average: $$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null))"; \
	for r in $$(seq 0 $$runs); do \
	  for c in tcpdump w1 w2 auto; do \
	    eval "$$clean"; s=$$(date +%s%N); sh -c "$$(cmd $$c)" >/dev/null 2>&1; e=$$(date +%s%N); \
	    [ $$r -gt 0 ] && echo "$$c $$(( (e - s) / 1000 ))" >> $$out; \
	  done; \
	done; \
	awk -v cpus=$$(nproc) '{ v[$$1, ++n[$$1]] = $$2 / 1e6 } \
	  function med(c,   i, j, t, k) { k = n[c]; for (i = 1; i <= k; i++) a[i] = v[c, i]; \
	    for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t } \
	    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 } \
	  END { tc = med("tcpdump"); w1 = med("w1"); w2 = med("w2"); au = med("auto"); \
	  printf "  tcpdump -r FILE -w /dev/null    %7.3f s\n", tc; \
	  printf "  replay --workers 1              %7.3f s   %.2fx tcpdump\n", w1, w1 / tc; \
	  printf "  replay --workers 2              %7.3f s   %.2fx tcpdump\n", w2, w2 / tc; \
	  printf "  replay --workers auto (%d)       %7.3f s   %.2fx tcpdump\n", cpus, au, au / tc; \
	  printf "  speed-up of 2 workers over 1: %.2fx\n", w1 / w2 }' $$out; \
	for w in 1 2 auto; do \
	  eval "$$clean"; \
	  if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then \
	    kb=$$( { /usr/bin/time -f %M sh -c "exec $$(rep $$w) >/dev/null 2>&1"; } 2>&1 | tail -1); \
	  else \
	    sh -c "exec $$(rep $$w) >/dev/null 2>&1" & pid=$$!; kb=0; \
	    while kill -0 $$pid 2>/dev/null; do v=$$(awk '/^VmHWM/{print $$2}' /proc/$$pid/status 2>/dev/null); \
	      [ -n "$$v" ] && [ "$$v" -gt "$$kb" ] && kb=$$v; sleep 0.05; done; wait $$pid; \
	  fi; \
	  printf "  peak RSS, --workers %-4s        %7.1f MiB\n" $$w $$(echo "$$kb / 1024" | bc -l); \
	done; \
	eval "$$clean"; \
	$$bin replay --log.level debug -q --db $$db --policy.file configs/policy.yml --workers 1 $$pcap 2>&1 >/dev/null | sed -n 's/.*steps="\([^"]*\)".*/\1/p' | tr ' ' '\n' | \
	  awk -F= 'NF == 2 { v = $$2; ms = v ~ /ms$$/ ? v + 0 : (v ~ /s$$/ ? v * 1000 : 0); if (!($$1 in t)) o[++n] = $$1; \
	      t[$$1] += ms; all += ms } \
	    END { printf "  store flush steps, --workers 1 (ms):"; for (i = 1; i <= n; i++) printf " %s=%.0f", o[i], t[o[i]]; \
	      printf " all=%.0f\n", all }'

testdata/mixed.pcap:
	$(GO) run ./testdata/gen -kind mixed -out $@

testdata/mixed1m.pcap:
	$(GO) run ./testdata/gen -kind mixed -packets 1000000 -out $@

demo-pcap:
	$(GO) run ./testdata/gen -kind demo -out testdata/demo.pcap

generate:
	$(GO) generate ./...

# The Debian package (see packaging/nfpm.yaml): binary, hardened systemd
# unit, config, policy, /etc/default/wardwatch and logrotate as conffiles,
# man page, copyright and changelog, the wardwatch user. Needs only Go, gcc
# and the Go module proxy (nfpm is run with `go run`).
NFPM        ?= $(GO) run github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
DIST        ?= dist
DEB_VERSION ?= $(VERSION)
DEB_ARCH    ?= $(shell $(GO) env GOARCH)
DEB_STAGE   := $(DIST)/deb-stage
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

deb:
	rm -rf $(DEB_STAGE)
	mkdir -p $(DEB_STAGE)
	CGO_ENABLED=1 $(GO) build -trimpath -buildmode=pie -ldflags '-s -w $(LDFLAGS)' -o $(DEB_STAGE)/wardwatch ./cmd/wardwatch
	sh packaging/stage.sh $(DEB_STAGE) '$(DEB_VERSION)' '$(REVISION)' '$(SOURCE_DATE_EPOCH)'
	DEB_VERSION='$(DEB_VERSION)' DEB_ARCH='$(DEB_ARCH)' DEB_STAGE='$(DEB_STAGE)' SOURCE_DATE_EPOCH='$(SOURCE_DATE_EPOCH)' \
	    $(NFPM) package --config packaging/nfpm.yaml --packager deb --target $(DIST)/
	rm -rf $(DEB_STAGE)

clean:
	rm -rf bin dist fuzz.log $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB)-lock testdata/mixed.pcap testdata/mixed1m.pcap

# The live end-to-end test (root, network namespaces; skipped otherwise): a
# simulated hospital with real DHCP, ARP, DICOM and HL7 clients, captured
# from one mirror port per VLAN. Also part of `make test`.
.PHONY: e2e
e2e:
	$(GO) test -count=1 -run TestHospitalE2E -v ./cmd/wardwatch

# Live capture at stepped rates and a soak (root, network namespaces,
# tcpreplay; not part of `make test`): the daemon on one end of a veth pair,
# tcpreplay of the 1M-frame capture into the other. Results go in
# docs/performance.md. LIVE_RATES: Mbit/s steps and "top" (--topspeed).
# LIVE_CONFIG: YAML for the daemon's config file (empty: the shipped
# defaults), e.g. LIVE_CONFIG='capture: {ring_size: 256MiB}'.
LIVE_RATES  ?= 500,1000,1500,2000,top
LIVE_CONFIG ?=
SOAK        ?= 10m
.PHONY: live-rate soak
live-rate: testdata/mixed1m.pcap
	WARDWATCH_LIVE_RATE=1 WARDWATCH_LIVE_PCAP=$(CURDIR)/testdata/mixed1m.pcap WARDWATCH_LIVE_RATES=$(LIVE_RATES) WARDWATCH_LIVE_CONFIG='$(LIVE_CONFIG)' \
	  $(GO) test -count=1 -run '^TestLiveRate$$' -v -timeout 60m ./cmd/wardwatch

soak: testdata/mixed1m.pcap
	WARDWATCH_SOAK=$(SOAK) WARDWATCH_LIVE_PCAP=$(CURDIR)/testdata/mixed1m.pcap WARDWATCH_LIVE_CONFIG='$(LIVE_CONFIG)' \
	  $(GO) test -count=1 -run '^TestSoak$$' -v -timeout 90m ./cmd/wardwatch

# The fleet simulation (not part of `make test`): 50 sensors, each with its
# own SQLite file from its own generated hospital capture (own MAC range),
# pushing into one local PostgreSQL; prints central ingest rows/s, push lag
# and PostgreSQL size per 10,000 devices (see docs/performance.md). Needs
# the postgresql package. FLEET_SENSORS, FLEET_MACS, FLEET_PACKETS scale it.
.PHONY: fleet-sim
fleet-sim:
	WARDWATCH_FLEET_SIM=1 FLEET_REPORT=$(CURDIR)/fleet-sim.txt $(GO) test -count=1 -run '^TestFleetSim$$' -v -timeout 60m ./store/central
