package inventory

import "github.com/wardwatch/wardwatch/model"

// AssetDetailRecord is everything known about one asset.
type AssetDetailRecord struct {
	Asset          AssetRecord          `json:"asset"`
	Classification ClassificationRecord `json:"classification"`
	DHCP           DHCPRecord           `json:"dhcp"`
	Addresses      []AddressRecord      `json:"addresses"` // by first seen
	Hostnames      []HostnameRecord     `json:"hostnames"` // by first seen
	Signals        []SignalRecord       `json:"signals"`   // by source, then first seen
	DICOM          []DICOMRecord        `json:"dicom"`
	HL7            []HL7Record          `json:"hl7"`
	// Peers are the asset's flows, most recently started first, at most
	// DetailLimit: PeersTotal counts them all.
	Peers      []PeerRecord `json:"peers"`
	PeersTotal int          `json:"peers_total"`
	// Violations involving the asset (either end), latest first, at most
	// DetailLimit of ViolationsTotal.
	Violations      []ViolationRecord `json:"violations"`
	ViolationsTotal int               `json:"violations_total"`
	// Events about the asset, newest first, at most DetailLimit of
	// EventsTotal.
	Events      []EventRecord `json:"events"`
	EventsTotal int           `json:"events_total"`
	// OtherMatches are further assets the reference matched (the same MAC
	// on another VLAN or vantage, an IP used by several devices), latest
	// first; Asset is the one seen last.
	OtherMatches []AssetRefRecord `json:"other_matches"`
	// Advisories are the manufacturer advisories in force that name the
	// asset, affected first, then by CVSS (see docs/advisories.md).
	Advisories []AssetAdvisoryRecord `json:"advisories"`
}

// DetailLimit bounds the peers, violations and events of an
// AssetDetailRecord.
const DetailLimit = 200

// ClassificationRecord is an asset's device class and the evidence behind
// it.
type ClassificationRecord struct {
	Class        model.Class      `json:"class"`
	Confidence   int              `json:"confidence"` // 0..100
	Strength     int              `json:"strength"`   // of the deciding evidence: 20 OUI .. 100 DICOM/HL7
	Modality     string           `json:"modality"`
	Manufacturer string           `json:"manufacturer"`
	Model        string           `json:"model"`
	Version      string           `json:"version"` // firmware or software version
	OS           string           `json:"os"`
	ChangedAt    string           `json:"changed_at"` // when the class last changed
	Evidence     []EvidenceRecord `json:"evidence"`   // the deciding rule's first
}

// EvidenceRecord is one piece of classification evidence.
type EvidenceRecord struct {
	Source    model.EvidenceSource `json:"source"` // "dhcp.opt60", "dicom.sop_class", "oui", ...
	Value     string               `json:"value"`
	Rule      string               `json:"rule"`
	Strength  int                  `json:"strength"`
	FirstSeen string               `json:"first_seen"`
	LastSeen  string               `json:"last_seen"`
}

// DHCPRecord is the asset's latest DHCPv4 client fingerprint.
type DHCPRecord struct {
	ParamList   string `json:"param_list"`   // option 55, "1,3,6,15"
	MaxMsgSize  uint16 `json:"max_msg_size"` // option 57
	VendorClass string `json:"vendor_class"` // option 60
	ClientID    string `json:"client_id"`    // option 61, hex
}

// AddressRecord is an IP address the asset used.
type AddressRecord struct {
	IP        string          `json:"ip"`
	Source    model.ObsSource `json:"source"` // latest evidence: arp.reply, dhcp.ack, ipv6.ndp, ...
	FirstSeen string          `json:"first_seen"`
	LastSeen  string          `json:"last_seen"`
}

// SignalRecord is a value the asset said about itself to the sensor's
// passive decoders (LLDP, CDP, SNMP, DHCPv6, mDNS, LLMNR, NetBIOS, SSDP,
// HTTP, SIP, SSH, TLS, TCP SYN).
type SignalRecord struct {
	Source    model.EvidenceSource `json:"source"` // "lldp.sysdesc", "tls.ja4", ...
	Value     string               `json:"value"`
	Reports   int64                `json:"reports"`
	FirstSeen string               `json:"first_seen"`
	LastSeen  string               `json:"last_seen"`
}

// HostnameRecord is a name the asset announced.
type HostnameRecord struct {
	Name      string          `json:"name"`
	Source    model.ObsSource `json:"source"` // dhcp.opt12 or dhcp.opt81
	FirstSeen string          `json:"first_seen"`
	LastSeen  string          `json:"last_seen"`
}

