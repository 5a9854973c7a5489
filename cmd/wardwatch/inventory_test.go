package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// inventoryNow is the clock of the inventory goldens: a week after the demo
// capture (2026-01-05 08:00-08:10 UTC), so that with the default lifecycle
// (dormant after 7 days) the demo's devices last seen before 08:09 are dormant
// and those seen after are active.
var inventoryNow = time.Date(2026, 1, 12, 8, 9, 0, 0, time.UTC)

var (
	demoDBOnce sync.Once
	demoDBPath string
	demoDBErr  error
)

// demoDB replays testdata/demo.pcap with the example policy once per test
// binary (in-process, like `make demo`) and returns the database path.
func demoDB(tb testing.TB) string {
	tb.Helper()
	demoDBOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wardwatch-inventory-")
		if err != nil {
			demoDBErr = err
			return
		}
		demoDBPath = filepath.Join(dir, "demo.db")
		r := runMain("replay", "-q", "--workers", "1", "--db", demoDBPath, "--vantage", "demo", "--policy.file", demoPolicy,
			filepath.Join("..", "..", "testdata", "demo.pcap"))
		if r.code != 0 {
			demoDBErr = fmt.Errorf("replay exit %d: %s", r.code, r.stderr)
		}
	})
	if demoDBErr != nil {
		tb.Fatal(demoDBErr)
	}
	return demoDBPath
}

var demoPolicy = filepath.Join("..", "..", "configs", "policy.yml")

// cliCase is one golden: a command line and the file holding what it
// printed and its exit status.
type cliCase struct {
	name string
	args []string
	// columns is $COLUMNS for the run ("": not set: tables fit 120).
	columns string
}

