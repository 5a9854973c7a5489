package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// icsmaDir is CISA's ICSMA set beside the repository; the test is
// skipped, saying so, when it is absent.
func icsmaDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "advisories", "cisa-icsma")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("CISA ICSMA advisories not found beside the repo (../shared/advisories/cisa-icsma): %v", err)
	}
	return dir
}

// The demo's BD Alaris PC units (DHCP vendor class "BD Alaris PC 8015" or
// "CareFusion Alaris PC 8015").
var demoAlaris = []string{"9c:c8:ae:23:c3:65", "9c:c8:ae:3c:c8:ab", "9c:c8:ae:49:e2:29", "9c:c8:ae:73:dd:d7",
	"9c:c8:ae:9b:11:09", "9c:c8:ae:af:89:c7", "f8:c6:78:5f:91:c4", "f8:c6:78:f2:07:07"}

// TestAdvisoriesDemo replays the demo hospital with the whole ICSMA set
// (--advisories.dir) and its events sent as ECS lines to a file and as CEF
// over syslog, then asks the CLI: `advisories` names the BD Alaris pumps
// in the Alaris PC unit advisories, `asset` shows a pump's advisories with
// the evidence and the remediation, `events` holds one advisory-match
// event per pump and advisory, and the SIEM got the new devices, the
// violations (observed, with direction, both ends' identities and the
// rule's severity) and the advisory matches, in both formats.
func TestAdvisoriesDemo(t *testing.T) {
	advDir := icsmaDir(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	events := filepath.Join(dir, "events.json")

	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	var mu sync.Mutex
	var cef []string
	go func() {
		buf := make([]byte, 65536)
		for {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			mu.Lock()
			cef = append(cef, string(buf[:n]))
			mu.Unlock()
		}
	}()
	cfg := filepath.Join(dir, "wardwatch.yml")
	writeFile(t, cfg, []byte(fmt.Sprintf("events:\n  file: %s\n  syslog:\n    address: %s\n    format: cef\n",
		events, pc.LocalAddr())), 0o644)

	r := runMain("replay", "-q", "--workers", "1", "--config.file", cfg, "--db", db, "--vantage", "demo",
		"--policy.file", demoPolicy, "--advisories.dir", advDir, filepath.Join("..", "..", "testdata", "demo.pcap"))
	if r.code != 0 {
		t.Fatalf("replay: exit %d: %s", r.code, r.stderr)
	}
	common := []string{"--db", db, "--policy.file", demoPolicy, "--advisories.dir", advDir, "--now", inventoryNow.Format(time.RFC3339)}

	// wardwatch advisories: the PC unit advisories name every Alaris pump.
	r = runMain(append([]string{"advisories", "--wide"}, common...)...)
	if r.code != 0 {
		t.Fatalf("advisories: exit %d: %s", r.code, r.stderr)
	}
	for _, id := range []string{"ICSMA-23-194-01", "ICSMA-17-017-02", "ICSMA-20-317-01", "ICSMA-20-170-06"} {
		sect := section(r.stdout, id)
		if sect == "" {
			t.Errorf("advisories does not list %s:\n%s", id, r.stdout)
			continue
		}
		for _, mac := range demoAlaris {
			if !strings.Contains(sect, mac) {
				t.Errorf("%s does not name the Alaris pump %s:\n%s", id, mac, sect)
			}
		}
		if !strings.Contains(sect, "possibly affected") || !strings.Contains(sect, "Alaris PC 8015") {
			t.Errorf("%s: no verdict or evidence:\n%s", id, sect)
		}
	}
	if !strings.Contains(r.stdout, "advisories name") {
		t.Errorf("no count line:\n%s", r.stdout)
	}
	// Nothing that is not a medical device is named.
	r = runMain(append([]string{"advisories", "-o", "json"}, common...)...)
	var rec struct {
		Loaded     int
		Advisories []struct {
			ID      string
			Devices []struct {
				Device  struct{ MAC, Class string }
				Verdict string
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rec); err != nil {
		t.Fatalf("advisories -o json: %v\n%s", err, r.stdout)
	}
	pairs := 0
	for _, a := range rec.Advisories {
		for _, d := range a.Devices {
			pairs++
			switch d.Device.Class {
			case "workstation", "server", "network-infrastructure", "printer", "phone":
				t.Errorf("%s names %s, a %s", a.ID, d.Device.MAC, d.Device.Class)
			}
		}
	}
	if rec.Loaded < 144 || pairs == 0 {
		t.Errorf("loaded %d, %d pairs", rec.Loaded, pairs)
	}
	r = runMain(append([]string{"advisories", "-o", "csv"}, common...)...)
	if !strings.HasPrefix(r.stdout, "advisory,title,cves,") || !strings.Contains(r.stdout, "ICSMA-23-194-01,") {
		t.Errorf("advisories -o csv:\n%s", r.stdout)
	}

	// wardwatch asset: a pump's advisories, evidence and remediation.
	r = runMain(append([]string{"asset", "--wide", demoAlaris[0]}, common...)...)
	for _, want := range []string{"\nAdvisories (", "ICSMA-23-194-01: possibly affected", "evidence: manufacturer \"BD\"",
		"Alaris PC 8015", "reason: the device's version is unknown", "port 3613"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("asset %s lacks %q:\n%s", demoAlaris[0], want, r.stdout)
		}
	}

	// The advisory-match events: one per (pump, advisory).
	r = runMain(append([]string{"events", "--type", "advisory-match", "-o", "json"}, common...)...)
	var evs []struct {
		MAC      string `json:"mac"`
		NewValue string `json:"new_value"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &evs); err != nil {
		t.Fatalf("events: %v\n%s", err, r.stdout)
	}
	if len(evs) != pairs {
		t.Errorf("%d advisory-match events, %d (device, advisory) pairs", len(evs), pairs)
	}
	seen := map[string]bool{}
	for _, e := range evs {
		seen[e.MAC+" "+e.NewValue] = true
	}
	if !seen[demoAlaris[0]+" ICSMA-23-194-01 (possibly affected)"] || len(seen) != len(evs) {
		t.Errorf("advisory-match events: %+v", evs)
	}

	// ECS lines: every kind of event, violations as observed connections.
	f, err := os.Open(events)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	actions := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var doc struct {
			Event struct {
				Action string
				Type   []string
			}
			Network   struct{ Direction string }
			Wardwatch map[string]any
			Vulnerab  map[string]any `json:"vulnerability"`
		}
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		actions[doc.Event.Action]++
		switch doc.Event.Action {
		case "policy-violation":
			if strings.Join(doc.Event.Type, ",") != "connection" || doc.Network.Direction == "" ||
				doc.Wardwatch["severity"] == "" || doc.Wardwatch["src_hostname"] == nil {
				t.Errorf("violation document: %s", sc.Text())
			}
		case "advisory-match":
			if doc.Vulnerab["id"] == nil {
				t.Errorf("advisory match without CVEs: %s", sc.Text())
			}
		}
	}
	for _, a := range []string{"new-device", "policy-violation", "advisory-match"} {
		if actions[a] == 0 {
			t.Errorf("the events file has no %s event (has %v)", a, actions)
		}
	}
	if actions["advisory-match"] != len(evs) {
		t.Errorf("%d advisory-match documents, %d events", actions["advisory-match"], len(evs))
	}

	// CEF over syslog: the same events.
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(cef)
		mu.Unlock()
		if n >= actions["new-device"]+actions["advisory-match"] || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	kinds := map[string]int{}
	for _, m := range cef {
		i := strings.Index(m, "] CEF:0|Wardwatch|wardwatch|")
		if i < 0 {
			t.Fatalf("not a CEF record in RFC 5424: %q", m)
		}
		kinds[strings.Split(m[i+2:], "|")[4]]++
	}
	for _, k := range []string{"new-device", "policy-violation", "advisory-match"} {
		if kinds[k] != actions[k] {
			t.Errorf("CEF %s: %d records, ECS %d", k, kinds[k], actions[k])
		}
	}
}

// section is the part of the advisories table of the advisory id: from
// its title line to the next blank line.
func section(out, id string) string {
	i := strings.Index(out, "\n"+id+"  ")
	if i < 0 && strings.HasPrefix(out, id+"  ") {
		i = -1
	} else if i < 0 {
		return ""
	}
	s := out[i+1:]
	if j := strings.Index(s, "\n\n"); j >= 0 {
		s = s[:j]
	}
	return s
}

// TestAdvisoriesReload: a daemon started without advisories (replay
// --serve) loads them on POST /-/reload: the API, the page and the metric
// answer with them at once, and the advisory-match events of the devices
// they name are recorded without waiting for the next minute's sweep.
func TestAdvisoriesReload(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	advDir, err := filepath.Abs(icsmaDir(t))
	if err != nil {
		t.Fatal(err)
	}
	bin := wardwatchBinary(t)
	dir := t.TempDir()
	port := freePort(t)
	cfg := filepath.Join(dir, "wardwatch.yml")
	base := fmt.Sprintf("web:\n  listen_addresses: [\"127.0.0.1:%d\"]\n", port)
	writeFile(t, cfg, []byte(base), 0o600)
	_, errb := startDaemon(t, bin, "replay", "--serve", "--config.file", cfg, "--db", filepath.Join(dir, "r.db"),
		"--policy.file", demoPolicy, filepath.Join("..", "..", "testdata", "demo.pcap"))
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	get := func(path string) string {
		resp, err := http.Get(url + path)
		if err != nil {
			return ""
		}
		b, _ := readAll(resp)
		return string(b)
	}
	waitFor := func(what string, ok func() bool) { t.Helper(); waitUntil(t, 30*time.Second, what, ok) }
	waitFor("the replay", func() bool { return strings.Contains(errb.String(), "replay done") })
	if body := get("/api/v1/advisories"); !strings.Contains(body, `"loaded": 0`) {
		t.Fatalf("advisories before the reload: %s", body)
	}

	writeFile(t, cfg, []byte(base+"advisories:\n  dir: "+advDir+"\n"), 0o600)
	resp, err := http.Post(url+"/-/reload", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /-/reload: %d\n%s", resp.StatusCode, errb.String())
	}
	if body := get("/api/v1/advisories"); !strings.Contains(body, `"loaded": 144`) || !strings.Contains(body, `"ICSMA-23-194-01"`) {
		t.Errorf("advisories after the reload: %.300s", body)
	}
	if body := get("/ui/advisories"); !strings.Contains(body, `id="adv-ICSMA-23-194-01"`) {
		t.Errorf("/ui/advisories after the reload lacks ICSMA-23-194-01")
	}
	if m := get("/metrics"); !strings.Contains(m, `wardwatch_advisory_matched_assets{advisory_severity="high",verdict="possibly affected"}`) {
		t.Errorf("/metrics lacks the advisory series")
	}
	waitFor("the advisory-match events", func() bool {
		return strings.Contains(get("/api/v1/events?type=advisory-match"), "ICSMA-23-194-01 (possibly affected)")
	})
}

// startDaemon starts the wardwatch binary with args, its stderr in the
// returned buffer; when the test ends it is stopped with SIGTERM and must
// exit 0.
func startDaemon(t *testing.T, bin string, args ...string) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	errb := &lockedBuffer{}
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("exit: %v\n%s", err, errb.String())
		}
	})
	return cmd, errb
}
