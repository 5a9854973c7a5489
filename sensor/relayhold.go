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
// maxHeldDHCP are held, in a ring: when it is full the oldest goes, counted
// in DHCPUnplaced and as a cap hit (DHCPHoldCapHits). Each slot keeps its
// buffer, so holding costs no allocation and no more than one copy of the
// message, whatever arrives.

const (
	relayWait   = 30 * time.Second
	maxHeldDHCP = 256
)

type heldDHCP struct {
	vantage string
	outer   uint16
	ts      time.Time
	msg     []byte // the DHCP message, a copy (the slot's buffer)
}

type relayHold struct {
	slots   [maxHeldDHCP]heldDHCP
	head, n int // the oldest held message and how many there are
	capHits uint64
	scratch layers.DHCPv4
}

// at is the i-th oldest held message's slot.
func (h *relayHold) at(i int) *heldDHCP { return &h.slots[(h.head+i)%maxHeldDHCP] }

// hold keeps a copy of d, relayed for a client not placed yet.
func (t *tracker) hold(vantage string, outer uint16, d *layers.DHCPv4, ts time.Time) {
	h := &t.relays
	if h.n == maxHeldDHCP {
		t.dhcpUnplaced++
		h.capHits++
		h.head = (h.head + 1) % maxHeldDHCP
		h.n--
	}
	p := h.at(h.n)
	p.vantage, p.outer, p.ts, p.msg = vantage, outer, ts, append(p.msg[:0], d.Contents...)
	h.n++
}

// retryHeld hands the held messages whose client is placed by now to dhcp
// (as of their own time), and counts and drops those that waited relayWait
// (all that are left when final).
func (t *tracker) retryHeld(now time.Time, final bool) {
	h := &t.relays
	kept := 0
	for i := range h.n {
		p := h.at(i)
		d := &h.scratch
		placed, bad := false, d.DecodeFromBytes(p.msg, gopacket.NilDecodeFeedback) != nil // bad cannot happen: it decoded once
		if !bad {
			if mac, ok := dhcp.ClientMAC(d); ok {
				_, placed = t.shared.home.get(homeKey{p.vantage, mac})
			}
		}
		switch {
		case placed:
			t.dhcp(p.vantage, 0, p.outer, d, p.ts)
		case bad || final || now.Sub(p.ts) >= relayWait:
			t.dhcpUnplaced++
		default:
			// Kept, in order: swapped (not copied) so every slot keeps a buffer of its own.
			q := h.at(kept)
			*p, *q = *q, *p
			kept++
		}
	}
	h.n = kept
}
