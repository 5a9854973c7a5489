package fingerprint

import (
	"slices"

	"github.com/wardwatch/wardwatch/model"
)

// Facts is what the store knows about one asset, the input of Classify. The
// store fills it from its tables; AddDICOM and AddHL7 fold sensor
// observations into the DICOM and HL7 lists with the semantics documented on
// DICOMFact and HL7Fact. Classify only reads it.
type Facts struct {
	MAC        model.MAC
	Vendor     string // IEEE registry organisation (fingerprint/oui), "" if none
	Randomized bool   // locally administered address, as the caller decided

	DHCPParamList   string // option 55 as "1,3,6,15"
	DHCPVendorClass string // option 60
	Hostname        string // option 12, else option 81's name

	DICOM []DICOMFact
	HL7   []HL7Fact

	// Served are the services the asset answered as a server: flows whose
	// server end is the asset, one per (Proto, Port).
	Served []Served
	// Clients counts, per served port and client class, the distinct
	// assets that were its clients (classes as the store has them; unknown
	// ones are left out; a routed client is the asset with its address).
	Clients []ClassCount
	// RoutedIPs is how many distinct IP addresses other than its own the
	// asset's MAC carried traffic from: a router's or a gateway's.
	RoutedIPs int

	// Signals are the other things the asset said about itself on the
	// wire, one per (Source, Value): LLDP and CDP advertisements, SNMP
	// sysDescr, DHCPv6 vendor classes, mDNS services, NetBIOS names, SSDP
	// and HTTP headers, SIP and SSH banners, TLS and TCP fingerprints. The
	// sources are model.Evidence* constants; see SignalSources for the ones
	// rules can match.
	Signals []Signal
}

// Served is one service an asset answered: Proto (6 TCP, 17 UDP) and Port,
// the service name the sensor recognised ("dns", "dicom", ... or ""), and
// how many distinct clients used it.
type Served struct {
	Proto   uint8
	Port    uint16
	Service string
	Clients int
}

// ClassCount is a number of client assets of one class on one served port.
type ClassCount struct {
	Proto uint8
	Port  uint16
	Class model.Class
	Count int
}

// Signal is one value a passive decoder reported about the asset: Source
// says which decoder and field (model.EvidenceLLDPSysDesc, ...), Value is
// the text as the decoder gave it.
type Signal struct {
	Source model.EvidenceSource
	Value  string
}

// AddSignal adds a signal unless it is empty or already there.
func (f *Facts) AddSignal(src model.EvidenceSource, value string) {
	if value == "" {
		return
	}
	s := Signal{Source: src, Value: value}
	if !slices.Contains(f.Signals, s) {
		f.Signals = append(f.Signals, s)
	}
}

// DICOMFact is what the asset did in DICOM associations in one role towards
// one peer AE title: one fact per (Role, AETitle, PeerAETitle), with SOP
// classes and commands merged over that pair's associations.
type DICOMFact struct {
	Role        string // model.RoleSCU (association requestor) or model.RoleSCP (acceptor)
	AETitle     string // the asset's own AE title
	PeerAETitle string
	// SOPClasses are the abstract syntaxes the asset proposed (scu) or
	// accepted (scp); a rejected association contributes none as scp.
	SOPClasses   []string
	ImplClassUID string // the asset's own implementation class UID
	ImplVersion  string // the asset's own implementation version name
	// Commands are the DIMSE commands the asset sent, one per (Name,
	// SOPClass); SOPClass is "" when the command named none. Count is not
	// used.
	Commands []model.DICOMCommand
}

