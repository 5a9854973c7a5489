// Package model holds Wardwatch's shared domain types and vocabularies: what
// the sensor observes on the wire (Observation, with its ObsKind and
// ObsSource), the devices it keeps (Asset, AssetKey, with their Class), the
// human-facing changes it records (Event, EventType), the kinds of evidence a
// classification rests on (EvidenceSource) and the DIMSE commands of DICOM
// associations (DICOMCommand).
//
// A vocabulary is a typed string with one constant per value and, where the
// set is closed, a list of all values (Classes, EventTypes): code compares and
// stores the constants, never the same string literal in several packages.
//
// This is the one place the domain types live. It imports nothing but the
// standard library, so every other package (sensor, fingerprint, store,
// policy, exporter) may import it without creating a cycle. The dependency
// direction of the project is:
//
//	model  <-  sensor, fingerprint  <-  store, policy  <-  exporter  <-  cmd
//
// Only cmd wires packages together.
package model

import (
	"fmt"
	"net/netip"
	"time"
)

// MAC is an EUI-48 hardware address. It is a value type so it can be a map
// key on the per-packet path without allocating.
type MAC [6]byte

// String formats the address in Wardwatch's canonical form: lowercase,
// colon-separated (00:1b:63:84:45:e6). The same form is used in the
// database, the CLI, the API and the web page. ECS events use the RFC 7042
// form (uppercase, hyphen-separated): see ECS.
func (m MAC) String() string {
	const hex = "0123456789abcdef"
	var b [17]byte
	for i, v := range m {
		if i > 0 {
			b[i*3-1] = ':'
		}
		b[i*3] = hex[v>>4]
		b[i*3+1] = hex[v&0xf]
	}
	return string(b[:])
}

// ECS formats the address as RFC 7042 recommends for Elastic Common Schema.
func (m MAC) ECS() string {
	return fmt.Sprintf("%02X-%02X-%02X-%02X-%02X-%02X", m[0], m[1], m[2], m[3], m[4], m[5])
}

// IsZero reports whether m is 00:00:00:00:00:00.
func (m MAC) IsZero() bool { return m == MAC{} }

// IsGroup reports whether m is a broadcast or multicast address (I/G bit set).
// Group addresses are never assets.
func (m MAC) IsGroup() bool { return m[0]&0x01 != 0 }

// IsLocal reports whether the locally-administered (U/L) bit is set, which is
// what randomized ("private") MAC addresses look like.
func (m MAC) IsLocal() bool { return m[0]&0x02 != 0 }

// ParseMAC accepts 00:1b:63:84:45:e6, 00-1B-63-84-45-E6 and 001b.6384.45e6.
func ParseMAC(s string) (MAC, error) {
	var m MAC
	var digits [12]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':' || c == '-' || c == '.':
			continue
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return m, fmt.Errorf("invalid MAC address %q", s)
		}
		if n == 12 {
			return m, fmt.Errorf("invalid MAC address %q", s)
		}
		digits[n] = c
		n++
	}
	if n != 12 {
		return m, fmt.Errorf("invalid MAC address %q", s)
	}
	for i := range m {
		m[i] = digits[2*i]<<4 | digits[2*i+1]
	}
	return m, nil
}

// AssetKey identifies one device as seen from one vantage point.
//
// Vantage names where the frame was seen: the capture interface (or its
// configured label), extended with the mirror tunnel it arrived in, e.g.
// "span0", "span0/erspan:100", "span0/vxlan:1111".
//
// VLAN is the innermost 802.1Q tag (the customer VLAN the device sits in),
// 0 when the frame was untagged. With 802.1ad Q-in-Q the outer (service) tag
// is recorded separately as Asset.OuterVLAN and is not part of the key.
//
// MAC is the device's unicast hardware address. On link types that carry no
// MAC (BSD loopback, raw IP) MAC is zero and IP holds the device's address:
// such assets are "keyed by IP" (Asset.KeyedByIP).
type AssetKey struct {
	Vantage string
	VLAN    uint16
	MAC     MAC
	IP      netip.Addr // only for assets keyed by IP; zero otherwise
}

// KeyedByIP reports whether the key names a device by IP address because the
// link type had no hardware addresses.
func (k AssetKey) KeyedByIP() bool { return k.MAC.IsZero() && k.IP.IsValid() }

func (k AssetKey) String() string {
	id := k.MAC.String()
	if k.KeyedByIP() {
		id = "ip:" + k.IP.String()
	}
	return fmt.Sprintf("%s/vlan%d/%s", k.Vantage, k.VLAN, id)
}

