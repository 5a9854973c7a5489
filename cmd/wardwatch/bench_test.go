package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkReplay measures whole-file replay through the real pipeline into
// a real SQLite file: open, decode, track, store, close. The input is
// $WARDWATCH_BENCH_PCAP (make bench sets it to the generated mixed capture),
// else the bundled demo capture.
func BenchmarkReplay(b *testing.B) {
	file := os.Getenv("WARDWATCH_BENCH_PCAP")
	if file == "" {
		file = filepath.Join("..", "..", "testdata", "demo.pcap")
	}
	st, err := os.Stat(file)
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		db := filepath.Join(b.TempDir(), "bench.db")
		if code := Main(context.Background(), []string{"replay", "-q", "--db", db, "--policy.file", filepath.Join("..", "..", "configs", "policy.yml"), file}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("replay exit %d", code)
		}
	}
}
