//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// TestHospitalE2E runs the daemon against a small simulated hospital built
// from network namespaces, with real DHCP, ARP, DICOM and HL7 software
// talking across it, and checks what Wardwatch makes of it.
//
// Topology (every namespace is named wwe2e-<pid>-<role> and deleted by that
// exact name when the test ends, also on failure):
//
//	pump01 pumpgw     ct01      ws01      pacs01 hl7eng ehr01      (one namespace each,
//	    \   /          |         |           \    |    /            eth0 with a vendor MAC)
//	    br20         br30      br40            br50                  "sw": one bridge per
//	      \            |         |             /                     clinical VLAN
//	       r20        r30       r40         r50 ---- "rtr": router, dnsmasq (DHCP, DNS)
//	                                    rinet ---- "inet": 203.0.113.10 (the internet)
//
// Every port of brV (hosts and router) mirrors its ingress with tc clsact +
// mirred to mV, a veth whose peer is the sensor's capture interface for that
// VLAN in "sensor" (mirpumps, mirimaging, mirws, mirservers): one access-port
// SPAN per VLAN, so the frames carry no tags and the VLAN comes from the
// config (capture.interfaces[].vlan). Ingress only: every frame enters the
// bridge once, so the sensor sees each frame exactly once.
//
// The clients: dnsmasq serves DHCP (reservations, --no-ping) and DNS (the
// DHCP names; storescp looks its peers up); udhcpc,
// dhclient and dhcpcd lease with medical host names and vendor classes, each
// with its own option 55 list and with hook scripts of this test (nothing
// writes the host's /etc: every namespace has /etc/netns/NAME/resolv.conf,
// dhcpcd runs on private tmpfs /run and /var/lib/dhcpcd); arping and
// gratuitous ARP; dcmtk's echoscu and storescu send a CT image made by
// dump2dcm from the CT to storescp (PACS_MAIN); @medplum/hl7 (the pump
// gateway's ORU^R01) and simple-hl7 (the EHR's ADT^A01) send to an
// @medplum/hl7 engine (RHAPSODY). One intended violation: the infusion pump
// phones home to 203.0.113.10:443. The patient in the DICOM file and the HL7
// messages is fictional and a PHI canary.
func TestHospitalE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("live end-to-end test in network namespaces (skipped with -short)")
	}
	if os.Geteuid() != 0 {
		t.Skip("end-to-end test needs root (network namespaces, AF_PACKET)")
	}
	for _, tool := range []string{"ip", "tc", "ethtool", "mount", "dnsmasq", "udhcpc", "dhclient", "dhcpcd", "arping",
		"storescp", "storescu", "echoscu", "dump2dcm", "node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (.ci/run installs it): %v", tool, err)
		}
	}
	if v := nodeMajor(t); v < 20 {
		t.Skipf("node %d: @medplum/hl7 needs node 20 or later", v)
	}
	began := time.Now()
	bin := wardwatchBinary(t)
	h := newHospital(t)
	nodeDir := h.installNode()
	dcm := filepath.Join(h.dir, "ct-image.dcm")
	if out, err := exec.Command("dump2dcm", "+te", filepath.Join(e2eFixtures, "ct-image.dump"), dcm).CombinedOutput(); err != nil {
		t.Fatalf("dump2dcm: %v\n%s", err, out)
	}
	phase := func(what string) { t.Logf("%-40s at %v", what, time.Since(began).Round(time.Millisecond)) }
	phase("binary built, npm ci done")
	// The budget is for the run itself: building the race binary and npm ci
	// depend on how busy the machine and the npm registry are, not on wardwatch.
	ran := time.Now()
	h.build()
	phase("topology built")
	for _, v := range e2eVLANs {
		if n := h.sensor.txPackets(t, v.mirror); n != 0 {
			t.Fatalf("%s has sent %d packets before the sensor started", v.mirror, n)
		}
		if out := h.sensor.must(t, "ip", "addr", "show", "dev", v.mirror); strings.Contains(out, "inet") {
			t.Fatalf("%s has an address:\n%s", v.mirror, out)
		}
	}

	// The sensor first, so it sees every lease from the first DISCOVER on.
	d := h.startDaemon(bin)

	// Servers, then the DHCP clients, all at once.
	h.startDHCPServer()
	pacsDir := filepath.Join(h.dir, "pacs")
	if err := os.Mkdir(pacsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	h.start("storescp", h.hosts["pacs01"], "storescp", "--aetitle", e2eAEPACS, "--output-directory", pacsDir,
		strconv.Itoa(e2eDICOMPort))
	received := filepath.Join(h.dir, "hl7-received.txt")
	engine := h.start("hl7-engine", h.hosts["hl7eng"], "node", filepath.Join(nodeDir, "hl7-engine.js"),
		strconv.Itoa(e2eHL7Port), received)
	phoneHome := filepath.Join(h.dir, "internet-received.txt")
	sink := h.start("internet-sink", h.inet, "node", filepath.Join(nodeDir, "tcp.js"), "listen",
		strconv.Itoa(e2eForeignPort), phoneHome)
	for _, host := range e2eHosts {
		h.startDHCPClient(host)
	}
	h.waitLeases(30 * time.Second)
	engine.waitFor(t, "listening", 10*time.Second)
	sink.waitFor(t, "listening", 10*time.Second)
	phase(fmt.Sprintf("all %d hosts leased", len(e2eHosts)))

	// ARP: every host asks for its gateway; the servers announce themselves.
	var wg sync.WaitGroup
	for _, host := range e2eHosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ns := h.hosts[host.name]
			if out, err := ns.run(t, "arping", "-c", "1", "-w", "2", "-i", "eth0", host.gateway()); err != nil {
				t.Errorf("%s: arping %s: %v\n%s", host.name, host.gateway(), err, out)
			}
			if host.announce {
				// Gratuitous ARP: nobody answers, so arping's status is not checked.
				ns.run(t, "arping", "-U", "-c", "1", "-w", "1", "-i", "eth0", "-S", host.ip, host.ip)
			}
		}()
	}
	wg.Wait()
	phase("ARP done")

	// DICOM: verification, then a C-STORE of the CT image (PHI canary).
	ct := h.hosts["ct01"]
	pacsIP := e2eHostNamed("pacs01").ip
	h.retry(ct, 5*time.Second, "echoscu", "-aet", e2eAEModality, "-aec", e2eAEPACS, pacsIP, strconv.Itoa(e2eDICOMPort))
	ct.mustLog(t, "storescu", "-R", "-aet", e2eAEModality, "-aec", e2eAEPACS, pacsIP, strconv.Itoa(e2eDICOMPort), dcm)
	phase("DICOM sent")
	// HL7: the pump gateway's observations and the EHR's admission; and the
	// violation: the pump phones home. At once (node starts slowly).
	engineIP := e2eHostNamed("hl7eng").ip
	clients := []struct {
		host string
		args []string
	}{
		{"pumpgw", []string{filepath.Join(nodeDir, "hl7-send-medplum.js"), engineIP, strconv.Itoa(e2eHL7Port),
			filepath.Join(nodeDir, "pump-oru.hl7")}},
		{"ehr01", []string{filepath.Join(nodeDir, "hl7-send-simple.js"), engineIP, strconv.Itoa(e2eHL7Port),
			filepath.Join(nodeDir, "ehr-adt.hl7")}},
		{"pump01", []string{filepath.Join(nodeDir, "tcp.js"), "send", e2eForeignIP, strconv.Itoa(e2eForeignPort),
			"telemetry ivpump-0417"}},
	}
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			out, err := h.hosts[c.host].run(t, "node", c.args...)
			if err != nil {
				t.Errorf("%s: node %s: %v\n%s", c.host, strings.Join(c.args, " "), err, out)
				return
			}
			t.Logf("%s (%v): %s", c.host, time.Since(start).Round(time.Millisecond), out)
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	phase("HL7 and the violation sent")
	h.driftAfterLearning(t, time.Now())
	phase("the pump's behaviour changed")

	// The canaries really crossed the wire (else the PHI checks prove nothing).
	if !dirContains(t, pacsDir, "ZZCANARY^DICOMPHI") {
		t.Errorf("storescp stored no file with the DICOM canary in %s", pacsDir)
	}
	if !bytes.Contains(readFile(t, received), []byte("HL7CANARY-4417")) {
		t.Errorf("the HL7 engine received no message with the HL7 canary:\n%s", readFile(t, received))
	}
	if !bytes.Contains(readFile(t, phoneHome), []byte("telemetry")) {
		t.Errorf("the internet host received nothing from the pump")
	}

	// 90 s: a router is network infrastructure by the DHCP it answers
	// (fingerprint), which can reach the store only with the flow's next
	// report (a minute later) when the first one raced the client's own
	// frames across the fanout workers.
	if missing := h.waitStored(d.db, 90*time.Second); len(missing) > 0 {
		t.Errorf("after 90s the database still lacks %v (details below)", missing)
	}
	phase("database complete")

	// While the daemon runs: its metrics, its API, and its WAL.
	metrics := h.httpGet("/metrics")
	checkE2EMetrics(t, metrics.body)
	api := h.httpGet("/api/v1/violations")
	checkE2EAPI(t, api)
	checkE2ESilent(t, h)
	// The rest of the API and the web page, when present: for the PHI check.
	pages := map[string][]byte{}
	for _, path := range []string{"/api/v1/assets", "/api/v1/flows", "/api/v1/events", "/api/v1/summary", "/ui/", "/ui/violations"} {
		if r := h.httpGet(path); r.code == http.StatusOK {
			pages[path] = []byte(r.body)
		}
	}
	liveFiles := map[string][]byte{}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if b, err := os.ReadFile(d.db + suffix); err == nil {
			liveFiles["running daemon's "+filepath.Base(d.db+suffix)] = b
		}
	}
	if len(liveFiles["running daemon's wardwatch.db-wal"]) == 0 {
		t.Errorf("the running daemon has no WAL to check for PHI")
	}

	d.proc.stop(t)
	if d.proc.err != nil {
		t.Errorf("wardwatch run after SIGTERM: %v (want exit 0)", d.proc.err)
	}
	log := d.proc.output()
	if !strings.Contains(log, "stopped cleanly") {
		t.Errorf("no \"stopped cleanly\" in the daemon's log")
	}
	checkE2ECaptureStats(t, log)
	for _, v := range e2eVLANs {
		if n := h.sensor.txPackets(t, v.mirror); n != 0 {
			t.Errorf("%s transmitted %d packets: the sensor must never send", v.mirror, n)
		}
	}

	phase("daemon stopped")
	checkE2EStore(t, d.db)
	assets := runMain("assets", "--db", d.db, "-o", "json")
	events := runMain("events", "--db", d.db, "-o", "json")
	if assets.code != 0 || events.code != 0 {
		t.Errorf("assets: exit %d %s; events: exit %d %s", assets.code, assets.stderr, events.code, events.stderr)
	}
	checkE2EAssets(t, assets.stdout)
	checkE2EBehaviour(t, metrics.body, readFile(t, d.events), events.stdout)
	ecs := readFile(t, d.events)
	if !bytes.Contains(ecs, []byte(`"action":"silent"`)) || !bytes.Contains(ecs, []byte(`"event_type":"silent"`)) {
		t.Errorf("the ECS events file has no silent event (ws01, critical and quiet)")
	}
	if !bytes.Contains(ecs, []byte("pumps-to-internet")) {
		t.Errorf("the ECS events file has no pumps-to-internet violation:\n%s", ecs)
	}

	// No PHI anywhere Wardwatch wrote or said anything.
	outputs := map[string][]byte{
		"daemon log": []byte(log), "/metrics": []byte(metrics.body), "/api/v1/violations": []byte(api.body),
		"assets -o json": []byte(assets.stdout + assets.stderr), "events -o json": []byte(events.stdout + events.stderr),
		"ECS events file": ecs,
	}
	for k, v := range liveFiles {
		outputs[k] = v
	}
	for k, v := range pages {
		outputs[k] = v
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if b, err := os.ReadFile(d.db + suffix); err == nil {
			outputs[filepath.Base(d.db+suffix)] = b
		}
	}
	for name, b := range outputs {
		if i := bytes.Index(bytes.ToLower(b), []byte("canary")); i >= 0 {
			t.Errorf("PHI canary in %s: %q", name, b[max(0, i-40):min(len(b), i+40)])
		}
	}
	elapsed := time.Since(ran)
	t.Logf("end-to-end run took %v after the build and npm ci (%v in all)", elapsed.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	if elapsed > 2*time.Minute {
		t.Errorf("the end-to-end run took %v after the build, more than its 2-minute budget", elapsed.Round(time.Second))
	}
}

