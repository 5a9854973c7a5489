// Command gen writes deterministic pcap captures for Wardwatch's tests,
// benchmarks and demo.
//
//	go run ./testdata/gen -kind mixed -out mixed.pcap [-macs 3000 -vlans 6 -packets 300000 -seed 1]
//	go run ./testdata/gen -kind demo -out demo.pcap
//
// The same flags always produce a byte-identical file: all randomness comes
// from a PCG generator seeded by -seed, capture time starts at a fixed instant
// and no map is ever iterated to decide what to write.
//
// mixed is the benchmark input: a few thousand MACs over several 802.1Q VLANs
// (plus an untagged and a Q-in-Q segment) joining with DHCP or ARP and then
// exchanging ordinary TCP and UDP traffic. demo is a small hospital (pumps,
// imaging, workstations, servers) with DHCP via a relay, DICOM, HL7/MLLP and
// two segmentation violations. A summary of what was written goes to stderr.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// config holds the generator flags.
type config struct {
	Kind    string
	MACs    int
	VLANs   int
	Packets int
	Seed    uint64
	Site    int // mixed: the MAC range of one site, 0 none (site.go)
}

func main() {
	var cfg config
	var out string
	var quiet bool
	flag.StringVar(&cfg.Kind, "kind", "mixed", "capture to write: mixed or demo")
	flag.StringVar(&out, "out", "", "output pcap file (required)")
	flag.IntVar(&cfg.MACs, "macs", 3000, "mixed: number of end hosts (distinct MACs besides the router)")
	flag.IntVar(&cfg.VLANs, "vlans", 6, "mixed: number of 802.1Q VLANs (an untagged and a Q-in-Q segment come on top)")
	flag.IntVar(&cfg.Packets, "packets", 300000, "mixed: number of frames to write")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "random seed")
	flag.IntVar(&cfg.Site, "site", 0, "mixed: put every MAC in site N's range (fourth byte N, 1..255); 0: off")
	flag.BoolVar(&quiet, "q", false, "do not print the summary")
	flag.Parse()
	if out == "" || flag.NArg() != 0 || cfg.Site < 0 || cfg.Site > 255 {
		fmt.Fprintln(os.Stderr, "usage: gen -kind mixed|demo -out FILE [-macs N -vlans N -packets N -seed N -site 1..255]")
		os.Exit(2)
	}
	start := time.Now()
	f, err := os.Create(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	sum, err := generate(bw, cfg)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if !quiet {
		fi, _ := os.Stat(out)
		sum.print(os.Stderr)
		fmt.Fprintf(os.Stderr, "wrote %s: %d bytes in %v\n", out, fi.Size(), time.Since(start).Round(time.Millisecond))
	}
}

// generate writes the capture cfg asks for to w.
func generate(w io.Writer, cfg config) (*summary, error) {
	switch cfg.Kind {
	case "mixed":
		if cfg.MACs < 1 || cfg.VLANs < 1 || cfg.VLANs > 200 || cfg.Packets < 1 {
			return nil, fmt.Errorf("mixed needs -macs >= 1, 1 <= -vlans <= 200, -packets >= 1")
		}
		if cfg.MACs > 50000 {
			return nil, fmt.Errorf("-macs %d: at most 50000", cfg.MACs)
		}
		return genMixed(w, cfg)
	case "demo":
		return genDemo(w, cfg)
	}
	return nil, fmt.Errorf("unknown -kind %q (want mixed or demo)", cfg.Kind)
}