// HL7Fact is what the asset did in HL7 v2 messages in one role towards one
// peer application: one fact per (Role, Application, Facility,
// PeerApplication, PeerFacility), with message types and equipment merged.
type HL7Fact struct {
	Role                          string   // model.RoleSender or model.RoleReceiver of the messages
	Application, Facility         string   // the asset's own: MSH-3/4 as sender, MSH-5/6 as receiver
	PeerApplication, PeerFacility string   // the other end's
	MessageTypes                  []string // MSH-9, e.g. "ORU^R01"
	EquipmentIDs                  []string // OBX-18 / PRT-10/16 identifiers in the messages
	SentAck                       bool     // the asset sent this peer an acknowledgement (MSA)
}

// AddDICOM folds one DICOM observation into f.DICOM, merging it into the fact
// for the same (role, AE title, peer AE title). SOP classes and commands are
// kept distinct, in order of first appearance. An association the asset
// rejected adds no accepted SOP classes.
func (f *Facts) AddDICOM(info *model.DICOMInfo) {
	if info == nil || (info.Role != model.RoleSCU && info.Role != model.RoleSCP) {
		return
	}
	var d *DICOMFact
	for i := range f.DICOM {
		x := &f.DICOM[i]
		if x.Role == info.Role && x.AETitle == info.AETitle && x.PeerAETitle == info.PeerAETitle {
			d = x
			break
		}
	}
	if d == nil {
		f.DICOM = append(f.DICOM, DICOMFact{Role: info.Role, AETitle: info.AETitle, PeerAETitle: info.PeerAETitle})
		d = &f.DICOM[len(f.DICOM)-1]
	}
	if info.ImplClassUID != "" {
		d.ImplClassUID = info.ImplClassUID
	}
	if info.ImplVersion != "" {
		d.ImplVersion = info.ImplVersion
	}
	if !(info.Role == model.RoleSCP && info.Result == model.DICOMRejected) {
		d.SOPClasses = appendDistinct(d.SOPClasses, info.SOPClasses...)
	}
	for _, c := range info.Commands {
		d.AddCommand(c.Name, c.SOPClass)
	}
}

// AddHL7 folds one HL7 observation into f.HL7, merging it into the fact for
// the same (role, application, facility, peer application, peer facility).
// An acknowledgement the asset sent (a message with MSA-1) sets SentAck on
// the fact for that peer in the receiver role, the role in which the asset
// received what it acknowledged; its own message type ("ACK^...") is not
// added.
func (f *Facts) AddHL7(info *model.HL7Info) {
	if info == nil || (info.Role != model.RoleSender && info.Role != model.RoleReceiver) {
		return
	}
	role := info.Role
	ack := info.Role == model.RoleSender && info.AckCode != ""
	if ack {
		role = model.RoleReceiver
	}
	var h *HL7Fact
	for i := range f.HL7 {
		x := &f.HL7[i]
		if x.Role == role && x.Application == info.Application && x.Facility == info.Facility &&
			x.PeerApplication == info.PeerApplication && x.PeerFacility == info.PeerFacility {
			h = x
			break
		}
	}
	if h == nil {
		f.HL7 = append(f.HL7, HL7Fact{Role: role, Application: info.Application, Facility: info.Facility,
			PeerApplication: info.PeerApplication, PeerFacility: info.PeerFacility})
		h = &f.HL7[len(f.HL7)-1]
	}
	if ack {
		h.SentAck = true
		return
	}
	if info.MessageType != "" {
		h.MessageTypes = appendDistinct(h.MessageTypes, info.MessageType)
	}
	h.EquipmentIDs = appendDistinct(h.EquipmentIDs, info.EquipmentIDs...)
}

// AddCommand adds the DIMSE command name with affected SOP class sopClass
// ("" if none) to d.Commands unless it is there already.
func (d *DICOMFact) AddCommand(name, sopClass string) {
	if name == "" {
		return
	}
	c := model.DICOMCommand{Name: name, SOPClass: sopClass}
	if !slices.Contains(d.Commands, c) {
		d.Commands = append(d.Commands, c)
	}
}

func appendDistinct(dst []string, src ...string) []string {
	for _, s := range src {
		if s != "" && !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}