// ---- the hospital ----

const (
	e2eFixtures    = "testdata/e2e"
	e2eAEModality  = "CT01_WARD3"
	e2eAEPACS      = "PACS_MAIN"
	e2eForeignIP   = "203.0.113.10"
	e2eForeignPort = 443
	e2eHL7Port     = 2575
	e2eDICOMPort   = 104
	e2eWebAddr     = "127.0.0.1:9929" // inside the sensor namespace
	// e2eVantage labels all four mirrors: they are SPAN sessions of one
	// switch, one per VLAN.
	e2eVantage   = "core-sw"
	e2eEngineApp = "RHAPSODY"
	e2ePumpGWApp = "ALARIS_GW"
	e2eEHRApp    = "EPIC_ADT"

	sopCTImageStorage = "1.2.840.10008.5.1.4.1.1.2"
	sopVerification   = "1.2.840.10008.1.1"
)

// e2eVLAN is one clinical VLAN: a bridge brV, a router leg 10.V.0.1/24 and
// the sensor interface its mirror feeds.
type e2eVLAN struct {
	id     uint16
	mirror string
}

// e2eVLANs are the zones pumps, imaging, workstations and servers of
// testdata/e2e/policy.yml.
var e2eVLANs = []e2eVLAN{{20, "mirpumps"}, {30, "mirimaging"}, {40, "mirws"}, {50, "mirservers"}}

// e2eRouterMAC is the router's MAC on VLAN v (Cisco's OUI 00:30:85).
func e2eRouterMAC(v uint16) string { return fmt.Sprintf("00:30:85:00:00:%02d", v) }

