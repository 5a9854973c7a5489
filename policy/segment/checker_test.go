package segment

import (
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/store"
)

// The store's side of the checker, as cmd wires it.
var (
	_ Store   = (*store.DB)(nil)
	_ Classes = (*store.ClassIndex)(nil)
)

// byHostname classifies by DHCP hostname prefix, as strong as a DHCP
// vendor class.
type byHostname struct{}

func (byHostname) Classify(f *fingerprint.Facts) fingerprint.Result {
	for prefix, class := range map[string]model.Class{"PUMP": model.ClassInfusionPump, "WS": model.ClassWorkstation, "PACS": model.ClassPACS} {
		if strings.HasPrefix(f.Hostname, prefix) {
			return fingerprint.Result{Class: class, Strength: fingerprint.StrengthDHCPVendorClass, Confidence: 80}
		}
	}
	return fingerprint.Result{Class: model.ClassUnknown}
}

const checkerPolicy = `default: allow
zones:
  - name: pumps
    classes: [infusion-pump]
  - name: workstations
    cidrs: [10.40.0.0/16]
  - name: pacs
    cidrs: [10.50.0.20/32]
rules:
  - name: pumps-to-internet
    from: pumps
    to: internet
    action: alert
    severity: critical
  - name: workstations-to-pacs
    from: workstations
    to: pacs
    action: alert
`

// rig is a checker in front of a real store whose writer commits only
// when asked (Flush), so each test decides when classification lands.
type rig struct {
	t   *testing.T
	db  *store.DB
	c   *Checker
	mu  sync.Mutex
	got []*Violation
}

func newRig(t *testing.T) *rig {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "inventory.db"), store.Options{
		Classifier: byHostname{}, FlushInterval: time.Hour, FlushSize: 100000})
	if err != nil {
		t.Fatal(err)
	}
	db.Start(context.Background())
	r := &rig{t: t, db: db}
	p, err := policy.Parse([]byte(checkerPolicy), "checker.yml")
	if err != nil {
		t.Fatal(err)
	}
	r.c = NewChecker(db, New(policy.NewHolder(p)), db.Classes(), func(v *Violation) {
		r.mu.Lock()
		r.got = append(r.got, v)
		r.mu.Unlock()
	})
	db.Classes().Watch(r.c.Committed)
	t.Cleanup(func() { db.Close() })
	return r
}

func (r *rig) submit(obs ...model.Observation) {
	r.t.Helper()
	for _, o := range obs {
		if err := r.c.Submit(context.Background(), o); err != nil {
			r.t.Fatal(err)
		}
	}
}

