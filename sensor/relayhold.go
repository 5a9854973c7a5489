package sensor

import (
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wardwatch/wardwatch/sensor/dhcp"
)

// Relayed DHCP messages whose client no worker has seen yet.
//
// A relayed message (between relay and server) is placed on its client's
// VLAN by the client's own frames (sharedTables.home). With several
// workers the client's broadcast may be on a worker that has not read it
// when another reads the relay's copy (live, the kernel's fanout hashes the
// two apart; a replay sends all DHCP to one worker, dispatch.go). Such a
// message is held, a copy of it, and looked at again at the tracker's next
// sweeps; once relayWait of capture time has passed without the client, or
// when the worker stops, it is counted in DHCPUnplaced and dropped. At most
// maxHeldDHCP are held (the oldest goes, counted); their buffers are reused,
// so a sensor that only ever sees relayed DHCP does not allocate per
// message.

const (
	relayWait   = 30 * time.Second
	maxHeldDHCP = 256
)

type heldDHCP struct {
	vantage string
	outer   uint16
	ts      time.Time
	msg     []byte // the DHCP message, a copy
}

type relayHold struct {
	held    []heldDHCP
	spare   [][]byte // buffers of messages no longer held
	scratch layers.DHCPv4
}

// hold keeps a copy of d, relayed for a client not placed yet.
func (t *tracker) hold(vantage string, outer uint16, d *layers.DHCPv4, ts time.Time) {
	h := &t.relays
	if len(h.held) == maxHeldDHCP {
		t.dhcpUnplaced++
		h.spare = append(h.spare, h.held[0].msg)
		copy(h.held, h.held[1:])
		h.held = h.held[:len(h.held)-1]
	}
	var buf []byte
	if n := len(h.spare); n > 0 {
		buf, h.spare = h.spare[n-1], h.spare[:n-1]
	}
	h.held = append(h.held, heldDHCP{vantage: vantage, outer: outer, ts: ts, msg: append(buf[:0], d.Contents...)})
}

// retryHeld hands the held messages whose client is placed by now to dhcp
// (as of their own time), and counts and drops those that waited relayWait
// (all that are left when final).
func (t *tracker) retryHeld(now time.Time, final bool) {
	h := &t.relays
	if len(h.held) == 0 {
		return
	}
	kept := 0
	for i := range h.held {
		p := h.held[i]
		d := &h.scratch
		placed := false
		if d.DecodeFromBytes(p.msg, gopacket.NilDecodeFeedback) == nil {
			if mac, ok := dhcp.ClientMAC(d); ok {
				_, placed = t.shared.home.get(homeKey{p.vantage, mac})
			}
		} else {
			final = true // cannot happen (it decoded once): drop it
		}
		switch {
		case placed:
			t.dhcp(p.vantage, 0, p.outer, d, p.ts)
		case final || now.Sub(p.ts) >= relayWait:
			t.dhcpUnplaced++
		default:
			h.held[kept] = p
			kept++
			continue
		}
		h.spare = append(h.spare, p.msg)
	}
	clear(h.held[kept:])
	h.held = h.held[:kept]
}