// e2eHost is one device: its namespace, switch port and DHCP identity.
type e2eHost struct {
	name     string // namespace role; switch port p-NAME
	vlan     uint16
	mac      string      // a real vendor's OUI, globally administered
	ip       string      // reserved by dnsmasq
	dhcp     string      // udhcpc, dhclient or dhcpcd
	hostname string      // DHCP option 12
	vendor   string      // DHCP option 60; "" for the client's default
	class    model.Class // the device class Wardwatch should find
	announce bool        // sends a gratuitous ARP once leased
}

func (h e2eHost) gateway() string { return fmt.Sprintf("10.%d.0.1", h.vlan) }

var e2eHosts = []e2eHost{
	// B. Braun's OUI, a pump host name: an infusion pump.
	{"pump01", 20, "00:12:21:0a:04:17", "10.20.0.21", "udhcpc", "ivpump-0417", "BBraun-SpaceCom2", "infusion-pump", false},
	// Sends IHE PCD-01 ORU with Alaris equipment identifiers: a pump gateway.
	{"pumpgw", 20, "4c:ae:a3:20:00:31", "10.20.0.31", "dhcpcd", "pumpgw01", "BD-Alaris-SystemsManager", "pump-gateway", false},
	// Proposes CT Image Storage: an imaging modality (CT).
	{"ct01", 30, "44:4b:5d:30:00:21", "10.30.0.21", "dhclient", "ct-ward3-01", "GEMS_CT_Revolution", "imaging-modality", false},
	// Windows' vendor class: a workstation.
	{"ws01", 40, "98:e7:43:40:00:21", "10.40.0.21", "dhclient", "NURSE-WS01-PC", "MSFT 5.0", "workstation", false},
	// Storage SCP with an archive AE title: the PACS.
	{"pacs01", 50, "00:1a:a0:50:00:20", "10.50.0.20", "dhcpcd", "pacs01", "dcmtk-storescp", "pacs", true},
	// Receives and acknowledges HL7 as RHAPSODY, an integration engine's name.
	{"hl7eng", 50, "48:4a:e9:50:00:30", "10.50.0.30", "udhcpc", "rhapsody01", "", "hl7-interface-engine", true},
	// Sends ADT: the EHR.
	{"ehr01", 50, "4c:ae:a3:50:00:40", "10.50.0.40", "dhclient", "ehr-app01", "", "server", false},
}

// e2eIdentity is what a clinical device's own frames say it is: the
// manufacturer, model and version the inventory must show (issue 12: every
// clinical device with manufacturer and model where any frame carries them).
// An empty field is one no frame of the device carries, so the inventory must
// leave it empty too, rather than guess.
type e2eIdentity struct {
	manufacturer, model, version string
	// dcmtkVersion: the version is the installed dcmtk's (e2eDCMTKVersion).
	dcmtkVersion bool
}

// e2eIdentities are the clinical devices of e2eHosts (fingerprint.IsClinical
// classes), with where each field comes from.
var e2eIdentities = map[string]e2eIdentity{
	// DHCP option 60 "BBraun-SpaceCom2" (rule dhcp60-bbraun-pump). Its
	// frames carry no version.
	"pump01": {manufacturer: "B. Braun", model: "SpaceCom2"},
	// DHCP option 60 "BD-Alaris-SystemsManager" and its HL7 MSH-3
	// ALARIS_GW (rules dhcp60-bd-alaris-server, hl7-app-alaris). The
	// OBX-18 equipment "ALARIS8015-SN..." describes the pump its messages
	// are about, not the gateway (fingerprint.Classify).
	"pumpgw": {manufacturer: "BD", model: "Alaris Systems Manager"},
	// DHCP option 60 "GEMS_CT_Revolution" (rule dhcp60-ge-gems). Its DICOM
	// implementation class UID and version name are DCMTK's (storescu and
	// echoscu are dcmtk 3.6.x): a toolkit the device is built on, which
	// names neither the CT's maker and model nor its software version.
	"ct01": {manufacturer: "GE Healthcare", model: "CT_Revolution"},
	// storescp: nothing but DCMTK's implementation class UID and version
	// name ("DCMTK-based", "DCMTK 367": rules dicom-uid-dcmtk,
	// dicom-impl-dcmtk) says what the archive is; the MAC's OUI (Dell)
	// names the maker of its network interface. Its option 60
	// "dcmtk-storescp" is the test's own label, which no rule reads.
	"pacs01": {manufacturer: "Dell", model: "DCMTK-based", dcmtkVersion: true},
	// The engine's frames carry no model: its HL7 application RHAPSODY is
	// a configured name (it gives the class, not a product), its option 60
	// is BusyBox udhcpc's. The manufacturer is its NIC's (HPE's OUI).
	"hl7eng": {manufacturer: "HPE"},
}

// e2eDCMTKVersion is "DCMTK " and the version digits of the installed
// dcmtk ("DCMTK 367" for 3.6.7): what its implementation version name
// (OFFIS_DCMTK_367) gives.
var e2eDCMTKVersion = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("storescu", "--version").CombinedOutput()
	m := regexp.MustCompile(`storescu v([0-9]+)\.([0-9]+)\.([0-9]+)`).FindStringSubmatch(string(out))
	if m == nil {
		return "", fmt.Errorf("storescu --version: %v: no version in %q", err, out)
	}
	return "DCMTK " + m[1] + m[2] + m[3], nil
})

// e2eIdentityOf is the identity the inventory must show for host name, and
// whether name is a clinical device of the test.
func e2eIdentityOf(t *testing.T, name string) (e2eIdentity, bool) {
	id, ok := e2eIdentities[name]
	if ok && id.dcmtkVersion {
		v, err := e2eDCMTKVersion()
		if err != nil {
			t.Fatal(err)
		}
		id.version = v
	}
	return id, ok
}

func e2eHostNamed(name string) e2eHost {
	for _, h := range e2eHosts {
		if h.name == name {
			return h
		}
	}
	panic("no e2e host " + name)
}

type hospital struct {
	t      *testing.T
	dir    string // scratch directory, 0755 (dhcpcd's unprivileged side runs the hook)
	prefix string
	sw     netns
	rtr    netns
	inet   netns
	sensor netns
	hosts  map[string]netns
	procs  []*bgProc
}

// newHospital creates the namespaces (nothing in them yet).
func newHospital(t *testing.T) *hospital {
	dir, err := os.MkdirTemp("", "wardwatch-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := &hospital{t: t, dir: dir, prefix: fmt.Sprintf("wwe2e-%d-", os.Getpid()), hosts: map[string]netns{}}
	// On failure, every background process's output (registered before
	// the processes, so it runs after they stopped).
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, p := range h.procs {
			t.Logf("---- %s (%s) ----\n%s", p.name, strings.Join(p.cmd.Args[3:], " "), p.output())
		}
	})
	h.sw = h.addNS("sw", "")
	h.rtr = h.addNS("rtr", "")
	h.inet = h.addNS("inet", "")
	h.sensor = h.addNS("sensor", "")
	for _, host := range e2eHosts {
		h.hosts[host.name] = h.addNS(host.name, "nameserver "+host.gateway()+"\n")
	}
	return h
}

