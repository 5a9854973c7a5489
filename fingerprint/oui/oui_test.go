package oui

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/wardwatch/wardwatch/fingerprint/oui/internal/ieeecsv"
	"github.com/wardwatch/wardwatch/fingerprint/oui/internal/tablefmt"
	"github.com/wardwatch/wardwatch/model"
)

func mac(t testing.TB, s string) model.MAC {
	t.Helper()
	m, err := model.ParseMAC(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestKnownEntries(t *testing.T) {
	for _, c := range []struct {
		mac, org, reg string
	}{
		// MA-L
		{"00:50:56:12:34:56", "VMware, Inc.", RegistryMAL},
		{"00:0c:29:ab:cd:ef", "VMware, Inc.", RegistryMAL},
		{"08:00:27:00:00:01", "PCS Systemtechnik GmbH", RegistryMAL}, // VirtualBox
		{"00:1c:42:00:00:08", "Parallels, Inc.", RegistryMAL},
		{"00:10:5d:01:02:03", "Draeger Medical", RegistryMAL},
		{"44:4b:5d:01:02:03", "GE Healthcare", RegistryMAL},
		// MA-M inside 20:85:93 (MA-L: IEEE Registration Authority).
		{"20:85:93:b0:00:01", "IOG Products LLC", RegistryMAM},
		{"20:85:93:bf:ff:ff", "IOG Products LLC", RegistryMAM},
		{"20:85:93:a0:00:00", "H3 Industries, Inc.", RegistryMAM},
		{"20:85:93:f0:00:00", "IEEE Registration Authority", RegistryMAL}, // 20:85:93:F unassigned
		// MA-S inside 70:B3:D5 (MA-L: IEEE Registration Authority).
		{"70:b3:d5:f2:f0:00", "TELEPLATFORMS", RegistryMAS},
		{"70:b3:d5:f2:ff:ff", "TELEPLATFORMS", RegistryMAS},
		{"70:b3:d5:f2:e1:23", "Shanghai JCY Technology Company", RegistryMAS},
		{"70:b3:d5:f3:00:01", "ADE Technology Inc.", RegistryMAS},
		{"70:b3:d5:b3:4a:bc", "Medtronic", RegistryMAS},
		// IAB inside 00:50:C2 (MA-L: IEEE Registration Authority).
		{"00:50:c2:7d:51:23", "DEUTA-WERKE GmbH", RegistryIAB},
		{"00:50:c2:2e:0f:ff", "Baxter International Inc", RegistryIAB},
		// Normalised names.
		{"44:b2:95:00:00:01", "Sichuan AI-Link Technology Co., Ltd.", RegistryMAL}, // no-break spaces
		{"90:12:34:00:00:01", "Shenzhen YOUHUA Technology Co., Ltd", RegistryMAL},  // trailing tab
		// Assigned to three organisations.
		{"08:00:30:00:00:01", "CERN / NETWORK RESEARCH CORPORATION / ROYAL MELBOURNE INST OF TECH", RegistryMAL},
	} {
		m := mac(t, c.mac)
		org, reg, ok := LookupRegistry(m)
		if !ok || org != c.org || reg != c.reg {
			t.Errorf("LookupRegistry(%s) = %q, %q, %v; want %q, %q, true", c.mac, org, reg, ok, c.org, c.reg)
		}
		org2, ok2 := Lookup(m)
		if org2 != org || ok2 != ok {
			t.Errorf("Lookup(%s) = %q, %v; LookupRegistry gave %q, %v", c.mac, org2, ok2, org, ok)
		}
	}
}

func TestNotFound(t *testing.T) {
	for _, s := range []string{
		"52:54:00:12:34:56", // QEMU/KVM: locally administered
		"02:00:00:00:00:01", // locally administered
		"02:50:56:12:34:56", // VMware OUI with U/L bit set
		"da:a1:19:00:00:01", // randomised ("private") address
		"aa:00:04:00:00:01", // registered to DEC, but the U/L bit is set
		"01:00:5e:00:00:fb", // IPv4 multicast
		"33:33:00:00:00:01", // IPv6 multicast
		"01:80:c2:00:00:0e", // LLDP
		"01:50:56:00:00:01", // VMware OUI with I/G bit set
		"ff:ff:ff:ff:ff:ff", // broadcast
		"12:34:56:78:9a:bc", // local
		"a0:00:00:00:00:00", // universal but unassigned
		"fc:00:00:00:00:00", // universal but unassigned
	} {
		if org, reg, ok := LookupRegistry(mac(t, s)); ok || org != "" || reg != "" {
			t.Errorf("LookupRegistry(%s) = %q, %q, %v; want not found", s, org, reg, ok)
		}
		if org, ok := Lookup(mac(t, s)); ok || org != "" {
			t.Errorf("Lookup(%s) = %q, %v; want not found", s, org, ok)
		}
	}
}

func TestLen(t *testing.T) {
	n := Len()
	if n <= 40000 {
		t.Errorf("Len() = %d, want > 40000", n)
	}
	if want := genCountMAL + genCountMAM + genCountMAS + genCountIAB; n != want {
		t.Errorf("Len() = %d, table_gen.go says %d", n, want)
	}
}

func TestSourceConstants(t *testing.T) {
	if len(SourceDate) != len("2006-01-02") || SourceDate[4] != '-' || SourceDate[7] != '-' {
		t.Errorf("SourceDate = %q, want YYYY-MM-DD", SourceDate)
	}
	if SourceVersion == "" {
		t.Error("SourceVersion is empty")
	}
}

// TestInterned checks each organisation is stored once: two prefixes of the
// same organisation return the same string data.
func TestInterned(t *testing.T) {
	a, _ := Lookup(mac(t, "00:50:56:00:00:01"))
	b, _ := Lookup(mac(t, "00:0c:29:00:00:01"))
	if a != b || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Errorf("VMware not interned: %q@%p vs %q@%p", a, unsafe.StringData(a), b, unsafe.StringData(b))
	}
	d := get()
	seen := make(map[string]bool, len(d.orgs))
	for _, o := range d.orgs {
		if seen[o] {
			t.Fatalf("organisation %q stored twice", o)
		}
		seen[o] = true
		if o == "" || strings.TrimSpace(o) != o {
			t.Fatalf("organisation %q not trimmed", o)
		}
	}
}

// TestEveryEntry looks up an address inside every assignment of the table.
func TestEveryEntry(t *testing.T) {
	d := get()
	check := func(m model.MAC, wantOrg uint32, wantReg string) {
		t.Helper()
		org, reg, ok := LookupRegistry(m)
		if m.IsLocal() || m.IsGroup() {
			if ok {
				t.Errorf("%v: found %q, want not found (local/group)", m, org)
			}
			return
		}
		if !ok || org != d.orgs[wantOrg] || reg != wantReg {
			t.Errorf("%v = %q, %q, %v; want %q, %q", m, org, reg, ok, d.orgs[wantOrg], wantReg)
		}
	}
	for i, k := range d.mas.keys {
		check(model.MAC{byte(k >> 28), byte(k >> 20), byte(k >> 12), byte(k >> 4), byte(k<<4) | 0x0a, 0xbc}, d.mas.orgs[i], RegistryMAS)
	}
	for i, k := range d.iab.keys {
		check(model.MAC{byte(k >> 28), byte(k >> 20), byte(k >> 12), byte(k >> 4), byte(k << 4), 0x01}, d.iab.orgs[i], RegistryIAB)
	}
	has36 := func(m model.MAC) bool {
		k := uint64(m[0])<<28 | uint64(m[1])<<20 | uint64(m[2])<<12 | uint64(m[3])<<4 | uint64(m[4])>>4
		_, a := d.mas.find(k)
		_, b := d.iab.find(k)
		return a || b
	}
	for i, k := range d.mam.keys {
		m := model.MAC{byte(k >> 20), byte(k >> 12), byte(k >> 4), byte(k<<4) | 0x07, 0x77, 0x77}
		if !has36(m) {
			check(m, d.mam.orgs[i], RegistryMAM)
		}
	}
	local := 0
	for i, k := range d.mal.keys {
		m := model.MAC{byte(k >> 16), byte(k >> 8), byte(k), 0xfe, 0xdc, 0xba}
		if m.IsLocal() || m.IsGroup() {
			local++
		}
		if _, reg, _ := LookupRegistry(m); reg == RegistryMAL || reg == "" {
			check(m, d.mal.orgs[i], RegistryMAL)
		}
	}
	t.Logf("%d MA-L assignments have the U/L or I/G bit set and are never returned", local)
}

// TestUpToDate regenerates the table from /usr/share/ieee-data when the
// installed snapshot is the embedded one and checks the result is identical,
// i.e. table.bin.gz matches what go generate would produce.
func TestUpToDate(t *testing.T) {
	const dir = "/usr/share/ieee-data"
	lu, err := os.ReadFile(dir + "/.lastupdate")
	if err != nil {
		t.Skipf("ieee-data not installed: %v", err)
	}
	date := strings.TrimSpace(string(lu))
	if sec, err := strconv.ParseInt(date, 10, 64); err == nil {
		date = time.Unix(sec, 0).UTC().Format(time.DateOnly)
	}
	if date != SourceDate {
		t.Skipf("installed ieee-data is from %s, embedded table from %s; run go generate to update", date, SourceDate)
	}
	tab, _, err := ieeecsv.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := tablefmt.Encode(nil, tab)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(tableGz))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("embedded table differs from one generated from %s; run go generate", dir)
	}
}