// ObsKind says what an Observation reports.
type ObsKind uint8

const (
	// ObsActivity: the asset sent traffic. Packets and Bytes are deltas since
	// the previous activity observation for the same key; First and Time
	// bound the interval.
	ObsActivity ObsKind = iota + 1
	// ObsAddress: the asset uses IP (from an IPv6 neighbour discovery or
	// link-local source, or a DHCPv6 exchange). Source names the evidence.
	ObsAddress
	// ObsARP: an ARP binding MAC<->IP (request, reply or gratuitous ARP;
	// probes with sender 0.0.0.0 are not bindings and are not reported).
	ObsARP
	// ObsDHCP: a DHCPv4 client message (DISCOVER, REQUEST, INFORM, ...) and
	// the fingerprint it carries.
	ObsDHCP
	// ObsDHCPAck: a DHCPv4 ACK bound IP (yiaddr) to the client (chaddr).
	ObsDHCPAck
	// ObsFlow: traffic between a client and a server port. Key is the
	// client asset; Flow carries both ends and counter deltas.
	ObsFlow
	// ObsDICOM: what a DICOM association said about one of its ends (Key).
	ObsDICOM
	// ObsHL7: what an HL7 v2 message said about one of its ends (Key).
	ObsHL7
	// ObsViolation: a flow the segmentation policy flags (Flow + Violation).
	ObsViolation
	// ObsMACFlood: new source MACs arrive faster than the new-asset budget
	// allows (a MAC or ARP flood); those past it are not reported. One per
	// flood episode; Key is the first refused MAC.
	ObsMACFlood
	// ObsEvent: an event decided outside the sensor (an advisory match):
	// Event says which. The store records it for the asset Key names, at
	// Time, with IP; nothing is recorded for an unknown asset.
	ObsEvent
	// ObsProbe: an answer to the opt-in ARP liveness probe (sensor/probe)
	// from the asset Key names, at IP (Source SourceProbe). The store keeps
	// it as the asset's probe evidence of liveness without touching its
	// last-seen time (what the sensor heard); nothing is recorded for an
	// unknown asset.
	ObsProbe
	// ObsSignal: a passive decoder (LLDP, CDP, SNMP, DHCPv6, mDNS, LLMNR,
	// NBNS, SSDP, HTTP, SIP, SSH, TLS, TCP SYN) read a value the asset
	// said about itself (Signal). The sensor reports each (asset, source,
	// value) once, and again at most once per refresh interval. When the
	// frame came through a router (Remote), IP is the sender's address and
	// the store attaches the signal to the asset that owns it.
	ObsSignal
	// ObsBehaviour: the behaviour baseline of the asset Key gained an item
	// (Behaviour), learned or, after the learning window, a change with its
	// events. Made by package behaviour, not by the sensor.
	ObsBehaviour
	numObsKinds
)

// NumObsKinds bounds ObsKind values (for counter arrays).
const NumObsKinds = int(numObsKinds)

func (k ObsKind) String() string {
	switch k {
	case ObsActivity:
		return "activity"
	case ObsAddress:
		return "address"
	case ObsARP:
		return "arp"
	case ObsDHCP:
		return "dhcp"
	case ObsDHCPAck:
		return "dhcp-ack"
	case ObsFlow:
		return "flow"
	case ObsDICOM:
		return "dicom"
	case ObsHL7:
		return "hl7"
	case ObsViolation:
		return "violation"
	case ObsMACFlood:
		return "mac-flood"
	case ObsEvent:
		return "event"
	case ObsProbe:
		return "probe"
	case ObsSignal:
		return "signal"
	case ObsBehaviour:
		return "behaviour"
	}
	return fmt.Sprintf("ObsKind(%d)", uint8(k))
}