// DICOMRecord is what the asset did in DICOM associations in one role,
// under one AE title, towards one peer.
type DICOMRecord struct {
	Role               string           `json:"role"` // scu (requestor) or scp (acceptor)
	AETitle            string           `json:"ae_title"`
	PeerAETitle        string           `json:"peer_ae_title"`
	PeerIP             string           `json:"peer_ip"`
	Port               uint16           `json:"port"`
	ApplicationContext string           `json:"application_context"`
	ImplClassUID       string           `json:"impl_class_uid"`
	ImplVersion        string           `json:"impl_version"`
	MaxPDU             uint32           `json:"max_pdu"`
	FirstSeen          string           `json:"first_seen"`
	LastSeen           string           `json:"last_seen"`
	Associations       uint64           `json:"associations"`
	LastResult         string           `json:"last_result"`
	SOPClasses         []SOPClassRecord `json:"sop_classes"`
	Commands           []CommandRecord  `json:"commands"`
}

// SOPClassRecord is a SOP class proposed (scu) or accepted (scp).
type SOPClassRecord struct {
	UID       string `json:"uid"`
	Name      string `json:"name"` // "" if not in the built-in table
	FirstSeen string `json:"first_seen"`
	LastSeen  string `json:"last_seen"`
}

// CommandRecord is a DIMSE command the asset sent.
type CommandRecord struct {
	Command  string `json:"command"`
	SOPClass string `json:"sop_class"`
	Name     string `json:"name"` // of the SOP class
	Count    uint64 `json:"count"`
	LastSeen string `json:"last_seen"`
}

// HL7Record is what the asset did in HL7 v2 messages in one role, as one
// application, towards one peer.
type HL7Record struct {
	Role            string          `json:"role"` // sender or receiver
	Application     string          `json:"application"`
	Facility        string          `json:"facility"`
	PeerApplication string          `json:"peer_application"`
	PeerFacility    string          `json:"peer_facility"`
	PeerIP          string          `json:"peer_ip"`
	Port            uint16          `json:"port"`
	Version         string          `json:"version"`
	FirstSeen       string          `json:"first_seen"`
	LastSeen        string          `json:"last_seen"`
	Messages        uint64          `json:"messages"`
	AcksSent        uint64          `json:"acks_sent"`
	MessageTypes    []HL7TypeRecord `json:"message_types"`
	Equipment       []string        `json:"equipment"`
}

// HL7TypeRecord is a message type with its count.
type HL7TypeRecord struct {
	Type  string `json:"type"` // MSH-9, "ORU^R01"
	Count uint64 `json:"count"`
}

// PeerRecord is one flow of the asset, seen from the asset.
type PeerRecord struct {
	// Role is the asset's: "client" (it opened the flow: a service it
	// uses) or "server" (the peer opened it: a service it offers).
	Role        string `json:"role"`
	PeerIP      string `json:"peer_ip"`
	PeerMAC     string `json:"peer_mac"` // "" when the peer is not an asset on this VLAN (routed)
	PeerVantage string `json:"peer_vantage"`
	PeerVLAN    uint16 `json:"peer_vlan"`
	// PeerHostname and PeerClass are the peer asset's; for a routed peer,
	// those of the device seen last with PeerIP on any VLAN, if any.
	PeerHostname string      `json:"peer_hostname"`
	PeerClass    model.Class `json:"peer_class"`
	Proto        string      `json:"proto"`
	Port         uint16      `json:"port"` // the server's
	Service      string      `json:"service"`
	FirstSeen    string      `json:"first_seen"`
	LastSeen     string      `json:"last_seen"`
	Packets      uint64      `json:"packets"`
	Bytes        uint64      `json:"bytes"`
	Connections  uint64      `json:"connections"`
}

// AssetRefRecord points at an asset.
type AssetRefRecord struct {
	Sensor   string      `json:"sensor,omitempty"` // central inventory only
	Site     string      `json:"site,omitempty"`
	Vantage  string      `json:"vantage"`
	VLAN     uint16      `json:"vlan"`
	MAC      string      `json:"mac"`
	IP       string      `json:"ip"` // the key IP of an asset keyed by IP, else its first address
	Hostname string      `json:"hostname"`
	Class    model.Class `json:"class"`
	LastSeen string      `json:"last_seen"`
}