func TestDecodeRejectsCorrupt(t *testing.T) {
	if _, err := decode(tableGz[:len(tableGz)/2]); err == nil {
		t.Error("truncated table: no error")
	}
	if _, err := decode([]byte("not gzip")); err == nil {
		t.Error("garbage: no error")
	}
}

func TestConcurrentFirstUse(t *testing.T) {
	// Run under -race: all goroutines race to trigger the lazy load.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if org, ok := Lookup(model.MAC{0x00, 0x50, 0x56, 1, 2, 3}); !ok || org != "VMware, Inc." {
				t.Errorf("Lookup = %q, %v", org, ok)
			}
		})
	}
	wg.Wait()
}

var (
	sinkOrg, sinkReg string
	sinkOK           bool
)

var benchMACs = []model.MAC{
	{0x00, 0x50, 0x56, 0x12, 0x34, 0x56}, // MA-L hit
	{0x70, 0xb3, 0xd5, 0xb3, 0x4a, 0xbc}, // MA-S hit
	{0x20, 0x85, 0x93, 0xb0, 0x00, 0x01}, // MA-M hit
	{0x00, 0x50, 0xc2, 0x2e, 0x0f, 0xff}, // IAB hit
	{0x44, 0x4b, 0x5d, 0x01, 0x02, 0x03}, // MA-L hit
	{0xa0, 0x00, 0x00, 0x00, 0x00, 0x00}, // miss
	{0xda, 0xa1, 0x19, 0x00, 0x00, 0x01}, // local: early out
	{0x08, 0x00, 0x27, 0x00, 0x00, 0x01}, // MA-L hit
}

