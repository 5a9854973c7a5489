package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/store"
)

var update = flag.Bool("update", false, "update golden files")

// goldenCaptures are the shared captures whose assets and events are pinned
// in testdata/golden. Values were spot-checked by hand against tshark (see
// sensor/decode_test.go for the VLAN/tunnel fields, and the comments here).
var goldenCaptures = []string{
	// ARP
	"chrissanders-packets/arp_gratuitous.pcapng",
	"chrissanders-packets/arp_resolution.pcapng",
	"chrissanders-packets/arppoison.pcapng", // ARP poisoning: ip-moved / flip-flop events
	"zeek/arp-who-has.pcap",
	"zeek/arp-leak.pcap",
	"zeek/linuxsll-arp.pcap",
	"zeek/snap-arp.pcapng",
	"arkime/cloudshark-arp.pcap",
	// DHCP
	"chrissanders-packets/dhcp_nolease_initialization.pcapng",
	"chrissanders-packets/dhcp_inlease_renewal.pcapng",
	"zeek/dhcp.pcap",
	"zeek/dhcp_ack_subscriber_id_and_agent_remote_id.pcap",
	"zeek/dhcp_discover_param_req_and_client_id.pcap",
	"zeek/dhcp_time_and_nameserver.pcap",
	"zeek/dhcp_inform.pcap",
	"zeek/hw-type0.pcap",
	"suricata-verify/dhcp-option-52-overload__input.pcap",
	"suricata-verify/dhcp-eve-extended-option-60__input.pcap",
	"arkime/wireshark-dhcp.pcap",
	"ndpi/android.pcap",
	"ndpi/dhcp-fuzz.pcapng",
	// VLAN / QinQ
	"zeek/q-in-q.pcap",
	"zeek/icmp_dot1q.pcap",
	"zeek/vlan-qinqinq.pcap",
	"zeek/vlan-pcp-dei.pcapng",
	"arkime/dot1ad.pcap",
	"arkime/twovlan.pcap",
	// ERSPAN / GRE / VXLAN
	"zeek/erspanI.pcap",
	"zeek/erspanII.pcap",
	"zeek/erspanIII.pcap",
	"zeek/gre-erspan3-dot1q.pcap",
	"zeek/erspan.pcap",
	"suricata-verify/decode-erspan-typeI-02__input.pcap",
	"arkime/gre-erspan.pcap",
	"arkime/gre-erspan-vxlan.pcap",
	"arkime/gre-sample.pcap",
	"ndpi/vxlan.pcap",
	"suricata-verify/detect-arp-04-vxlan__vxlan-arp.pcap",
	"suricata-verify/vxlan-decoder-03__vxlan.pcap",
	"zeek/vxlan-encapsulated-http.pcap",
}

func TestGolden(t *testing.T) {
	root := sharedPcaps(t)
	for _, c := range goldenCaptures {
		name := strings.NewReplacer("/", "__").Replace(c)
		t.Run(name, func(t *testing.T) {
			db := replayGolden(t, filepath.Join(root, c))
			checkGolden(t, filepath.Join("testdata", "golden", name+".jsonl"), dumpDB(t, db), "TestGolden")
		})
	}
}

// replayGolden replays capture into a fresh database with vantage "golden"
// and returns the database path.
func replayGolden(t *testing.T, capture string) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "golden.db")
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"replay", "-q", "--workers", "1", "--db", db, "--vantage", "golden", capture}, &out, &errb); code != 0 {
		t.Fatalf("replay exit %d: %s", code, errb.String())
	}
	return db
}

// checkGolden compares got with the golden file at path, or rewrites the
// file with -update.
func checkGolden(t *testing.T, path string, got []byte, testName string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/wardwatch -run %s -update)", err, testName)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (rerun with -update after checking):\n%s", path, diffLines(want, got))
	}
}

// dumpDB writes every asset and event as JSON lines, assets first.
func dumpDB(tb testing.TB, path string) []byte {
	tb.Helper()
	db, err := store.OpenReadOnly(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	assets, err := db.Assets(ctx, store.AssetFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	for _, a := range assets {
		line, _ := json.Marshal(struct {
			Asset any `json:"asset"`
		}{toRecord(a)})
		buf.Write(line)
		buf.WriteByte('\n')
	}
	evs, _, err := db.FindEvents(ctx, store.EventFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range evs {
		r := eventRecord{Time: rfc3339(e.Time), Type: e.Type, Vantage: e.Key.Vantage, VLAN: e.Key.VLAN, OldValue: e.OldValue, NewValue: e.NewValue}
		if !e.Key.MAC.IsZero() {
			r.MAC = e.Key.MAC.String()
		}
		if e.IP.IsValid() {
			r.IP = e.IP.String()
		}
		line, _ := json.Marshal(struct {
			Event any `json:"event"`
		}{r})
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func diffLines(want, got []byte) string {
	w := strings.Split(string(want), "\n")
	g := strings.Split(string(got), "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			b.WriteString("- " + a + "\n+ " + c + "\n")
		}
	}
	return b.String()
}

func sharedPcaps(tb testing.TB) string {
	tb.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "pcaps"))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared captures not found at %s: skipping (they sit beside the repo in CI)", p)
	}
	return p
}