// Observation is one fact the sensor learned about one asset. Decoders fill
// observations; the sensor's tracker only emits one when something is new
// (or, for ObsActivity, once per flush interval), so the store sees changes,
// not packets. Observations own their strings and slices: nothing in them
// points into a packet buffer.
type Observation struct {
	Kind      ObsKind
	Time      time.Time // when seen (capture timestamp)
	First     time.Time // ObsActivity: start of the interval
	Key       AssetKey
	OuterVLAN uint16 // 802.1ad service tag, 0 if none

	Packets uint64 // ObsActivity
	Bytes   uint64 // ObsActivity

	IP     netip.Addr // ObsAddress, ObsARP (sender IP), ObsDHCPAck (yiaddr), ObsDHCP (ciaddr or requested IP 50), ObsDICOM/ObsHL7 (the end's IP), ObsSignal (the sender's IP, if any)
	Source ObsSource  // the message it came from (Source* constants), e.g. SourceARPReply

	// Remote (ObsDICOM, ObsHL7, ObsSignal): Key.MAC is a router's, not the end's own
	// (it is bound to other addresses, not to IP). The store attaches the facts
	// to the asset that owns IP on this vantage, or to an asset keyed by IP.
	Remote bool

	ARP       *ARPInfo       // ObsARP
	DHCP      *DHCPInfo      // ObsDHCP, ObsDHCPAck
	Flow      *FlowInfo      // ObsFlow, ObsViolation
	DICOM     *DICOMInfo     // ObsDICOM
	HL7       *HL7Info       // ObsHL7
	Violation *ViolationInfo // ObsViolation
	Event     *EventInfo     // ObsEvent
	Signal    *SignalInfo    // ObsSignal
	Behaviour *BehaviourInfo // ObsBehaviour
}

// EventInfo is the event of an ObsEvent: its type and values, as
// Event's.
type EventInfo struct {
	Type     EventType
	OldValue string
	NewValue string
}

// SignalInfo is one value a passive decoder read about the asset that
// sent it: Source names the decoder and field (EvidenceLLDPSysDesc,
// EvidenceTLSJA4, ...), Value is the text as the decoder gave it, with
// control characters replaced and at most MaxSignalValue bytes.
type SignalInfo struct {
	Source EvidenceSource
	Value  string
}

// MaxSignalValue bounds SignalInfo.Value in bytes.
const MaxSignalValue = 255

// FlowInfo describes traffic of one flow (vantage, VLAN, client IP, server
// IP, protocol, server port) since the previous report.
type FlowInfo struct {
	Client, Server     AssetKey // the frames' MACs (either may be a router's: see ClientLocal, ServerLocal)
	ClientIP, ServerIP netip.Addr
	// ClientLocal and ServerLocal say the end's MAC is taken to be its own.
	// It is not when the MAC is bound (ARP, DHCP, NDP) to other addresses
	// but not to this one: then it is a router's and the end is off-link
	// (known only by IP). ClientLocal is also false when the client's MAC
	// never sent a frame on this link (an asymmetric SPAN showed only
	// traffic to it).
	ClientLocal, ServerLocal bool
	Proto                    uint8  // 6 TCP, 17 UDP
	Port                     uint16 // server port
	Service                  string // ServiceDICOM, ServiceHL7, "dhcp", ... when recognised, else ""
	Packets, Bytes           uint64 // deltas
	Connections              uint64 // new connections (TCP SYNs / new UDP flows) in the interval
	First                    time.Time
}

// Services the sensor recognises by its configured ports (FlowInfo.Service)
// and that other packages act on. The other names are the sensor's
// well-known-port table's.
const (
	ServiceDICOM = "dicom" // a port in streams.dicom_ports
	ServiceHL7   = "hl7"   // a port in streams.hl7_ports
)

// Services are every name FlowInfo.Service takes: ServiceDICOM, ServiceHL7
// and the names of the sensor's well-known-port table (a test of the
// sensor keeps them in step), sorted. Each is also a named service of the
// policy file format.
var Services = []string{"dhcp", ServiceDICOM, "dns", ServiceHL7, "http", "https", "ldap", "ntp", "rdp", "sip", "smb",
	"snmp", "ssh", "syslog"}

// DICOMInfo is one end's view of a DICOM association (PS3.8 upper layer and
// DIMSE command level only: no data set is ever kept).
type DICOMInfo struct {
	Role               string // RoleSCU (association requestor) or RoleSCP (acceptor)
	AETitle            string // this end's AE title
	PeerAETitle        string
	PeerIP             netip.Addr
	Port               uint16 // the SCP's TCP port
	ApplicationContext string
	SOPClasses         []string // proposed (scu) or accepted (scp) abstract syntaxes
	TransferSyntaxes   []string
	ImplClassUID       string
	ImplVersion        string
	MaxPDU             uint32
	// Commands are the DIMSE commands this end sent since the previous
	// report, one per (Name, SOPClass), with how many of each.
	Commands []DICOMCommand
	Result   string // requested, accepted, rejected (DICOMRejected), released, aborted
	// NewAssociation is set on the first report of an association; later
	// reports of the same one (state changes, more commands) leave it clear,
	// so associations are counted once.
	NewAssociation bool
}

