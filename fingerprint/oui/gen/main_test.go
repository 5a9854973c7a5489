package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/fingerprint/oui/internal/tablefmt"
)

var update = flag.Bool("update", false, "rewrite testdata/golden")

// generate runs the generator on the fixture into a temporary directory.
func generate(t *testing.T, extra ...string) (gz, src []byte, stderr string) {
	t.Helper()
	dir := t.TempDir()
	out, goOut := filepath.Join(dir, "table.bin.gz"), filepath.Join(dir, "table_gen.go")
	var errBuf bytes.Buffer
	args := append([]string{"-in", "testdata/ieee", "-out", out, "-go", goOut, "-version", "20220827.1"}, extra...)
	if err := run(args, &errBuf); err != nil {
		t.Fatalf("run: %v\n%s", err, errBuf.String())
	}
	gz, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	src, err = os.ReadFile(goOut)
	if err != nil {
		t.Fatal(err)
	}
	return gz, src, errBuf.String()
}

func gunzip(t *testing.T, gz []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden output (go test -update rewrites it)\ngot:\n%q\nwant:\n%q", name, got, want)
	}
}

// TestGolden checks the generator is deterministic: two runs give identical
// bytes, and the output matches the committed golden files. The table is
// compared uncompressed, so a change in compress/flate between Go releases
// does not break the test.
func TestGolden(t *testing.T) {
	gz1, src1, stderr := generate(t)
	gz2, src2, _ := generate(t)
	if !bytes.Equal(gz1, gz2) || !bytes.Equal(src1, src2) {
		t.Fatal("two runs on the same input produced different output")
	}
	raw := gunzip(t, gz1)
	golden(t, "table.bin", raw)
	golden(t, "table_gen.go.golden", src1)
	golden(t, "warnings.txt", []byte(stderr))

	if !bytes.HasPrefix(src1, []byte("// Code generated ")) || !bytes.Contains(src1, []byte("DO NOT EDIT.\n")) {
		t.Errorf("generated Go file lacks the standard Code generated header:\n%s", src1)
	}
	for _, want := range []string{`SourceDate = "2022-08-27"`, `SourceVersion = "20220827.1"`,
		"genCountMAL  = 9", "genCountMAM  = 3", "genCountMAS  = 3", "genCountIAB  = 2"} {
		if !bytes.Contains(src1, []byte(want)) {
			t.Errorf("generated Go file lacks %q:\n%s", want, src1)
		}
	}

	// Spot-check the decoded fixture table.
	tab, err := tablefmt.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	orgOf := func(r tablefmt.Registry, k uint64) string {
		s := tab.Sections[r]
		for i, kk := range s.Keys {
			if kk == k {
				return tab.Orgs[s.Orgs[i]]
			}
		}
		return "<missing>"
	}
	for _, c := range []struct {
		r    tablefmt.Registry
		k    uint64
		want string
	}{
		{tablefmt.MAL, 0x005056, "VMware, Inc."},
		{tablefmt.MAL, 0x000C29, "VMware, Inc."},
		{tablefmt.MAL, 0x080030, "CERN / NETWORK RESEARCH CORPORATION / ROYAL MELBOURNE INST OF TECH"},
		{tablefmt.MAL, 0x44B295, "Sichuan AI-Link Technology Co., Ltd."},
		{tablefmt.MAL, 0x901234, "Shenzhen YOUHUA Technology Co., Ltd"},
		{tablefmt.MAM, 0x208593B, "IOG Products LLC"},
		{tablefmt.MAS, 0x70B3D5719, "2M Technology"},
		{tablefmt.IAB, 0x0050C22E0, "Baxter International Inc"},
		{tablefmt.IAB, 0x0050C2FFF, "<missing>"}, // organisation blank after normalisation
	} {
		if got := orgOf(c.r, c.k); got != c.want {
			t.Errorf("%v %#x = %q, want %q", c.r, c.k, got, c.want)
		}
	}
	if n := strings.Count(stderr, "warning:"); n != 2 {
		t.Errorf("got %d warnings, want 2 (duplicate 08-00-30, blank IAB):\n%s", n, stderr)
	}
}

func TestDateFlagOverridesLastUpdate(t *testing.T) {
	_, src, _ := generate(t, "-date", "2024-01-02", "-q")
	if !bytes.Contains(src, []byte(`SourceDate = "2024-01-02"`)) {
		t.Errorf("-date ignored:\n%s", src)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hdr := "Registry,Assignment,Organization Name,Organization Address\n"
	write("oui.csv", hdr+"MA-L,005056,VMware,x\n")
	write("mam.csv", hdr)
	write("oui36.csv", hdr)
	write("iab.csv", hdr)
	args := []string{"-in", dir, "-out", filepath.Join(dir, "o.gz"), "-go", filepath.Join(dir, "o.go"), "-version", "1", "-date", "2022-01-01"}
	if err := run(args, io.Discard); err != nil {
		t.Fatalf("minimal input: %v", err)
	}
	for name, content := range map[string]string{
		"oui.csv":   hdr + "MA-M,005056,VMware,x\n", // wrong registry
		"mam.csv":   hdr + "MA-M,00505,x,x\n",       // too short
		"oui36.csv": hdr + "MA-S,70B3D5XYZ,x,x\n",   // not hex
		"iab.csv":   "Foo,Bar,Baz\n",                // bad header
	} {
		old, _ := os.ReadFile(filepath.Join(dir, name))
		write(name, content)
		if err := run(args, io.Discard); err == nil {
			t.Errorf("%s %q: no error", name, content)
		}
		write(name, string(old))
	}
	if err := run(append(args, "-date", "27.08.2022"), io.Discard); err == nil {
		t.Error("bad -date: no error")
	}
	os.Remove(filepath.Join(dir, "iab.csv"))
	if err := run(args, io.Discard); err == nil {
		t.Error("missing iab.csv: no error")
	}
}

func TestReadLastUpdate(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]string{
		"1661630937\n": "2022-08-27",
		"2023-05-06\n": "2023-05-06",
		"garbage":      "",
	} {
		p := filepath.Join(dir, "lu")
		os.WriteFile(p, []byte(content), 0o644)
		got, err := readLastUpdate(p)
		if want == "" {
			if err == nil {
				t.Errorf("%q: no error", content)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%q: got %q, %v; want %q", content, got, err, want)
		}
	}
}