// TestInventoryCLIGolden pins the output of the inventory verbs on the demo
// hospital: tables, JSON, CSV, filters, one device in full and the errors.
// Regenerate with: go test ./cmd/wardwatch -run TestInventoryCLIGolden -update
// (and read the diff: it is the spec of what biomed staff see).
func TestInventoryCLIGolden(t *testing.T) {
	db := demoDB(t)
	common := []string{"--db", db, "--policy.file", demoPolicy}
	cases := []cliCase{
		{"assets", []string{"assets"}, ""},
		{"assets-pumps-json", []string{"assets", "--class", "infusion-pump", "-o", "json"}, ""},
		{"assets-philips-csv", []string{"assets", "--vendor", "philips", "-o", "csv"}, ""},
		{"assets-ct", []string{"assets", "--modality", "ct"}, ""},
		{"assets-dormant", []string{"assets", "--state", "dormant", "--vlan", "20"}, ""},
		{"assets-active-imaging", []string{"assets", "--state", "active", "--zone", "imaging"}, ""},
		{"assets-search-ae", []string{"assets", "--search", "pacs_main"}, ""},
		{"assets-search-hl7", []string{"assets", "--search", "ALARIS_GW", "-o", "json"}, ""},
		{"assets-zone-radiology", []string{"assets", "--zone", "radiology"}, ""},
		{"assets-ip", []string{"assets", "--ip", "10.40.0.113"}, ""},
		{"assets-mac", []string{"assets", "--mac", "00-00-0C-9F-F0-01"}, ""},
		{"assets-seen-since", []string{"assets", "--seen-since", "2026-01-05T08:09:50Z", "--sort", "-last_seen"}, ""},
		{"assets-new-since", []string{"assets", "--new-since", "7d"}, ""},
		{"assets-sort-page", []string{"assets", "--sort", "-packets", "--limit", "5", "--offset", "1"}, ""},
		{"asset-ct", []string{"asset", "00:18:65:04:85:95"}, ""},
		{"asset-pacs-json", []string{"asset", "dc:4a:3e:a2:c8:32", "-o", "json"}, ""},
		{"asset-gateway-by-ip", []string{"asset", "10.50.0.40"}, ""},
		{"asset-router-vlan", []string{"asset", "00:00:0c:9f:f0:01", "--vlan", "20"}, ""},
		{"asset-router-all", []string{"asset", "00:00:0c:9f:f0:01"}, ""},
		{"violations", []string{"violations"}, ""},
		{"violations-json", []string{"violations", "-o", "json"}, ""},
		{"violations-pacs-csv", []string{"violations", "--zone", "pacs", "-o", "csv"}, ""},
		{"violations-critical", []string{"violations", "--severity", "critical", "--order", "desc"}, ""},
		{"flows-dicom", []string{"flows", "--service", "dicom"}, ""},
		{"flows", []string{"flows", "--order", "desc"}, ""},
		{"flows-json", []string{"flows", "--ip", "10.30.0.21", "-o", "json"}, ""},
		{"assets-wide", []string{"assets", "--wide", "--vlan", "50"}, ""},
		{"assets-columns-80", []string{"assets", "--vlan", "30"}, "80"},
		{"assets-columns-200", []string{"assets", "--vlan", "30"}, "200"},
		{"events-columns-200", []string{"events", "--type", "new-device", "--vlan", "50"}, "200"},
		{"err-flow-service", []string{"flows", "--service", "foo"}, ""},
		{"flows-pacs-csv", []string{"flows", "--mac", "dc:4a:3e:a2:c8:32", "-o", "csv"}, ""},
		{"flows-port-page", []string{"flows", "--proto", "udp", "--port", "53", "--limit", "3"}, ""},
		{"events-class", []string{"events", "--type", "class-changed", "--vlan", "30"}, ""},
		{"events-since-json", []string{"events", "--since", "2026-01-05T08:09:40Z", "-o", "json"}, ""},
		{"events-mac-csv", []string{"events", "--mac", "00:18:65:04:85:95", "-o", "csv"}, ""},
		{"err-vlan", []string{"assets", "--vlan", "5000"}, ""},
		{"err-class", []string{"assets", "--class", "toaster"}, ""},
		{"err-state", []string{"assets", "--state", "asleep"}, ""},
		{"err-since", []string{"assets", "--seen-since", "yesterday"}, ""},
		{"err-sort", []string{"assets", "--sort", "hostname; DROP TABLE assets"}, ""},
		{"err-output", []string{"assets", "-o", "xml"}, ""},
		{"err-asset-ref", []string{"asset", "pump-7"}, ""},
		{"err-asset-missing", []string{"asset", "00:11:22:33:44:55"}, ""},
		{"err-asset-csv", []string{"asset", "10.50.0.40", "-o", "csv"}, ""},
		{"err-event-type", []string{"events", "--type", "reboot"}, ""},
		{"err-violation-mac", []string{"violations", "--mac", "not-a-mac"}, ""},
	}
	runCLIGoldens(t, cases, common)
}

// TestInventoryCLIClinicalGolden runs the detail verbs on the third-party
// clinical captures (DICOM on loopback: an asset keyed by IP; HL7 over
// MLLP), replayed into one database.
func TestInventoryCLIClinicalGolden(t *testing.T) {
	root := sharedPcaps(t)
	db := filepath.Join(t.TempDir(), "clinical.db")
	for _, c := range []string{"tapirx/dicom_arq_1_find_testclient.pcap", "tapirx/HL7-ORU.pcap"} {
		if r := runMain("replay", "-q", "--workers", "1", "--db", db, "--vantage", "clinical", filepath.Join(root, c)); r.code != 0 {
			t.Fatalf("replay %s: exit %d: %s", c, r.code, r.stderr)
		}
	}
	cases := []cliCase{
		{"clinical-assets", []string{"assets"}, ""},
		{"clinical-assets-csv", []string{"assets", "-o", "csv"}, ""},
		{"clinical-asset-by-ip", []string{"asset", "127.0.0.1"}, ""},
		{"clinical-search-ae", []string{"assets", "--search", "testclient"}, ""},
		{"clinical-flows", []string{"flows"}, ""},
		{"clinical-events", []string{"events"}, ""},
	}
	runCLIGoldens(t, cases, []string{"--db", db})
}

