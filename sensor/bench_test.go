package sensor

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/gopacket/gopacket"

	"github.com/wardwatch/wardwatch/model"
)

type nullSink struct{ n int }

func (s *nullSink) Submit(context.Context, model.Observation) error { s.n++; return nil }
func (s *nullSink) TrySubmit(model.Observation) bool                { s.n++; return true }

type frames struct {
	data [][]byte
	cis  []gopacket.CaptureInfo
	src  *FileSource
}

func loadFrames(tb testing.TB, path string) frames {
	tb.Helper()
	src, err := OpenFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var fr frames
	fr.src = src
	for {
		d, ci, err := src.ReadPacket()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		fr.data = append(fr.data, append([]byte(nil), d...))
		fr.cis = append(fr.cis, ci)
	}
	return fr
}

// benchInput returns the generated mixed capture if present (make bench
// writes it), else a mix of the shared captures.
func benchFiles(tb testing.TB) []string {
	if p := os.Getenv("WARDWATCH_BENCH_PCAP"); p != "" {
		return []string{p}
	}
	root := sharedPcaps(tb)
	return []string{
		filepath.Join(root, "ndpi", "1kxun.pcap"),
		filepath.Join(root, "ndpi", "alexa-app.pcapng"),
		filepath.Join(root, "zeek", "nmap-vsn.pcap"),
		filepath.Join(root, "packetfence", "dhcpv6cap.pcapng"),
	}
}

func newBenchWorker(tb testing.TB, fr frames) *worker {
	s := New(Config{Tunnels: true}, &nullSink{})
	w, err := s.newWorker(Input{Source: fr.src, Vantage: "bench"}, true)
	if err != nil {
		tb.Fatal(err)
	}
	w.ctx = context.Background()
	return w
}

// signalFiles are shared captures that carry what the passive decoders
// read (LLDP, CDP, CAPWAP, TLS, HTTP, SSH, SSDP, mDNS, NBNS, SNMP, SIP,
// DHCPv6, TCP SYNs): the steady-state test covers them too.
func signalFiles(tb testing.TB) []string {
	root := sharedPcaps(tb)
	var out []string
	for _, f := range []string{"arkime/wireshark-lldp.pcap", "zeek/cdp-v1.pcap", "ndpi/capwap.pcap", "ndpi/android.pcap",
		"zeek/wikipedia.pcap", "arkime/arkime_synthetic.pcap", "zeek/dhcpv6-freebsd-vendorclass.pcap",
		"suricata-verify/vxlan-decoder-03__vxlan.pcap", "chrissanders-packets/passiveosfingerprinting.pcapng",
		"tapirx/HL7-ORU.pcap"} {
		out = append(out, filepath.Join(root, f))
	}
	return out
}

// TestSteadyStateZeroAlloc proves the per-packet path allocates nothing once
// the assets, bindings and signals in the traffic are known.
func TestSteadyStateZeroAlloc(t *testing.T) {
	files := benchFiles(t)
	if os.Getenv("WARDWATCH_BENCH_PCAP") == "" {
		files = append(files, signalFiles(t)...)
	}
	for _, file := range files {
		fr := loadFrames(t, file)
		w := newBenchWorker(t, fr)
		for i := range fr.data { // warm: learn every asset
			w.packet(fr.data[i], &fr.cis[i])
		}
		i := 0
		allocs := testing.AllocsPerRun(20000, func() {
			w.packet(fr.data[i], &fr.cis[i])
			i++
			if i == len(fr.data) {
				i = 0
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %.3f allocs per packet in steady state, want 0", filepath.Base(file), allocs)
		}
	}
}

// BenchmarkPacket measures the per-packet path (decode + tracker) over
// frames in memory; run with -benchmem.
func BenchmarkPacket(b *testing.B) {
	var all frames
	for _, f := range benchFiles(b) {
		fr := loadFrames(b, f)
		if all.src == nil {
			all.src = fr.src
		}
		if fr.src.LinkType() != all.src.LinkType() {
			continue
		}
		all.data = append(all.data, fr.data...)
		all.cis = append(all.cis, fr.cis...)
	}
	w := newBenchWorker(b, all)
	var bytes int64
	for i := range all.data {
		w.packet(all.data[i], &all.cis[i])
		bytes += int64(len(all.data[i]))
	}
	b.SetBytes(bytes / int64(len(all.data)))
	b.ReportAllocs()
	b.ResetTimer()
	n := len(all.data)
	for i := 0; i < b.N; i++ {
		j := i % n
		w.packet(all.data[j], &all.cis[j])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
}

// countSink counts observations and drops them; safe for many workers.
type countSink struct{ n atomic.Int64 }

func (s *countSink) Submit(context.Context, model.Observation) error { s.n.Add(1); return nil }
func (s *countSink) TrySubmit(model.Observation) bool                { s.n.Add(1); return true }

// BenchmarkReplayWorkers replays $WARDWATCH_BENCH_PCAP from its file
// through the sensor alone, with 1 and 2 workers: the reader, the
// dispatch by flow hash and the workers, observations counted and dropped.
// It shows how the sensor's part of a replay scales with workers, without
// the policy checker and the store a whole-process replay also runs
// (make bench-replay).
func BenchmarkReplayWorkers(b *testing.B) {
	file := os.Getenv("WARDWATCH_BENCH_PCAP")
	if file == "" {
		b.Skip("WARDWATCH_BENCH_PCAP is not set (make bench sets it to the generated mixed capture)")
	}
	st, err := os.Stat(file)
	if err != nil {
		b.Skip(err)
	}
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			b.SetBytes(st.Size())
			var obs int64
			for range b.N {
				src, err := OpenFile(file)
				if err != nil {
					b.Fatal(err)
				}
				sink := &countSink{}
				if _, err := New(Config{Workers: n, Tunnels: true}, sink).Replay(context.Background(), Input{Source: src}); err != nil {
					b.Fatal(err)
				}
				src.Close()
				obs = sink.n.Load()
			}
			b.ReportMetric(float64(obs), "observations")
		})
	}
}