// addNS creates namespace prefix+role with its own resolv.conf, IPv6 off
// (no router solicitations, DAD or MLD: only the test's traffic) and lo up.
func (h *hospital) addNS(role, resolv string) netns {
	t := h.t
	ns := addNetns(t, h.prefix+role)
	etc := filepath.Join("/etc/netns", ns.name)
	if _, err := os.Stat("/etc/netns"); os.IsNotExist(err) {
		if err := os.Mkdir("/etc/netns", 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove("/etc/netns") }) // only if empty, as it was made
	}
	if err := os.Mkdir(etc, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(etc); err != nil {
			t.Errorf("removing %s: %v", etc, err)
		}
	})
	if resolv == "" {
		resolv = "# " + ns.name + ": no DNS server in this namespace\n"
	}
	writeFile(t, filepath.Join(etc, "resolv.conf"), []byte(resolv), 0o644)
	ns.must(t, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
	ns.must(t, "ip", "link", "set", "lo", "up")
	return ns
}

// ip runs ip(8) in the test's own namespace (for commands that name their
// namespaces themselves: ip -n, ip link add ... netns).
func (h *hospital) ip(args ...string) {
	h.t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		h.t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// veth creates a veth pair a (in nsA, with MAC macA unless "") and b (in
// nsB), brings both up and turns their offloads off, so frames are wire
// sized and carry real checksums when mirrored.
func (h *hospital) veth(nsA netns, a, macA string, nsB netns, b string) {
	h.t.Helper()
	args := []string{"link", "add", a, "netns", nsA.name}
	if macA != "" {
		args = append(args, "address", macA)
	}
	h.ip(append(args, "type", "veth", "peer", "name", b, "netns", nsB.name)...)
	for _, end := range []struct {
		ns   netns
		name string
	}{{nsA, a}, {nsB, b}} {
		end.ns.must(h.t, "ethtool", "-K", end.name, "tx", "off", "tso", "off", "gso", "off", "gro", "off")
		h.ip("-n", end.ns.name, "link", "set", end.name, "up")
	}
}

// build wires the namespaces: bridges, router, internet, hosts, mirrors.
func (h *hospital) build() {
	t := h.t
	h.rtr.must(t, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
	ports := map[uint16][]string{}
	for _, v := range e2eVLANs {
		br := fmt.Sprintf("br%d", v.id)
		h.ip("-n", h.sw.name, "link", "add", br, "type", "bridge", "stp_state", "0", "mcast_snooping", "0")
		h.ip("-n", h.sw.name, "link", "set", br, "up")
		r := fmt.Sprintf("r%d", v.id)
		h.veth(h.rtr, r, e2eRouterMAC(v.id), h.sw, "p-"+r)
		h.ip("-n", h.rtr.name, "addr", "add", fmt.Sprintf("10.%d.0.1/24", v.id), "dev", r)
		ports[v.id] = append(ports[v.id], "p-"+r)
	}
	h.veth(h.rtr, "rinet", "00:30:85:00:00:99", h.inet, "eth0")
	h.ip("-n", h.inet.name, "link", "set", "eth0", "address", "14:fe:b5:99:00:10")
	h.ip("-n", h.rtr.name, "addr", "add", "203.0.113.1/24", "dev", "rinet")
	h.ip("-n", h.inet.name, "addr", "add", e2eForeignIP+"/24", "dev", "eth0")
	h.ip("-n", h.inet.name, "route", "add", "10.0.0.0/8", "via", "203.0.113.1")
	for _, host := range e2eHosts {
		h.veth(h.hosts[host.name], "eth0", host.mac, h.sw, "p-"+host.name)
		ports[host.vlan] = append(ports[host.vlan], "p-"+host.name)
	}
	for _, v := range e2eVLANs {
		br, m := fmt.Sprintf("br%d", v.id), fmt.Sprintf("m%d", v.id)
		for _, p := range ports[v.id] {
			h.ip("-n", h.sw.name, "link", "set", p, "master", br)
		}
		h.veth(h.sw, m, "", h.sensor, v.mirror)
		// All mirrored frames of a VLAN are received on one CPU: no
		// reordering between the veth's per-CPU backlogs.
		h.sensor.must(t, "sh", "-c", fmt.Sprintf("echo 1 > /sys/class/net/%s/queues/rx-0/rps_cpus", v.mirror))
		for _, p := range ports[v.id] {
			h.sw.must(t, "tc", "qdisc", "add", "dev", p, "clsact")
			h.sw.must(t, "tc", "filter", "add", "dev", p, "ingress", "protocol", "all", "prio", "1",
				"u32", "match", "u32", "0", "0", "action", "mirred", "egress", "mirror", "dev", m)
		}
	}
}

// installNode installs the npm packages (package-lock.json, npm ci) into a
// scratch directory and copies the scripts and messages beside them.
func (h *hospital) installNode() string {
	t := h.t
	dir := filepath.Join(h.dir, "node")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(e2eFixtures)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch filepath.Ext(e.Name()) {
		case ".json", ".js", ".hl7":
			writeFile(t, filepath.Join(dir, e.Name()), readFile(t, filepath.Join(e2eFixtures, e.Name())), 0o644)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
	return dir
}

func nodeMajor(t *testing.T) int {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		t.Skipf("node --version: %v", err)
	}
	v, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), ".")
	n, _ := strconv.Atoi(v)
	return n
}

// ---- background processes ----

// bgProc is a long-running program in a namespace. ip netns exec execs it,
// so the PID is the program's own and SIGTERM reaches it.
type bgProc struct {
	name string
	cmd  *exec.Cmd
	log  string // its stdout and stderr
	done chan struct{}
	err  error // after done
}

