package model

import (
	"net/netip"
	"time"
)

// BehaviourKind is what a behaviour baseline item is about.
type BehaviourKind string

// Kinds of behaviour baseline items. The Value of each (BehaviourInfo,
// the store's baseline_items) is in the form given.
const (
	BehaviourPeerZone     BehaviourKind = "peer-zone"      // a policy zone it talked to (either direction): "servers"
	BehaviourExternalPeer BehaviourKind = "external-peer"  // an address outside the site (internet zone): "203.0.113.10"
	BehaviourService      BehaviourKind = "service"        // a server port it used as a client: "tcp/443"
	BehaviourServed       BehaviourKind = "served-service" // a port it answered on as a server: "tcp/104"
	BehaviourProtocol     BehaviourKind = "protocol"       // a recognised service name ("dicom", "ssh"), else the transport ("tcp", "udp")
)

// BehaviourKinds lists every BehaviourKind, in the order above.
var BehaviourKinds = []BehaviourKind{BehaviourPeerZone, BehaviourExternalPeer, BehaviourService, BehaviourServed,
	BehaviourProtocol}

// Valid reports whether k is one of BehaviourKinds.
func (k BehaviourKind) Valid() bool {
	for _, x := range BehaviourKinds {
		if x == k {
			return true
		}
	}
	return false
}

// BehaviourInfo is one item of a device's behaviour baseline, as package
// behaviour reports it to the store (ObsBehaviour).
type BehaviourInfo struct {
	// Started is when the device's baseline began learning (capture time).
	Started time.Time
	Kind    BehaviourKind
	Value   string
	// Learned: the item was seen in the learning window and is part of
	// the baseline. Otherwise it was first seen after the window (a
	// change, reported by Events).
	Learned bool
	// Events are the events the item raises (new-service, ...,
	// unusual-for-class), none for a learned item that is usual for the
	// device's class.
	Events []EventType
	// Peer is the address at the other end of the flow that showed it.
	Peer netip.Addr
	// Evidence describes that flow ("10.20.0.11 -> 203.0.113.10 tcp/443
	// (https), zones pumps -> internet").
	Evidence string
	// Detail explains a class event ("no other of 4 infusion-pump devices
	// does").
	Detail string
}
