package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/wardwatch/wardwatch/store"
)

// crashCopies is how many times bigCapture repeats its source capture.
const crashCopies = 20

// bigCapture writes a capture made of copies of src in which every frame
// gets its own locally administered source MAC 02:cc:<copy>:<frame>, so the
// file holds copies*frames distinct assets. Timestamps move on by an hour
// per copy. Frames longer than 600 bytes are cut to 128 (a short snaplen:
// headers are all the sensor needs, DHCP and ARP frames are shorter). It
// returns the number of frames written.
func bigCapture(tb testing.TB, src, dst string, copies int) int {
	tb.Helper()
	in, err := os.Open(src)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	r, err := pcapgo.NewReader(in)
	if err != nil {
		tb.Fatal(err)
	}
	if r.LinkType() != layers.LinkTypeEthernet {
		tb.Fatalf("%s: link type %s, want Ethernet", src, r.LinkType())
	}
	type frame struct {
		ci   gopacket.CaptureInfo
		data []byte
	}
	var frames []frame
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if len(data) >= 14 {
			frames = append(frames, frame{ci, data})
		}
	}
	out, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	w := pcapgo.NewWriter(out)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		tb.Fatal(err)
	}
	buf := make([]byte, 0, 65536)
	n := 0
	for c := 0; c < copies; c++ {
		for i, f := range frames {
			data := f.data
			ci := f.ci
			if len(data) > 600 {
				// Keep the file small, as a capture with a short
				// snaplen would: the headers are all that matters.
				data = data[:128]
				ci.CaptureLength = len(data)
			}
			buf = append(buf[:0], data...)
			copy(buf[6:12], []byte{0x02, 0xcc, byte(c >> 8), byte(c), byte(i >> 8), byte(i)})
			ci.Timestamp = ci.Timestamp.Add(time.Duration(c) * time.Hour)
			if err := w.WritePacket(ci, buf); err != nil {
				tb.Fatal(err)
			}
			n++
		}
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
	return n
}

// countAssets returns the number of assets in the database at path, or -1
// while it cannot be read yet (not created, schema not applied).
func countAssets(path string) int {
	db, err := store.OpenReadOnly(path)
	if err != nil {
		return -1
	}
	defer db.Close()
	n, _, err := db.Counts(context.Background())
	if err != nil {
		return -1
	}
	return n
}

// firstSeen maps "vantage/vlan/mac" to first_seen for every asset.
func firstSeen(tb testing.TB, path string) map[string]string {
	tb.Helper()
	db, err := store.OpenReadOnly(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	assets, err := db.Assets(context.Background(), store.AssetFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	m := make(map[string]string, len(assets))
	for _, a := range assets {
		r := toRecord(a)
		id := r.MAC
		if r.KeyedBy == "ip" {
			id = "ip:" + r.IPs[0]
		}
		m[r.Vantage+"/"+u16(r.VLAN)+"/"+id] = r.FirstSeen
	}
	return m
}

// TestCrashDuringReplay kills a replay with SIGKILL while it writes and
// checks that the database survives: integrity_check is ok, the assets verb
// reads it, and a second full replay completes without changing what the
// first one stored.
func TestCrashDuringReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and replays a large capture")
	}
	root := sharedPcaps(t)
	bin := wardwatchBinary(t)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.pcap")
	frames := bigCapture(t, filepath.Join(root, "ndpi", "1kxun.pcap"), big, crashCopies)
	cfg := filepath.Join(dir, "wardwatch.yml")
	writeFile(t, cfg, []byte("store:\n  flush_interval: 50ms\n  flush_size: 200\n"), 0o644)
	db := filepath.Join(dir, "crash.db")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin, "replay", "--config.file", cfg, "--db", db, big)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	// Kill it as soon as some assets are committed.
	var before int
	for {
		if n := countAssets(db); n > 0 {
			before = n
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("replay of %d frames finished (%v) after %v before any asset was seen: make the capture larger; stderr:\n%s",
				frames, err, time.Since(start), stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("replay was not killed by SIGKILL (it finished first: %v, after %v); make the capture larger; stderr:\n%s",
			err, time.Since(start), stderr.String())
	}
	t.Logf("killed the replay of %d frames after %v with %d assets committed", frames, time.Since(start), before)

	// The database is intact.
	sdb, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var res []string
	rows, err := sdb.Query("PRAGMA integrity_check")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		res = append(res, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	sdb.Close()
	if len(res) != 1 || res[0] != "ok" {
		t.Fatalf("PRAGMA integrity_check after SIGKILL: %q", res)
	}

	// The assets verb reads it.
	r := runBinary(t, dir, nil, "assets", "--db", db, "-o", "json")
	if r.code != 0 {
		t.Fatalf("assets after SIGKILL: exit %d: %s", r.code, r.stderr)
	}
	var recs []assetRecord
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil {
		t.Fatalf("assets -o json: %v", err)
	}
	if len(recs) < before {
		t.Fatalf("assets reports %d assets, %d were committed before the kill", len(recs), before)
	}
	first := firstSeen(t, db)

	// A second, complete replay into the same database.
	start = time.Now()
	r = runBinary(t, dir, nil, "replay", "-q", "--config.file", cfg, "--db", db, big)
	if r.code != 0 {
		t.Fatalf("second replay: exit %d: %s", r.code, r.stderr)
	}
	t.Logf("second, complete replay took %v", time.Since(start))
	second := firstSeen(t, db)
	for k, v := range first {
		if second[k] != v {
			t.Errorf("asset %s: first_seen %q after the second replay, was %q", k, second[k], v)
		}
	}
	if len(second) < len(first) {
		t.Errorf("%d assets after the second replay, %d before", len(second), len(first))
	}
	if len(second) < frames/2 {
		t.Errorf("%d assets after a full replay of %d frames with distinct source MACs", len(second), frames)
	}
	t.Logf("%d assets after the kill, %d after the second replay", len(first), len(second))
}
