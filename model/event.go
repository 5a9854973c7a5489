package model

import (
	"net/netip"
	"strings"
	"time"
)

// EventType says what an Event reports. The arpwatch-derived types keep
// arpwatch's names.
type EventType string

// Event types recorded in the events table.
const (
	// EventNewDevice: first time this (vantage, VLAN, MAC) was seen, with
	// what the first flush learned: its first IP address (Event.IP) and its
	// class (NewValue). The new-ip, new-station and class-changed events
	// of that first flush are folded into it; they report later changes.
	EventNewDevice       EventType = "new-device"
	EventNewStation      EventType = "new-station"      // arpwatch: first ARP binding for this IP
	EventNewIP           EventType = "new-ip"           // an asset used an IP it had not used before
	EventIPMoved         EventType = "ip-moved"         // an IP was bound to another MAC (arpwatch "changed ethernet address")
	EventFlipFlop        EventType = "flip-flop"        // an IP went back to the MAC it had before the last change (arpwatch)
	EventHostname        EventType = "hostname-changed" // DHCP 12/81 name changed
	EventVendorClass     EventType = "vendor-class-changed"
	EventDHCPFingerprint EventType = "dhcp-fingerprint-changed"
	EventClassChanged    EventType = "class-changed" // the device class changed on stronger evidence
	// EventModelChanged / EventFirmwareChanged: stronger evidence gave a
	// device another model, or another firmware/software version, than the
	// one it had (OldValue -> NewValue); a first model or version is not a
	// change (the new-device or class-changed event's evidence shows it).
	EventModelChanged    EventType = "model-changed"
	EventFirmwareChanged EventType = "firmware-changed"
	EventViolation       EventType = "policy-violation" // first time a (rule, flow) pair was flagged
	EventMACFlood        EventType = "mac-flood"        // new MACs arrived faster than the new-asset budget (one per episode)

	// Liveness of critical devices (the policy file's critical section):
	// EventSilent when a critical device was not heard from for longer
	// than its interval and grace (outside its sleep schedule), with how
	// long (NewValue); EventHeardAgain when a silent device sends again;
	// EventAliveByProbe when a silent device answered the opt-in ARP
	// liveness probe (it is alive, only quiet).
	EventSilent       EventType = "silent"
	EventHeardAgain   EventType = "heard-again"
	EventAliveByProbe EventType = "alive-by-probe"
	// EventAdvisoryMatch: a manufacturer advisory newly names the device,
	// or names it with a stronger verdict. NewValue is AdvisoryMatchValue
	// (advisory id and verdict), OldValue the previous one ("" if none).
	EventAdvisoryMatch EventType = "advisory-match"

	// Behaviour changes (package behaviour): after its baseline's learning
	// window a device did something its baseline lacks. NewValue holds the
	// item and the flow that showed it (see BehaviourInfo).
	EventNewExternalPeer EventType = "new-external-peer" // a peer outside the site (internet zone) it never talked to
	EventNewService      EventType = "new-service"       // a service (proto/port) it never used or served
	EventNewPeerZone     EventType = "new-peer-zone"     // a zone it never talked to
	EventNewProtocol     EventType = "new-protocol"      // an application or transport protocol it never spoke
	// EventUnusualForClass: a device did what no other device of its class
	// does (per-class baseline), in or after its own learning window.
	EventUnusualForClass EventType = "unusual-for-class"
)

// EventTypes lists every EventType, in the order above. Treat it as
// read-only.
var EventTypes = []EventType{
	EventNewDevice, EventNewStation, EventNewIP, EventIPMoved, EventFlipFlop,
	EventHostname, EventVendorClass, EventDHCPFingerprint, EventClassChanged, EventModelChanged, EventFirmwareChanged,
	EventViolation, EventMACFlood,
	EventSilent, EventHeardAgain, EventAliveByProbe,
	EventAdvisoryMatch,
	EventNewExternalPeer, EventNewService, EventNewPeerZone, EventNewProtocol, EventUnusualForClass,
}

// BehaviourEvents are the behaviour-change event types, a subset of
// EventTypes.
var BehaviourEvents = []EventType{EventNewExternalPeer, EventNewService, EventNewPeerZone, EventNewProtocol,
	EventUnusualForClass}

// IsBehaviour reports whether t is one of BehaviourEvents.
func (t EventType) IsBehaviour() bool {
	for _, k := range BehaviourEvents {
		if k == t {
			return true
		}
	}
	return false
}

// Valid reports whether t is one of EventTypes.
func (t EventType) Valid() bool {
	for _, k := range EventTypes {
		if k == t {
			return true
		}
	}
	return false
}

// Event is a change worth a human's attention.
type Event struct {
	ID       int64
	Time     time.Time
	Type     EventType
	Key      AssetKey
	IP       netip.Addr
	OldValue string
	NewValue string
	// AssetID is the event's asset row in the store (as Asset.ID), 0 when
	// unknown or not stored yet.
	AssetID int64
	// Sensor and Site name the sensor that recorded the event, in the
	// central inventory of many sensors; "" in a sensor's own.
	Sensor, Site string
}

// AdvisoryMatchValue is the value of an advisory-match event: the
// advisory's id and the verdict, "ICSMA-23-194-01 (possibly affected)".
func AdvisoryMatchValue(id, verdict string) string { return id + " (" + verdict + ")" }

// ParseAdvisoryMatchValue splits an AdvisoryMatchValue; ok is false for
// any other text.
func ParseAdvisoryMatchValue(v string) (id, verdict string, ok bool) {
	i := strings.LastIndex(v, " (")
	if i <= 0 || !strings.HasSuffix(v, ")") {
		return "", "", false
	}
	return v[:i], v[i+2 : len(v)-1], true
}