// commit commits what the store holds, as its flush interval would.
func (r *rig) commit() {
	r.t.Helper()
	if err := r.db.Flush(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) violations() []store.Violation {
	r.t.Helper()
	if err := r.c.Flush(context.Background()); err != nil {
		r.t.Fatal(err)
	}
	r.commit()
	vs, _, err := r.db.FindViolations(context.Background(), store.ViolationFilter{})
	if err != nil {
		r.t.Fatal(err)
	}
	return vs
}

var t0 = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

func key(mac string, vlan uint16) model.AssetKey {
	m, err := model.ParseMAC(mac)
	if err != nil {
		panic(err)
	}
	return model.AssetKey{Vantage: "span0", VLAN: vlan, MAC: m}
}

func seen(k model.AssetKey, t time.Time, hostname string) []model.Observation {
	obs := []model.Observation{{Kind: model.ObsActivity, Key: k, Time: t, First: t, Packets: 1, Bytes: 100}}
	if hostname != "" {
		obs = append(obs, model.Observation{Kind: model.ObsDHCP, Key: k, Time: t,
			DHCP: &model.DHCPInfo{MsgType: 3, Hostname: hostname}})
	}
	return obs
}

func flow(client, server model.AssetKey, cip, sip string, port uint16, t time.Time, clientLocal, serverLocal bool) model.Observation {
	return model.Observation{Kind: model.ObsFlow, Key: client, Time: t, Flow: &model.FlowInfo{
		Client: client, Server: server, ClientIP: netip.MustParseAddr(cip), ServerIP: netip.MustParseAddr(sip),
		ClientLocal: clientLocal, ServerLocal: serverLocal, Proto: 6, Port: port,
		Packets: 10, Bytes: 1000, Connections: 1, First: t}}
}

func arp(k model.AssetKey, ip string) model.Observation {
	return model.Observation{Kind: model.ObsARP, Key: k, Time: t0, IP: netip.MustParseAddr(ip), ARP: &model.ARPInfo{Op: 2}}
}

var (
	pump    = key("9c:c8:ae:3c:c8:ab", 20)
	router  = key("00:00:0c:9f:f0:01", 20)
	ws      = key("50:81:40:c5:14:da", 40)
	router4 = key("00:00:0c:9f:f0:01", 40)
	router5 = key("00:00:0c:9f:f0:01", 50)
	pacs    = key("dc:4a:3e:a2:c8:32", 50)
)

// A flow from a device whose class is not committed yet is judged once it
// is: the pump's first flow to the internet is a violation on a fresh
// database, with the pump's class in the report.
func TestCheckerJudgesWhenClassSettles(t *testing.T) {
	r := newRig(t)
	r.submit(seen(router, t0, "")...)
	r.commit()
	r.submit(seen(pump, t0, "PUMP-0045")...)
	r.submit(flow(pump, router, "10.20.0.104", "203.0.113.10", 443, t0.Add(time.Minute), true, false))
	vs := r.violations()
	if len(vs) != 1 || vs[0].Rule != "pumps-to-internet" || vs[0].SrcZone != "pumps" {
		t.Fatalf("violations = %+v, want pumps-to-internet from pumps", vs)
	}
	if len(r.got) != 1 || r.got[0].Src.Class != "infusion-pump" || r.got[0].Src.MAC != pump.MAC {
		t.Errorf("reported %+v, want one violation naming the pump's class", r.got)
	}
	if n := r.c.Flagged(); n != 1 {
		t.Errorf("Flagged = %d", n)
	}
}

// A flow judged before its device's class changed is judged again when it
// changes; the violation carries the flow's totals so far.
func TestCheckerRejudgesOnClassChange(t *testing.T) {
	r := newRig(t)
	r.submit(seen(router, t0, "")...)
	r.submit(seen(pump, t0, "")...)
	r.commit() // the pump is an asset of class unknown
	r.submit(flow(pump, router, "10.20.0.104", "203.0.113.10", 443, t0.Add(time.Minute), true, false),
		flow(pump, router, "10.20.0.104", "203.0.113.10", 443, t0.Add(2*time.Minute), true, false))
	if len(r.got) != 0 {
		t.Fatalf("flagged before the class is known: %+v", r.got)
	}
	r.submit(model.Observation{Kind: model.ObsDHCP, Key: pump, Time: t0.Add(3 * time.Minute),
		DHCP: &model.DHCPInfo{MsgType: 3, Hostname: "PUMP-0045"}})
	r.commit() // the pump becomes an infusion-pump
	// The next observation the sensor hands over lets the checker act.
	r.submit(seen(router, t0.Add(4*time.Minute), "")...)
	if len(r.got) != 1 || r.got[0].Src.Class != "infusion-pump" {
		t.Fatalf("reported %+v after the class change, want one", r.got)
	}
	vs := r.violations()
	if len(vs) != 1 || vs[0].Rule != "pumps-to-internet" || vs[0].Packets != 20 || vs[0].Connections != 2 {
		t.Errorf("violations = %+v, want one with the flow's 20 packets and 2 connections", vs)
	}
}

// The two copies of a routed flow (client's VLAN, server's VLAN) are one
// violation, reported once from the copy that knows the client's MAC and
// class, even when the other copy's ends are known first.
func TestCheckerRoutedCopies(t *testing.T) {
	r := newRig(t)
	r.submit(seen(router4, t0, "")...)
	r.submit(seen(router5, t0, "")...)
	r.submit(seen(pacs, t0, "PACS01")...)
	r.submit(arp(pacs, "10.50.0.20"))
	r.commit()
	r.submit(seen(ws, t0, "WS-NURS-03")...)
	r.submit(arp(ws, "10.40.0.113"))
	t1 := t0.Add(time.Minute)
	r.submit(flow(ws, router4, "10.40.0.113", "10.50.0.20", 104, t1, true, false),
		flow(router5, pacs, "10.40.0.113", "10.50.0.20", 104, t1.Add(time.Millisecond), false, true))
	vs := r.violations()
	if len(vs) != 1 || vs[0].Rule != "workstations-to-pacs" || vs[0].Count != 2 {
		t.Errorf("violations = %+v, want one workstations-to-pacs reported twice", vs)
	}
	if len(r.got) != 1 || r.got[0].Src.Class != "workstation" || r.got[0].Src.MAC != ws.MAC {
		t.Errorf("reported %+v, want once, with the workstation's MAC and class", r.got)
	}
}

// A flow whose client MAC only received frames (an asymmetric SPAN shows
// the replies) is not recorded by the store; the checker does not judge it
// either, and no device is invented.
func TestCheckerSkipsReceiverOnlyClient(t *testing.T) {
	r := newRig(t)
	r.submit(seen(router, t0, "")...)
	r.commit()
	ghost := key("c4:61:8b:35:82:a9", 20)
	r.submit(flow(ghost, router, "10.20.0.77", "203.0.113.10", 443, t0, false, false))
	if vs := r.violations(); len(vs) != 0 || len(r.got) != 0 {
		t.Errorf("violations %+v, reported %+v; want none", vs, r.got)
	}
	as, err := r.db.Assets(context.Background(), store.AssetFilter{})
	if err != nil || len(as) != 1 {
		t.Errorf("assets = %d, %v; want the router only", len(as), err)
	}
}