// Roles of an end of a DICOM association (DICOMInfo.Role) and of an HL7
// message (HL7Info.Role).
const (
	RoleSCU      = "scu"      // DICOM association requestor
	RoleSCP      = "scp"      // DICOM association acceptor
	RoleSender   = "sender"   // HL7 message sender
	RoleReceiver = "receiver" // HL7 message receiver
)

// DICOMRejected is the DICOMInfo.Result of an association the acceptor
// rejected: its proposed SOP classes were not accepted.
const DICOMRejected = "rejected"

// DICOMCommand is a DIMSE command an end of an association sent: its name,
// the affected SOP class it named ("" if none, e.g. C-ECHO without one) and
// how many times (0 means 1).
type DICOMCommand struct {
	Name     string // e.g. "C-STORE-RQ"
	SOPClass string // affected SOP class UID, e.g. "1.2.840.10008.5.1.4.1.1.2"
	Count    uint64
}

// String formats c as "C-STORE-RQ 1.2.840.10008.5.1.4.1.1.2", or the name
// alone when c names no SOP class (the form fingerprint evidence shows).
func (c DICOMCommand) String() string {
	if c.SOPClass == "" {
		return c.Name
	}
	return c.Name + " " + c.SOPClass
}

// HL7Info is one end's view of an HL7 v2 message (MSH, MSA, PRT-10/16 and
// OBX-18 only: no patient data).
type HL7Info struct {
	Role                          string // RoleSender or RoleReceiver of the message
	Application, Facility         string // this end's MSH-3/4 (sender) or MSH-5/6 (receiver)
	PeerApplication, PeerFacility string
	PeerIP                        netip.Addr
	Port                          uint16 // the receiver's TCP port
	MessageType                   string // MSH-9, e.g. "ORU^R01"
	Version                       string // MSH-12
	EquipmentIDs                  []string
	AckCode                       string // MSA-1 when the message is an acknowledgement
	// Count is how many messages with this same header (applications,
	// type, version, equipment) the report stands for (0 means 1): the
	// sensor reports a header once and later only how many more came.
	Count uint64
}

// ViolationInfo is a policy verdict of "alert" for a flow.
type ViolationInfo struct {
	Rule             string
	SrcZone, DstZone string
	Severity         string
}

// ARPInfo details an ARP binding.
type ARPInfo struct {
	Op         uint16 // 1 request, 2 reply
	Gratuitous bool   // sender IP == target IP (announcement)
	TargetIP   netip.Addr
}

// DHCPInfo is what a DHCPv4 message tells about its client.
type DHCPInfo struct {
	MsgType        uint8  // option 53
	ParamList      []byte // option 55, in order
	MaxMsgSize     uint16 // option 57, 0 if absent
	VendorClass    string // option 60
	ClientID       []byte // option 61 (raw)
	Hostname       string // option 12
	FQDN           string // option 81 domain name
	RequestedIP    netip.Addr
	RelayCircuitID []byte // option 82 sub-option 1
	RelayRemoteID  []byte // option 82 sub-option 2
	RelayAgentIP   netip.Addr
	Overloaded     bool // option 52 moved options into sname/file
	ServerID       netip.Addr
}

// Asset is one device in the inventory, as the store keeps it.
type Asset struct {
	ID         int64
	Key        AssetKey
	OuterVLAN  uint16
	Vendor     string // IEEE registry organisation for the MAC's OUI/MA-M/MA-S
	Randomized bool   // locally administered address
	FirstSeen  time.Time
	LastSeen   time.Time
	Packets    uint64
	Bytes      uint64

	Hostname        string
	DHCPParamList   string // option 55 as "1,3,6,15"
	DHCPMaxMsgSize  uint16
	DHCPVendorClass string
	DHCPClientID    string // hex
	Addresses       []AssetAddress
	Class           Class // ClassUnknown until classified
	ClassConfidence int
	Manufacturer    string
	Model           string
	Version         string // firmware or software version, as the device reports it
	OS              string
	// AETitle is the asset's own latest DICOM AE title ("" if none): with
	// Class it is what segmentation needs to place the asset in a zone.
	AETitle string
}

// AssetAddress is one IP address an asset used, with when.
type AssetAddress struct {
	IP        netip.Addr
	Source    ObsSource
	FirstSeen time.Time
	LastSeen  time.Time
}