// TestInventoryCLITwoVantages: the demo hospital seen from two vantage
// points (replayed twice, the second time as "demo-b"): the same MACs are
// two devices each, and the tables say which vantage each row is.
func TestInventoryCLITwoVantages(t *testing.T) {
	db := filepath.Join(t.TempDir(), "two.db")
	b, err := os.ReadFile(demoDB(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runMain("replay", "-q", "--workers", "1", "--db", db, "--vantage", "demo-b", "--policy.file", demoPolicy,
		filepath.Join("..", "..", "testdata", "demo.pcap")); r.code != 0 {
		t.Fatalf("replay: exit %d: %s", r.code, r.stderr)
	}
	runCLIGoldens(t, []cliCase{
		{"vantages-assets-mac", []string{"assets", "--mac", "dc:4a:3e:a2:c8:32"}, ""},
		{"vantages-flows", []string{"flows", "--ip", "10.40.0.113", "--service", "dicom"}, ""},
	}, []string{"--db", db, "--policy.file", demoPolicy})
}

func runCLIGoldens(t *testing.T, cases []cliCase, common []string) {
	t.Helper()
	old := nowFunc
	nowFunc = func() time.Time { return inventoryNow }
	defer func() { nowFunc = old }()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("COLUMNS", c.columns)
			args := append(append([]string(nil), c.args...), common...)
			var out, errb bytes.Buffer
			code := Main(context.Background(), args, &out, &errb)
			got := renderRun(c.args, maskIDs(c.args, out.String()), errb.String(), code, common)
			if c.columns != "" {
				got = "$ COLUMNS=" + c.columns + " " + strings.TrimPrefix(got, "$ ")
			}
			path := filepath.Join("testdata", "cli", c.name+".txt")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/wardwatch -run TestInventoryCLI -update)", err)
			}
			if got != string(want) {
				t.Errorf("wardwatch %s differs from %s (rerun with -update after checking):\n%s",
					strings.Join(c.args, " "), path, diffLines(want, []byte(got)))
			}
			if strings.HasPrefix(c.name, "err-") {
				if code != 2 && !strings.Contains(c.name, "missing") {
					t.Errorf("exit %d, want 2 (usage error)", code)
				}
			} else if code != 0 {
				t.Errorf("exit %d: %s", code, errb.String())
			}
			if c.columns == "" && !slices.Contains(c.args, "--wide") {
				checkWidth(t, c.args, out.String())
			}
		})
	}
}

// renderRun is a golden file's text: the command, its stdout, stderr (with
// the temporary database path replaced) and exit status.
func renderRun(args []string, stdout, stderr string, code int, common []string) string {
	for i := 0; i+1 < len(common); i++ {
		if common[i] == "--db" {
			stderr = strings.ReplaceAll(stderr, common[i+1], "DB")
		}
	}
	var b strings.Builder
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = a
		if strings.ContainsAny(a, " ;'\"") {
			quoted[i] = strconv.Quote(a)
		}
	}
	fmt.Fprintf(&b, "$ wardwatch %s\n%s", strings.Join(quoted, " "), stdout)
	if stderr != "" {
		fmt.Fprintf(&b, "[stderr]\n%s", stderr)
	}
	fmt.Fprintf(&b, "[exit %d]\n", code)
	return b.String()
}

// checkWidth fails a table wider than 120 columns.
func checkWidth(t *testing.T, args []string, out string) {
	t.Helper()
	for _, a := range args {
		if a == "json" || a == "csv" {
			return
		}
	}
	for i, line := range strings.Split(out, "\n") {
		if n := len([]rune(line)); n > 120 {
			t.Errorf("line %d is %d columns wide (max 120): %q", i+1, n, line)
		}
	}
}

var jsonID = regexp.MustCompile(`"id": [0-9]+`)

// maskIDs replaces database row ids in JSON and CSV output with 0: events,
// flows and violations are numbered in the order the writer's batches
// commit, which concurrent reports may change from one replay to the next
// (their order in the output does not depend on it).
func maskIDs(args []string, out string) string {
	if !slices.Contains(args, "csv") {
		return jsonID.ReplaceAllString(out, `"id": 0`)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) == 0 {
		return out
	}
	col := slices.Index(recs[0], "id")
	if col < 0 {
		return out
	}
	for _, r := range recs[1:] {
		r[col] = "0"
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.WriteAll(recs)
	return b.String()
}