func (h *hospital) start(name string, ns netns, args ...string) *bgProc {
	t := h.t
	t.Helper()
	p := &bgProc{name: name, log: filepath.Join(h.dir, "logs", name+".log"), done: make(chan struct{})}
	f, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command("ip", append([]string{"netns", "exec", ns.name}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		f.Close()
		close(p.done)
	}()
	h.procs = append(h.procs, p)
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop sends SIGTERM and waits for the exit (SIGKILL after 5 s).
func (p *bgProc) stop(t *testing.T) {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		t.Errorf("%s did not stop within 5s of SIGTERM; killing it", p.name)
		p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *bgProc) output() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

// waitFor waits until the process has printed s.
func (p *bgProc) waitFor(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(p.output(), s) {
		select {
		case <-p.done:
			t.Fatalf("%s exited (%v) before printing %q:\n%s", p.name, p.err, s, p.output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not print %q within %v:\n%s", p.name, s, timeout, p.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mustLog runs a short command in the namespace, fails the test if it
// fails and logs its last line.
func (n netns) mustLog(t *testing.T, name string, args ...string) {
	t.Helper()
	out := n.must(t, name, args...)
	lines := strings.Split(out, "\n")
	last := lines[len(lines)-1]
	if last == "" {
		last = "ok"
	}
	t.Logf("%s: %s: %s", n.name[strings.LastIndex(n.name, "-")+1:], name, last)
}

// retry runs a command until it succeeds (a server may still be starting).
func (h *hospital) retry(ns netns, timeout time.Duration, name string, args ...string) {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out, err := ns.run(h.t, name, args...)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ---- DHCP ----

func (h *hospital) startDHCPServer() {
	args := []string{"dnsmasq", "--keep-in-foreground", "--log-facility=-", "--log-dhcp", "--conf-file=/dev/null",
		"--no-ping", "--no-hosts", "--no-resolv", "--bogus-priv", "--domain=genhosp.example", "--user=root",
		"--group=root", "--pid-file=",
		"--dhcp-leasefile=" + filepath.Join(h.dir, "dnsmasq.leases"), "--dhcp-authoritative"}
	for _, v := range e2eVLANs {
		args = append(args, fmt.Sprintf("--interface=r%d", v.id),
			fmt.Sprintf("--dhcp-range=10.%d.0.100,10.%d.0.199,255.255.255.0,1h", v.id, v.id))
	}
	for _, host := range e2eHosts {
		args = append(args, "--dhcp-host="+host.mac+","+host.ip)
	}
	p := h.start("dnsmasq", h.rtr, args...)
	p.waitFor(h.t, "DHCP, IP range", 10*time.Second)
}

// startDHCPClient starts the host's DHCP client in the foreground with the
// test's hook script (never the system's, which would rewrite
// /etc/resolv.conf or the host name).
func (h *hospital) startDHCPClient(host e2eHost) {
	t := h.t
	ns := h.hosts[host.name]
	hook := func(name string) string {
		path := filepath.Join(h.dir, name)
		if _, err := os.Stat(path); err != nil {
			writeFile(t, path, readFile(t, filepath.Join(e2eFixtures, name)), 0o755)
		}
		return path
	}
	switch host.dhcp {
	case "udhcpc":
		args := []string{"udhcpc", "-f", "-i", "eth0", "-s", hook("dhcp-hook.sh"), "-x", "hostname:" + host.hostname,
			"-t", "10", "-T", "1", "-A", "1", "-a"}
		if host.vendor != "" {
			args = append(args, "-V", host.vendor)
		}
		h.start("udhcpc-"+host.name, ns, args...)
	case "dhclient":
		conf := fmt.Sprintf("send host-name %q;\n", host.hostname)
		if host.vendor != "" {
			conf += fmt.Sprintf("send vendor-class-identifier %q;\n", host.vendor)
		}
		cf := filepath.Join(h.dir, host.name+"-dhclient.conf")
		writeFile(t, cf, []byte(conf), 0o644)
		h.start("dhclient-"+host.name, ns, "dhclient", "-4", "-d", "-v", "-sf", hook("dhcp-hook.sh"),
			"-lf", filepath.Join(h.dir, host.name+".leases"), "-pf", filepath.Join(h.dir, host.name+".pid"),
			"-cf", cf, "eth0")
	case "dhcpcd":
		// dhcpcd keeps its pid file, control socket and lease in /run and
		// /var/lib/dhcpcd: private tmpfs mounts in the mount namespace of
		// ip netns exec (which is a slave: nothing propagates back).
		h.start("dhcpcd-"+host.name, ns, "sh", "-c",
			`mount -t tmpfs wwe2e /run && mount -t tmpfs wwe2e /var/lib/dhcpcd && exec "$0" "$@"`,
			"dhcpcd", "-B", "-4", "-f", "/dev/null", "-c", hook("dhcpcd-hook.sh"),
			"-h", host.hostname, "-i", host.vendor, "eth0")
	default:
		t.Fatalf("unknown DHCP client %q", host.dhcp)
	}
}

// waitLeases waits until every host has its reserved address.
func (h *hospital) waitLeases(timeout time.Duration) {
	t := h.t
	deadline := time.Now().Add(timeout)
	pending := slices.Clone(e2eHosts)
	for len(pending) > 0 {
		pending = slices.DeleteFunc(pending, func(host e2eHost) bool {
			out, _ := exec.Command("ip", "-n", h.hosts[host.name].name, "-4", "-o", "addr", "show", "dev", "eth0").Output()
			return strings.Contains(string(out), " "+host.ip+"/24 ")
		})
		if len(pending) == 0 {
			return
		}
		if time.Now().After(deadline) {
			var names []string
			for _, host := range pending {
				names = append(names, host.name+" ("+host.dhcp+")")
			}
			t.Fatalf("no lease within %v for %s", timeout, strings.Join(names, ", "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ---- the sensor ----

type e2eDaemon struct {
	proc   *bgProc
	db     string
	events string // ECS JSON lines
}

func (h *hospital) startDaemon(bin string) *e2eDaemon {
	t := h.t
	d := &e2eDaemon{db: filepath.Join(h.dir, "wardwatch.db"), events: filepath.Join(h.dir, "violations.ecs.json")}
	var ifaces strings.Builder
	for _, v := range e2eVLANs {
		fmt.Fprintf(&ifaces, "    - {name: %s, vantage: %s, vlan: %d}\n", v.mirror, e2eVantage, v.id)
	}
	cfg := filepath.Join(h.dir, "wardwatch.yml")
	writeFile(t, cfg, []byte("capture:\n  interfaces:\n"+ifaces.String()+
		"  ring_size: 8MiB\n  block_size: 256KiB\n  poll_timeout: 50ms\n"+
		"store:\n  flush_interval: 100ms\n"+
		"events:\n  file: "+d.events+"\n"+e2eBaselineConfig), 0o644)
	policy, err := filepath.Abs(filepath.Join(e2eFixtures, "policy.yml"))
	if err != nil {
		t.Fatal(err)
	}
	d.proc = h.start("wardwatch", h.sensor, bin, "run", "--config.file", cfg, "--db", d.db,
		"--policy.file", policy, "--web.listen-address", e2eWebAddr)
	d.proc.waitFor(t, "capturing", 15*time.Second)
	return d
}

type httpResult struct {
	code        int
	contentType string
	body        string
}

// httpGet fetches path from the daemon's listener inside the sensor
// namespace: the connection's socket is made by a thread that entered that
// namespace (setns), the rest of the process stays where it is.
func (h *hospital) httpGet(path string) httpResult {
	t := h.t
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return dialInNetns(ctx, h.sensor.name, network, addr)
		},
	}}
	resp, err := client.Get("http://" + e2eWebAddr + path)
	if err != nil {
		t.Fatalf("GET %s in %s: %v", path, h.sensor.name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return httpResult{resp.StatusCode, resp.Header.Get("Content-Type"), string(body)}
}

func dialInNetns(ctx context.Context, ns, network, addr string) (net.Conn, error) {
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		// The thread is unlocked only once it is back in its namespace;
		// otherwise it ends with this goroutine.
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			ch <- result{nil, err}
			return
		}
		defer orig.Close()
		target, err := os.Open(filepath.Join("/run/netns", ns))
		if err != nil {
			runtime.UnlockOSThread()
			ch <- result{nil, err}
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			ch <- result{nil, fmt.Errorf("setns %s: %w", ns, err)}
			return
		}
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if serr := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); serr == nil {
			runtime.UnlockOSThread()
		}
		ch <- result{c, err}
	}()
	r := <-ch
	return r.c, r.err
}

// ---- what Wardwatch must have found ----

// e2eWant is one expected asset.
type e2eWant struct {
	key      model.AssetKey
	ip       string
	hostname string
	class    model.Class
}

func e2eWanted(t *testing.T) []e2eWant {
	mac := func(s string) model.MAC {
		m, err := model.ParseMAC(s)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	var want []e2eWant
	for _, v := range e2eVLANs {
		want = append(want, e2eWant{model.AssetKey{Vantage: e2eVantage, VLAN: v.id, MAC: mac(e2eRouterMAC(v.id))},
			fmt.Sprintf("10.%d.0.1", v.id), "", "network-infrastructure"})
	}
	for _, host := range e2eHosts {
		want = append(want, e2eWant{model.AssetKey{Vantage: e2eVantage, VLAN: host.vlan, MAC: mac(host.mac)},
			host.ip, host.hostname, host.class})
	}
	return want
}

func keyOf(t *testing.T, name string) model.AssetKey {
	host := e2eHostNamed(name)
	m, err := model.ParseMAC(host.mac)
	if err != nil {
		t.Fatal(err)
	}
	return model.AssetKey{Vantage: e2eVantage, VLAN: host.vlan, MAC: m}
}

// waitStored polls the database until it holds everything the assertions
// look at (or timeout passes) and returns what is still missing.
func (h *hospital) waitStored(path string, timeout time.Duration) []string {
	deadline := time.Now().Add(timeout)
	for {
		missing := e2eMissing(h.t, path)
		if len(missing) == 0 || time.Now().After(deadline) {
			return missing
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func e2eMissing(t *testing.T, path string) []string {
	db, err := store.OpenReadOnly(path)
	if err != nil {
		return []string{err.Error()}
	}
	defer db.Close()
	ctx := context.Background()
	var missing []string
	for _, w := range e2eWanted(t) {
		a, err := db.AssetByKey(ctx, w.key)
		if err != nil || a.Hostname != w.hostname || a.Class != w.class || !hasIP(a.Asset, w.ip) {
			missing = append(missing, w.key.String())
		}
	}
	for _, host := range e2eHosts {
		if id, ok := e2eIdentityOf(t, host.name); ok {
			a, err := db.AssetByKey(ctx, keyOf(t, host.name))
			if err != nil || a.Manufacturer != id.manufacturer || a.Model != id.model || a.Version != id.version {
				missing = append(missing, host.name+" identity")
			}
		}
	}
	for _, name := range []string{"ct01", "pacs01"} {
		if a, err := db.AssetByKey(ctx, keyOf(t, name)); err != nil {
			missing = append(missing, name+" DICOM")
		} else if f, _ := db.DICOM(ctx, a.ID); len(f) == 0 {
			missing = append(missing, name+" DICOM")
		}
	}
	for _, name := range []string{"pumpgw", "hl7eng", "ehr01"} {
		if a, err := db.AssetByKey(ctx, keyOf(t, name)); err != nil {
			missing = append(missing, name+" HL7")
		} else if f, _ := db.HL7(ctx, a.ID); len(f) == 0 {
			missing = append(missing, name+" HL7")
		}
	}
	if v, _, _ := db.FindViolations(ctx, store.ViolationFilter{Rule: "pumps-to-internet"}); len(v) == 0 {
		missing = append(missing, "violation")
	}
	return missing
}

func hasIP(a model.Asset, ip string) bool {
	for _, ad := range a.Addresses {
		if ad.IP.String() == ip {
			return true
		}
	}
	return false
}

// checkE2EStore checks the inventory through the read-only store API.
func checkE2EStore(t *testing.T, path string) {
	t.Helper()
	db, err := store.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	all, _, err := db.FindAssets(ctx, store.AssetFilter{})
	if err != nil {
		t.Fatal(err)
	}

	// Every device once per (VLAN, MAC), on its VLAN's vantage, with its
	// address, host name and class; nothing else (no VLAN 0, no sensor
	// or mirror port).
	want := e2eWanted(t)
	type vm struct {
		vlan uint16
		mac  model.MAC
	}
	count := map[vm]int{}
	for _, a := range all {
		count[vm{a.Key.VLAN, a.Key.MAC}]++
	}
	wanted := map[vm]bool{}
	for _, w := range want {
		k := vm{w.key.VLAN, w.key.MAC}
		wanted[k] = true
		if count[k] != 1 {
			t.Errorf("VLAN %d %s: %d assets, want exactly 1", w.key.VLAN, w.key.MAC, count[k])
		}
		a, err := db.AssetByKey(ctx, w.key)
		if err != nil {
			t.Errorf("%s: %v", w.key, err)
			continue
		}
		var ips []string
		for _, ad := range a.Addresses {
			ips = append(ips, ad.IP.String())
		}
		if !slices.Equal(ips, []string{w.ip}) {
			t.Errorf("%s: addresses %v, want [%s]", w.key, ips, w.ip)
		}
		if a.Hostname != w.hostname {
			t.Errorf("%s: host name %q, want %q", w.key, a.Hostname, w.hostname)
		}
		if a.Class != w.class {
			t.Errorf("%s (%s): class %q, want %q", w.key, a.Hostname, a.Class, w.class)
		}
	}
	for _, a := range all {
		if !wanted[vm{a.Key.VLAN, a.Key.MAC}] {
			t.Errorf("unexpected asset %s (vendor %q, class %q)", a.Key, a.Vendor, a.Class)
		}
	}

	// Every clinical device with the manufacturer, model and version its
	// frames carry (e2eIdentities), and nothing it does not carry.
	for _, host := range e2eHosts {
		id, ok := e2eIdentityOf(t, host.name)
		if ok != fingerprint.IsClinical(host.class) {
			t.Errorf("%s (%s): in e2eIdentities %v, clinical %v: every clinical device of the test, and only those, needs its identity there",
				host.name, host.class, ok, !ok)
		}
		a, err := db.AssetByKey(ctx, keyOf(t, host.name))
		if !ok || err != nil {
			continue
		}
		got := e2eIdentity{manufacturer: a.Manufacturer, model: a.Model, version: a.Version}
		if want := (e2eIdentity{manufacturer: id.manufacturer, model: id.model, version: id.version}); got != want {
			ev, _ := db.Evidence(ctx, a.ID)
			t.Errorf("%s: manufacturer %q, model %q, version %q; want %q, %q, %q (evidence %+v)", host.name,
				got.manufacturer, got.model, got.version, want.manufacturer, want.model, want.version, ev)
		}
	}

	// Three DHCP clients, three option 55 lists.
	lists := map[string]string{}
	for _, host := range e2eHosts {
		a, err := db.AssetByKey(ctx, keyOf(t, host.name))
		if err != nil {
			continue
		}
		if a.DHCPParamList == "" {
			t.Errorf("%s (%s): no DHCP option 55 list", host.name, host.dhcp)
		}
		if prev, ok := lists[host.dhcp]; ok && prev != a.DHCPParamList {
			t.Errorf("%s: two %s hosts with different option 55 lists: %q, %q", host.name, host.dhcp, prev, a.DHCPParamList)
		}
		lists[host.dhcp] = a.DHCPParamList
		if host.vendor != "" && a.DHCPVendorClass != host.vendor {
			t.Errorf("%s: vendor class %q, want %q", host.name, a.DHCPVendorClass, host.vendor)
		}
	}
	if lists["udhcpc"] == lists["dhclient"] || lists["dhclient"] == lists["dhcpcd"] || lists["udhcpc"] == lists["dhcpcd"] {
		t.Errorf("the three DHCP clients' option 55 lists are not all different: %v", lists)
	}
	t.Logf("option 55: %v", lists)

	// DICOM: the modality and the PACS with their AE titles and SOP classes.
	counts := factCounts{t}
	if a, err := db.AssetByKey(ctx, keyOf(t, "ct01")); err == nil {
		if a.Modality != "CT" {
			t.Errorf("ct01: modality %q, want CT", a.Modality)
		}
		facts, err := db.DICOM(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		f := findDICOM(facts, "scu", e2eAEModality, e2eAEPACS)
		if f == nil {
			t.Errorf("ct01: no DICOM scu fact %s -> %s: %+v", e2eAEModality, e2eAEPACS, facts)
		} else {
			for _, uid := range []string{sopCTImageStorage, sopVerification} {
				if !hasSOP(f.SOPClasses, uid) {
					t.Errorf("ct01: SOP class %s not among the proposed %+v", uid, f.SOPClasses)
				}
			}
			for _, c := range []string{"C-ECHO-RQ", "C-STORE-RQ"} {
				if !slices.ContainsFunc(f.Commands, func(x store.DICOMCommand) bool { return x.Name == c }) {
					t.Errorf("ct01: no %s among its commands %+v", c, f.Commands)
				}
			}
			if f.Port != e2eDICOMPort || f.PeerIP.String() != e2eHostNamed("pacs01").ip {
				t.Errorf("ct01: DICOM peer %s port %d, want %s port %d", f.PeerIP, f.Port, e2eHostNamed("pacs01").ip, e2eDICOMPort)
			}
			// One echoscu and one storescu association.
			counts.check("ct01 scu associations", f.Associations, 2)
			for _, c := range f.Commands {
				counts.check("ct01 "+c.Name+" count", c.Count, 1)
			}
		}
	}
	if a, err := db.AssetByKey(ctx, keyOf(t, "pacs01")); err == nil {
		facts, err := db.DICOM(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		f := findDICOM(facts, "scp", e2eAEPACS, e2eAEModality)
		if f == nil {
			t.Errorf("pacs01: no DICOM scp fact %s <- %s: %+v", e2eAEPACS, e2eAEModality, facts)
		} else {
			if !hasSOP(f.SOPClasses, sopCTImageStorage) {
				t.Errorf("pacs01: CT Image Storage not among the accepted %+v", f.SOPClasses)
			}
			counts.check("pacs01 scp associations", f.Associations, 2)
		}
	}

	// HL7: the senders and the engine with their MSH applications.
	checkHL7 := func(name, role, app, peer, msgType, equipment string) *store.HL7Fact {
		a, err := db.AssetByKey(ctx, keyOf(t, name))
		if err != nil {
			return nil
		}
		facts, err := db.HL7(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := range facts {
			f := &facts[i]
			if f.Role != role || f.Application != app || f.PeerApplication != peer {
				continue
			}
			if !slices.ContainsFunc(f.MessageTypes, func(m store.HL7MessageType) bool { return strings.HasPrefix(m.Type, msgType) }) {
				t.Errorf("%s: %s %s<->%s: message types %+v, want %s", name, role, app, peer, f.MessageTypes, msgType)
			}
			if equipment != "" && !slices.ContainsFunc(f.Equipment, func(e store.HL7Equipment) bool { return strings.Contains(e.ID, equipment) }) {
				t.Errorf("%s: equipment %+v, want %s", name, f.Equipment, equipment)
			}
			return f
		}
		t.Errorf("%s: no HL7 %s fact as %s with peer %s: %+v", name, role, app, peer, facts)
		return nil
	}
	if f := checkHL7("pumpgw", "sender", e2ePumpGWApp, e2eEngineApp, "ORU^R01", "ALARIS8015-SN12345678"); f != nil {
		counts.check("pumpgw messages sent", f.Messages, 2)
	}
	if f := checkHL7("ehr01", "sender", e2eEHRApp, e2eEngineApp, "ADT^A01", "BEDSCALE-0042"); f != nil {
		counts.check("ehr01 messages sent", f.Messages, 1)
	}
	for _, peer := range []struct {
		app string
		n   uint64
	}{{e2ePumpGWApp, 2}, {e2eEHRApp, 1}} {
		if f := checkHL7("hl7eng", "receiver", e2eEngineApp, peer.app, "", ""); f != nil {
			if f.AcksSent == 0 {
				t.Errorf("hl7eng: no acknowledgement to %s counted", peer.app)
			}
			counts.check("hl7eng messages from "+peer.app, f.Messages, peer.n)
			counts.check("hl7eng acknowledgements to "+peer.app, f.AcksSent, peer.n)
		}
	}

	// The one intended violation, and no other: the policy allows the rest.
	vs, _, err := db.FindViolations(ctx, store.ViolationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range vs {
		if v.Rule == "pumps-to-internet" && v.Src == keyOf(t, "pump01") && v.DstIP.String() == e2eForeignIP &&
			v.Port == e2eForeignPort && v.Proto == 6 && v.SrcZone == "pumps" && v.DstZone == "internet" && v.Severity == "critical" {
			found = true
			continue
		}
		t.Errorf("unexpected violation: rule %s (%s -> %s): %s %s -> %s port %d proto %d (%s)", v.Rule, v.SrcZone, v.DstZone,
			v.Src, v.SrcIP, v.DstIP, v.Port, v.Proto, v.Service)
	}
	if !found {
		t.Errorf("no pumps-to-internet violation of pump01 -> %s:%d in the database: %+v", e2eForeignIP, e2eForeignPort, vs)
	}
}

// e2eFactCountsExact makes a wrong association, command or message count
// an error. The store counts every association state report the sensor
// sends (sensor/streams.go reportDICOM: A-ASSOCIATE-RQ, -AC, release, end of
// connection) as an association and re-counts every command in each report
// (store/write_statements.go sDICOMUpsert, sDICOMCmdUpsert), the sensor reports an HL7
// header once per connection (sensor/streams.go reportHL7), and a routed
// connection seen on both VLANs of one vantage is counted twice. Until that
// is fixed the differences are only logged.
const e2eFactCountsExact = true

type factCounts struct{ t *testing.T }

func (c factCounts) check(what string, got, want uint64) {
	c.t.Helper()
	switch {
	case got == want:
	case e2eFactCountsExact:
		c.t.Errorf("%s: %d, want %d", what, got, want)
	default:
		c.t.Logf("KNOWN PRODUCT BUG (fact counts, see e2eFactCountsExact): %s: %d, want %d", what, got, want)
	}
}

func findDICOM(facts []store.DICOMFact, role, ae, peer string) *store.DICOMFact {
	for i := range facts {
		if facts[i].Role == role && facts[i].AETitle == ae && facts[i].PeerAETitle == peer {
			return &facts[i]
		}
	}
	return nil
}

func hasSOP(s []store.DICOMSOPClass, uid string) bool {
	return slices.ContainsFunc(s, func(x store.DICOMSOPClass) bool { return x.UID == uid })
}

// e2eIdentityRecord is the identity part of an `assets -o json` record
// (inventory.AssetRecord).
type e2eIdentityRecord struct {
	VLAN         uint16 `json:"vlan"`
	MAC          string `json:"mac"`
	Manufacturer string `json:"manufacturer"`
	Model        string `json:"model"`
	Version      string `json:"version"`
}

// checkE2EAssets checks `assets -o json`: every device there once, with its
// VLAN stamped by the capture interface's config, the clinical ones with
// their manufacturer, model and version (e2eIdentities).
func checkE2EAssets(t *testing.T, out string) {
	t.Helper()
	var recs []assetRecord
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("assets -o json: %v", err)
	}
	n := map[string]int{}
	for _, r := range recs {
		n[fmt.Sprintf("%d/%s", r.VLAN, r.MAC)]++
		if r.VLAN == 0 {
			t.Errorf("assets -o json: %s on VLAN 0: the capture interface's vlan was not applied", r.MAC)
		}
	}
	for _, w := range e2eWanted(t) {
		if k := fmt.Sprintf("%d/%s", w.key.VLAN, w.key.MAC); n[k] != 1 {
			t.Errorf("assets -o json: %s appears %d times, want once", k, n[k])
		}
	}
	// The clinical devices' manufacturer, model and version, as the CLI
	// prints them.
	var ids []e2eIdentityRecord
	if err := json.Unmarshal([]byte(out), &ids); err != nil {
		t.Fatalf("assets -o json: %v", err)
	}
	for _, host := range e2eHosts {
		want, ok := e2eIdentityOf(t, host.name)
		if !ok {
			continue
		}
		key := keyOf(t, host.name)
		i := slices.IndexFunc(ids, func(r e2eIdentityRecord) bool { return r.VLAN == key.VLAN && r.MAC == key.MAC.String() })
		if i < 0 {
			continue // reported above
		}
		if r := ids[i]; r.Manufacturer != want.manufacturer || r.Model != want.model || r.Version != want.version {
			t.Errorf("assets -o json: %s: manufacturer %q, model %q, version %q; want %q, %q, %q", host.name,
				r.Manufacturer, r.Model, r.Version, want.manufacturer, want.model, want.version)
		}
	}
}

var violationsMetric = regexp.MustCompile(`(?m)^wardwatch_policy_violations_total\{([^}]*)\} (\S+)$`)
var kernelDropsMetric = regexp.MustCompile(`(?m)^wardwatch_capture_kernel_drops_total\{([^}]*)\} (\S+)$`)

func checkE2EMetrics(t *testing.T, body string) {
	t.Helper()
	found := false
	for _, m := range violationsMetric.FindAllStringSubmatch(body, -1) {
		if strings.Contains(m[1], `rule="pumps-to-internet"`) && strings.Contains(m[1], `src_zone="pumps"`) &&
			strings.Contains(m[1], `dst_zone="internet"`) {
			found = true
			if m[2] != "1" {
				t.Errorf("/metrics: wardwatch_policy_violations_total{%s} = %s, want 1", m[1], m[2])
			}
		} else {
			t.Errorf("/metrics: unexpected violation counter {%s} %s", m[1], m[2])
		}
	}
	if !found {
		t.Errorf("/metrics: no wardwatch_policy_violations_total for pumps-to-internet:\n%s", grepLines(body, "violations"))
	}
	drops := kernelDropsMetric.FindAllStringSubmatch(body, -1)
	if len(drops) == 0 {
		t.Errorf("/metrics: no wardwatch_capture_kernel_drops_total")
	}
	for _, m := range drops {
		if m[2] != "0" {
			t.Errorf("/metrics: wardwatch_capture_kernel_drops_total{%s} = %s, want 0", m[1], m[2])
		}
	}
}

var silentMetric = regexp.MustCompile(`(?m)^wardwatch_silent_critical_assets\{([^}]*)\} (\S+)$`)

// checkE2ESilent waits for the critical device of the test policy (ws01,
// heard from at least every 2s + 1s grace, quiet since its lease and ARP)
// to be reported silent: wardwatch_silent_critical_assets and a silent event.
func checkE2ESilent(t *testing.T, h *hospital) {
	t.Helper()
	ws := e2eHostNamed("ws01")
	deadline := time.Now().Add(20 * time.Second) // the metric is cached up to 10s
	for {
		var series []string
		silent := 0.0
		for _, m := range silentMetric.FindAllStringSubmatch(h.httpGet("/metrics").body, -1) {
			series = append(series, m[0])
			var v float64
			fmt.Sscan(m[2], &v)
			silent += v
		}
		ev := h.httpGet("/api/v1/events?type=silent&mac=" + ws.mac)
		if silent == 1 && ev.code == http.StatusOK && strings.Contains(ev.body, ws.mac) {
			t.Logf("silent critical device reported: %v", series)
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("ws01 (critical, quiet) not reported silent within 20s: metric %v; silent events: %.500s", series, ev.body)
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// checkE2EAPI checks GET /api/v1/violations when the API exists.
func checkE2EAPI(t *testing.T, r httpResult) {
	t.Helper()
	switch {
	case r.code == http.StatusNotFound:
		t.Logf("NOTE: GET /api/v1/violations answered 404: this build has no violations API yet; " +
			"its assertion is left out (the violation was checked in the database and /metrics)")
	case r.code == http.StatusOK && strings.Contains(r.contentType, "json"):
		var page struct {
			Total *int `json:"total"`
		}
		if err := json.Unmarshal([]byte(r.body), &page); err != nil {
			t.Errorf("/api/v1/violations: %v: %.300s", err, r.body)
		} else if page.Total != nil && *page.Total != 1 {
			t.Errorf("/api/v1/violations: total %d, want 1 (the one intended violation): %.1000s", *page.Total, r.body)
		}
		for _, s := range []string{"pumps-to-internet", e2eForeignIP, e2eHostNamed("pump01").mac} {
			if !strings.Contains(strings.ToLower(r.body), strings.ToLower(s)) {
				t.Errorf("/api/v1/violations does not mention %s: %.500s", s, r.body)
			}
		}
	default:
		t.Errorf("GET /api/v1/violations: status %d, Content-Type %q: %.300s", r.code, r.contentType, r.body)
	}
}

var captureStoppedLine = regexp.MustCompile(`capture stopped.* interface=(\S+) .*packets=(\d+) .*kernel_drops=(\d+)`)

// checkE2ECaptureStats reads the per-interface counters the daemon logs at
// shutdown: every mirror delivered frames, the kernel dropped none.
func checkE2ECaptureStats(t *testing.T, log string) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range captureStoppedLine.FindAllStringSubmatch(log, -1) {
		seen[m[1]] = true
		t.Logf("%s: %s packets, %s kernel drops", m[1], m[2], m[3])
		if m[2] == "0" {
			t.Errorf("%s captured no packet", m[1])
		}
		if m[3] != "0" {
			t.Errorf("%s: %s kernel drops, want 0", m[1], m[3])
		}
	}
	for _, v := range e2eVLANs {
		if !seen[v.mirror] {
			t.Errorf("no \"capture stopped\" line for %s in the daemon's log", v.mirror)
		}
	}
}

func dirContains(t *testing.T, dir, s string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