func TestLookupDoesNotAllocate(t *testing.T) {
	Len() // load
	allocs := testing.AllocsPerRun(1000, func() {
		for _, m := range benchMACs {
			sinkOrg, sinkOK = Lookup(m)
			sinkOrg, sinkReg, sinkOK = LookupRegistry(m)
		}
	})
	if allocs != 0 {
		t.Errorf("Lookup allocates %v times per run, want 0", allocs)
	}
}

func BenchmarkLookup(b *testing.B) {
	Len() // load outside the timer
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sinkOrg, sinkOK = Lookup(benchMACs[i%len(benchMACs)])
	}
}

func BenchmarkLookupMALHit(b *testing.B) {
	Len()
	b.ReportAllocs()
	m := model.MAC{0x00, 0x50, 0x56, 0x12, 0x34, 0x56}
	for b.Loop() {
		sinkOrg, sinkOK = Lookup(m)
	}
}

func BenchmarkLookupMASHit(b *testing.B) {
	Len()
	b.ReportAllocs()
	m := model.MAC{0x70, 0xb3, 0xd5, 0xb3, 0x4a, 0xbc}
	for b.Loop() {
		sinkOrg, sinkOK = Lookup(m)
	}
}

// BenchmarkLoad measures the one-off decompression on first use.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(tableGz); err != nil {
			b.Fatal(err)
		}
	}
}
