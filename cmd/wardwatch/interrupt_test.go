package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// TestReplaySIGTERM stops a replay with SIGTERM while it runs. It must exit
// non-zero with one line saying how many packets were read and that every
// observation was stored, and the database must hold exactly what a replay
// of just those packets stores: nothing read before the signal is lost.
func TestReplaySIGTERM(t *testing.T) {
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
	db := filepath.Join(dir, "stopped.db")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "replay", "--workers", "1", "--vantage", "span", "--config.file", cfg, "--db", db,
		"--policy.file", demoPolicy, big)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	start := time.Now()
	for countAssets(db) <= 0 {
		select {
		case err := <-exited:
			t.Fatalf("replay of %d frames finished (%v) before any asset was stored: make the capture larger; stderr:\n%s",
				frames, err, stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("replay after SIGTERM: %v, want exit status 1 (finished before the signal after %v?); stderr:\n%s",
			err, time.Since(start), stderr.String())
	}
	line := strings.TrimSpace(stderr.String())
	m := regexp.MustCompile(`^wardwatch: replay interrupted after (\d+) packets: all (\d+) observations stored in .*, none lost; replay the rest again to finish$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("stderr is not the one interrupted-replay line:\n%s", line)
	}
	read, _ := strconv.Atoi(m[1])
	if read <= 0 || read >= frames {
		t.Fatalf("interrupted after %d of %d packets: want a replay stopped midway", read, frames)
	}
	t.Logf("SIGTERM after %v: %d of %d packets read, %s observations stored", time.Since(start).Round(time.Millisecond), read, frames, m[2])

	// The same packets, replayed to their end, store the same inventory.
	head := filepath.Join(dir, "head.pcap")
	copyFrames(t, big, head, read)
	full := filepath.Join(dir, "head.db")
	if r := runMain("replay", "-q", "--workers", "1", "--vantage", "span", "--config.file", cfg, "--db", full, "--policy.file", demoPolicy, head); r.code != 0 {
		t.Fatalf("replay of the first %d packets: exit %d: %s", read, r.code, r.stderr)
	}
	for _, verb := range [][]string{
		{"assets", "-o", "csv", "--sort", "mac"},
		{"flows", "-o", "csv"},
		{"violations", "-o", "csv", "--policy.file", demoPolicy},
		{"events", "-o", "csv"},
	} {
		args := append(append([]string{}, verb...), "--now", "2030-01-01T00:00:00Z", "--db")
		a, b := runMain(append(args, db)...), runMain(append(args, full)...)
		if a.code != 0 || b.code != 0 {
			t.Fatalf("%v: exit %d/%d: %s%s", verb, a.code, b.code, a.stderr, b.stderr)
		}
		x, y := withoutIDs(t, a.stdout), withoutIDs(t, b.stdout)
		if verb[0] == "events" {
			x, y = withoutClassTiming(x), withoutClassTiming(y)
		}
		if x != y {
			t.Errorf("%s after SIGTERM differs from a replay of the same %d packets:\n--- interrupted\n%s\n--- replayed to the end\n%s",
				verb[0], read, x, y)
		}
	}
}

// copyFrames writes the first n frames of the capture src to dst.
func copyFrames(t *testing.T, src, dst string, n int) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	r, err := pcapgo.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	w := pcapgo.NewWriter(out)
	if err := w.WriteFileHeader(r.Snaplen(), layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			t.Fatalf("%s has only %d frames, want %d", src, i, n)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// withoutClassTiming drops class-changed events and the class a new-device
// event carries from a sorted events listing (withoutIDs' output): a new
// device's event carries the class it has when its flush commits, so where
// a flush boundary falls (timing, not data) decides whether a device's first
// class is in its new-device event or in a class-changed event after it.
// Likewise a new device's first address is in its new-device event when
// it arrived in the same flush, else in a new-ip event: both become one
// "address MAC IP" line, so no address is lost either way. Every other
// event, and every device's final class and addresses (the assets listing),
// must be identical.
func withoutClassTiming(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		f := strings.Split(l, ",")
		if len(f) < 9 {
			out = append(out, l)
			continue
		}
		switch f[1] {
		case "class-changed", "unusual-for-class": // what is unusual for a class depends on when classes land too
			continue
		case "new-device":
			f[8] = ""
			if f[6] != "" {
				out = append(out, "address "+f[4]+" "+f[6])
				f[6] = ""
			}
		case "new-ip":
			out = append(out, "address "+f[4]+" "+f[6])
			continue
		}
		out = append(out, strings.Join(f, ","))
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}
