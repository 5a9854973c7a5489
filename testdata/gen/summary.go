package main

import (
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// summary tells what a capture contains. It is computed from the frames
// actually written, so the counts are exact.
type summary struct {
	kind        string
	packets     int
	bytes       int64
	first, last time.Time
	macs        map[segment]map[[6]byte]bool
	allMACs     map[[6]byte]bool

	dhcpHosts map[string]*dhcpSeen // by MAC
	dhcpOrder []string
	acks      int
	notes     []string
}

type dhcpSeen struct {
	mac     string
	seg     segment
	cl      *dhcpClient
	msgs    []string
	acked   bool
	profile string
}

func newSummary(kind string) *summary {
	return &summary{
		kind: kind, macs: map[segment]map[[6]byte]bool{}, allMACs: map[[6]byte]bool{},
		dhcpHosts: map[string]*dhcpSeen{},
	}
}

func (s *summary) frame(ts time.Time, f pframe) {
	if s.packets == 0 {
		s.first = ts
	}
	s.last = ts
	s.packets++
	s.bytes += int64(len(f.data))
	if f.src[0]&1 == 0 {
		m := s.macs[f.seg]
		if m == nil {
			m = map[[6]byte]bool{}
			s.macs[f.seg] = m
		}
		m[f.src] = true
		s.allMACs[f.src] = true
	}
}

// dhcpMsg notes a DHCP client message built for c. For mixed, where a
// transaction may be cut off by -packets, the caller only commits notes of
// frames that were written (see mixed.go); demo writes every frame.
func (s *summary) dhcpMsg(c *host, cl *dhcpClient, msg layers.DHCPMsgType) {
	k := c.mac.String()
	d := s.dhcpHosts[k]
	if d == nil {
		d = &dhcpSeen{mac: k, seg: c.seg, cl: cl, profile: cl.profile}
		s.dhcpHosts[k] = d
		s.dhcpOrder = append(s.dhcpOrder, k)
	}
	d.msgs = append(d.msgs, msg.String())
}

func (s *summary) dhcpAck(c *host) {
	if d := s.dhcpHosts[c.mac.String()]; d != nil {
		if !d.acked {
			s.acks++
		}
		d.acked = true
	}
}

func (s *summary) note(format string, args ...any) {
	s.notes = append(s.notes, fmt.Sprintf(format, args...))
}

func (s *summary) print(w io.Writer) {
	fmt.Fprintf(w, "%s: %d frames, %d bytes of frames, %s .. %s (%v)\n", s.kind, s.packets, s.bytes,
		s.first.Format(time.RFC3339Nano), s.last.Format(time.RFC3339Nano), s.last.Sub(s.first).Round(time.Millisecond))
	segs := make([]segment, 0, len(s.macs))
	keys := 0
	for sg, m := range s.macs {
		segs = append(segs, sg)
		keys += len(m)
	}
	sort.Slice(segs, func(i, j int) bool {
		if segs[i].Outer != segs[j].Outer {
			return segs[i].Outer < segs[j].Outer
		}
		return segs[i].VLAN < segs[j].VLAN
	})
	fmt.Fprintf(w, "source MACs: %d distinct, %d distinct (segment, MAC) pairs\n", len(s.allMACs), keys)
	for _, sg := range segs {
		fmt.Fprintf(w, "  %-16s %5d MACs\n", sg.String()+":", len(s.macs[sg]))
	}
	fmt.Fprintf(w, "DHCP clients: %d (%d got an ACK)\n", len(s.dhcpOrder), s.acks)
	if s.kind == "demo" {
		for _, k := range s.dhcpOrder {
			d := s.dhcpHosts[k]
			fmt.Fprintf(w, "  %s %-8s host=%q vendor=%q 55=%s msgs=%s\n", d.mac, d.seg, d.cl.hostname, d.cl.vendor,
				paramList(d.cl.params), strings.Join(d.msgs, ","))
		}
	} else {
		type agg struct {
			n    int
			cl   *dhcpClient
			name string
		}
		byProf := map[string]*agg{}
		var names []string
		for _, k := range s.dhcpOrder {
			d := s.dhcpHosts[k]
			a := byProf[d.profile]
			if a == nil {
				a = &agg{cl: d.cl, name: d.profile}
				byProf[d.profile] = a
				names = append(names, d.profile)
			}
			a.n++
		}
		sort.Strings(names)
		for _, n := range names {
			a := byProf[n]
			fmt.Fprintf(w, "  %-10s %5d hosts vendor=%q 55=%s\n", n, a.n, a.cl.vendor, paramList(a.cl.params))
		}
	}
	for _, n := range s.notes {
		fmt.Fprintln(w, n)
	}
}

// macString formats a MAC for notes.
func macString(m net.HardwareAddr) string { return m.String() }
