package fingerprint

import (
	"slices"
	"strconv"
	"strings"

	"github.com/wardwatch/wardwatch/model"
)

// Built-in structural rules: what a table of patterns cannot say because it
// depends on counting or on the absence of something. They run after the
// YAML rules (so they lose exact ties) and can be switched off from a site
// rule file with "- {name: builtin/..., disabled: true}".
//
//	name                          class                 conf  strength  when
//	builtin/virtual-nic           virtual-machine        90   90        the MAC starts with a hypervisor prefix (VirtualNICPrefixes), even a locally administered one
//	builtin/randomized-mac        (flag)                  -   20        Facts.Randomized and no hypervisor prefix: a flag, never a class
//	builtin/placeholder-mac       (flag)                  -   20        the OUI is 00:00:00 (registered to Xerox, in practice a placeholder): no OUI rule sees its vendor
//	builtin/dicom-modality        imaging-modality       85   100       as SCU it proposes image storage of one or two modalities (ModalityOf), in associations other than C-GET retrievals; three or more modalities make it a forwarder (a PACS or router), not a modality
//	builtin/dicom-pacs            pacs                   95   100       as SCP it accepts >= 3 storage SOP classes and storage commitment (1.2.840.10008.1.20.1) or query/retrieve (FIND/MOVE/GET SOP classes or responses)
//	builtin/dicom-storage-scp     pacs                   50   100       as SCP it accepts >= 3 storage SOP classes, with neither storage commitment nor query/retrieve seen (yet)
//	builtin/dicom-query-retrieve  dicom-workstation      80   100       as SCU it queries or retrieves (Q/R SOP classes, or C-FIND/C-MOVE/C-GET requests other than worklist) without proposing image storage (except for C-GET, which needs it)
//	builtin/dicom-peer            (clinical)             60   100       it took part in a DICOM association: a clinical context (see Classify)
//	builtin/dicom-version         (version)              10   100       its own implementation version name is its software version, unless a rule reads a better one; a toolkit's version name (one a toolkit rule read) only when no rule gives a model
//	builtin/hl7-engine-acks       hl7-interface-engine   90   100       it sent acknowledgements (MSA) to >= 3 distinct applications
//	builtin/hl7-engine-receives   hl7-interface-engine   75   100       it received messages from >= 3 distinct applications
//	builtin/serves-infrastructure server                 75   60        it answered DNS, NTP, Kerberos or LDAP for >= 2 clients (not DHCP alone: a relay agent answers it too)
//	builtin/serves-printing       printer                80   60        it answered raw printing (tcp/9100), LPD (tcp/515) or IPP (tcp/631)
//	builtin/serves-many           server (implied)       55   60        it answered one TCP port for >= 3 distinct clients: implied, as PACS, engines, gateways and central stations do too
//	builtin/routes                network-infrastructure 80   60        its MAC carried traffic from >= 3 other IP addresses (a router)
//	builtin/monitor-clients       central-station        75   60        >= 2 distinct patient monitors were clients of one of its ports other than infrastructure (DNS, DHCP, NTP, ...)
//	builtin/pump-clients          pump-gateway           75   60        >= 2 distinct infusion pumps were clients of one of its ports other than infrastructure
//	builtin/lldp-med              (inventory)            80   80        LLDP-MED inventory: manufacturer, model, firmware or software revision
//
// Modality ties go to the earlier of Modalities' priority for combined
// systems: PT and NM over CT (PET/CT, SPECT/CT), MG, XA over RF, DX over CR.
type builtin struct {
	kind builtinKind
	name string
	out  output
}

type builtinKind uint8

const (
	bVirtualNIC builtinKind = iota
	bRandomizedMAC
	bPlaceholderMAC
	bDICOMModality
	bDICOMPACS
	bDICOMStorage
	bDICOMQR
	bDICOMPeer
	bDICOMVersion
	bHL7EngineAcks
	bHL7EngineRecvs
	bServesInfra
	bServesPrinting
	bServesMany
	bMonitorClients
	bPumpClients
	bLLDPMED
	bRoutes
)

// eval appends the rule's evidence to ev and reports whether it matched; it
// may set out's modality and manufacturer. (A switch rather than a func
// field, so that ev's backing array can stay on Classify's stack.)
func (b *builtin) eval(f *Facts, ev []Evidence, out *output) ([]Evidence, bool) {
	switch b.kind {
	case bVirtualNIC:
		return evalVirtualNIC(f, b.name, ev, out)
	case bRandomizedMAC:
		return evalRandomized(f, b.name, ev)
	case bPlaceholderMAC:
		if !placeholderMAC(f) {
			return ev, false
		}
		return append(ev, Evidence{Source: model.EvidenceOUI, Value: "00:00:00 (placeholder)", Rule: b.name, Strength: StrengthOUI}), true
	case bDICOMPeer:
		return evalDICOMPeer(f, b.name, ev)
	case bDICOMVersion:
		return evalDICOMVersion(f, b.name, ev, out)
	case bServesInfra, bServesPrinting, bServesMany:
		return evalServed(f, b, ev)
	case bMonitorClients:
		return evalClients(f, b.name, model.ClassPatientMonitor, ev)
	case bPumpClients:
		return evalClients(f, b.name, model.ClassInfusionPump, ev)
	case bLLDPMED:
		return evalLLDPMED(f, b.name, ev, out)
	case bRoutes:
		if f.RoutedIPs < MinRoutedIPs {
			return ev, false
		}
		return append(ev, Evidence{Source: model.EvidenceRouted, Value: strconv.Itoa(f.RoutedIPs) + " addresses",
			Rule: b.name, Strength: StrengthBehaviour}), true
	case bDICOMModality:
		return evalModality(f, b.name, ev, out)
	case bDICOMPACS:
		return evalPACS(f, b.name, ev)
	case bDICOMStorage:
		return evalStorageSCP(f, b.name, ev)
	case bDICOMQR:
		return evalQR(f, b.name, ev)
	case bHL7EngineAcks:
		return enginePeers(f, b.name, ev, true)
	case bHL7EngineRecvs:
		return enginePeers(f, b.name, ev, false)
	}
	return ev, false
}

// Built-in rule names.
const (
	BuiltinVirtualNIC     = "builtin/virtual-nic"
	BuiltinRandomizedMAC  = "builtin/randomized-mac"
	BuiltinPlaceholderMAC = "builtin/placeholder-mac"
	BuiltinDICOMPeer      = "builtin/dicom-peer"
	BuiltinDICOMVersion   = "builtin/dicom-version"
	BuiltinServesInfra    = "builtin/serves-infrastructure"
	BuiltinServesPrinting = "builtin/serves-printing"
	BuiltinServesMany     = "builtin/serves-many"
	BuiltinMonitorClients = "builtin/monitor-clients"
	BuiltinPumpClients    = "builtin/pump-clients"
	BuiltinLLDPMED        = "builtin/lldp-med"
	BuiltinRoutes         = "builtin/routes"
	BuiltinDICOMModality  = "builtin/dicom-modality"
	BuiltinDICOMPACS      = "builtin/dicom-pacs"
	BuiltinDICOMStorage   = "builtin/dicom-storage-scp"
	BuiltinDICOMQR        = "builtin/dicom-query-retrieve"
	BuiltinHL7EngineAcks  = "builtin/hl7-engine-acks"
	BuiltinHL7EngineRecvs = "builtin/hl7-engine-receives"
)

// Thresholds of the structural rules.
const (
	// MinPACSStorageClasses is how many distinct storage SOP classes an SCP
	// must accept to be an archive.
	MinPACSStorageClasses = 3
	// ForwarderModalities is how many distinct modalities' image storage an
	// SCU must propose to be a forwarder rather than a modality.
	ForwarderModalities = 3
	// MinEnginePeers is how many distinct peer applications an HL7 interface
	// engine receives from or acknowledges.
	MinEnginePeers = 3
	// MinInfraClients is how many clients an infrastructure service (DNS,
	// DHCP, NTP, Kerberos, LDAP) must have to make its server a server.
	MinInfraClients = 2
	// MinServedClients is how many distinct clients one TCP port must have
	// to make its server a server.
	MinServedClients = 3
	// MinDeviceClients is how many distinct patient monitors (infusion
	// pumps) must be clients of an asset to make it a central station
	// (pump gateway).
	MinDeviceClients = 2
	// MinRoutedIPs is how many other addresses' traffic a MAC must carry
	// to be a router's.
	MinRoutedIPs = 3
)

// Well-known DICOM UIDs (PS3.6 Annex A).
const (
	uidStoragePrefix     = "1.2.840.10008.5.1.4.1.1" // composite instance storage SOP classes
	uidQRPrefix          = "1.2.840.10008.5.1.4.1.2" // query/retrieve information models
	uidStorageCommitment = "1.2.840.10008.1.20.1"    // Storage Commitment Push Model
	uidModalityWorklist  = "1.2.840.10008.5.1.4.31"  // Modality Worklist Information Model - FIND
	uidQRGetSuffix       = ".3"                      // Q/R GET models end in .3 (1.2.1.3, 2.2.3, 3.1.3)
)

// VirtualNICPrefixes are the hypervisors' MAC prefixes builtin/virtual-nic
// knows. Treat it as read-only.
var VirtualNICPrefixes = []struct {
	Prefix       [3]byte
	Text         string
	Manufacturer string
}{
	{[3]byte{0x00, 0x50, 0x56}, "00:50:56", "VMware"},
	{[3]byte{0x00, 0x0c, 0x29}, "00:0c:29", "VMware"},
	{[3]byte{0x00, 0x05, 0x69}, "00:05:69", "VMware"},
	{[3]byte{0x00, 0x1c, 0x14}, "00:1c:14", "VMware"},
	{[3]byte{0x00, 0x15, 0x5d}, "00:15:5d", "Microsoft Hyper-V"},
	{[3]byte{0x52, 0x54, 0x00}, "52:54:00", "KVM/QEMU"}, // locally administered
	{[3]byte{0x00, 0x16, 0x3e}, "00:16:3e", "Xen"},
	{[3]byte{0x08, 0x00, 0x27}, "08:00:27", "Oracle VirtualBox"},
	{[3]byte{0x00, 0x1c, 0x42}, "00:1c:42", "Parallels"},
}

// modalityStorage maps image storage SOP classes to their modality.
var modalityStorage = map[string]string{
	"1.2.840.10008.5.1.4.1.1.2":      "CT", // CT Image Storage
	"1.2.840.10008.5.1.4.1.1.2.1":    "CT", // Enhanced CT
	"1.2.840.10008.5.1.4.1.1.2.2":    "CT", // Legacy Converted Enhanced CT
	"1.2.840.10008.5.1.4.1.1.4":      "MR", // MR Image Storage
	"1.2.840.10008.5.1.4.1.1.4.1":    "MR", // Enhanced MR
	"1.2.840.10008.5.1.4.1.1.4.3":    "MR", // Enhanced MR Color
	"1.2.840.10008.5.1.4.1.1.4.4":    "MR", // Legacy Converted Enhanced MR
	"1.2.840.10008.5.1.4.1.1.6.1":    "US", // Ultrasound Image Storage
	"1.2.840.10008.5.1.4.1.1.6.2":    "US", // Enhanced US Volume
	"1.2.840.10008.5.1.4.1.1.3.1":    "US", // Ultrasound Multi-frame Image
	"1.2.840.10008.5.1.4.1.1.1":      "CR", // Computed Radiography Image Storage
	"1.2.840.10008.5.1.4.1.1.1.1":    "DX", // Digital X-Ray Image Storage - For Presentation
	"1.2.840.10008.5.1.4.1.1.1.1.1":  "DX", // - For Processing
	"1.2.840.10008.5.1.4.1.1.1.2":    "MG", // Digital Mammography X-Ray - For Presentation
	"1.2.840.10008.5.1.4.1.1.1.2.1":  "MG", // - For Processing
	"1.2.840.10008.5.1.4.1.1.13.1.3": "MG", // Breast Tomosynthesis
	"1.2.840.10008.5.1.4.1.1.20":     "NM", // Nuclear Medicine Image Storage
	"1.2.840.10008.5.1.4.1.1.128":    "PT", // Positron Emission Tomography Image Storage
	"1.2.840.10008.5.1.4.1.1.128.1":  "PT", // Legacy Converted Enhanced PET
	"1.2.840.10008.5.1.4.1.1.130":    "PT", // Enhanced PET
	"1.2.840.10008.5.1.4.1.1.12.1":   "XA", // X-Ray Angiographic Image Storage
	"1.2.840.10008.5.1.4.1.1.12.1.1": "XA", // Enhanced XA
	"1.2.840.10008.5.1.4.1.1.12.2":   "RF", // X-Ray Radiofluoroscopic Image Storage
	"1.2.840.10008.5.1.4.1.1.12.2.1": "RF", // Enhanced XRF
}

// ModalityOf returns the modality (one of Modalities) whose image storage
// SOP class uid is, or "" when uid is not an image storage class this
// package knows.
func ModalityOf(uid string) string { return modalityStorage[uid] }

// modalityPriority orders modalities for a device proposing two.
var modalityPriority = []string{"PT", "NM", "MG", "XA", "RF", "MR", "CT", "US", "DX", "CR"}

func modalityBit(m string) uint16 {
	for i, x := range Modalities {
		if x == m {
			return 1 << i
		}
	}
	return 0
}

func builtins() []builtin {
	return []builtin{
		{bVirtualNIC, BuiltinVirtualNIC, output{class: model.ClassVirtualMachine, confidence: 90}},
		{bRandomizedMAC, BuiltinRandomizedMAC, output{}},
		{bPlaceholderMAC, BuiltinPlaceholderMAC, output{}},
		{bDICOMModality, BuiltinDICOMModality, output{class: model.ClassImagingModality, confidence: 85}},
		{bDICOMPACS, BuiltinDICOMPACS, output{class: model.ClassPACS, confidence: 95}},
		{bDICOMStorage, BuiltinDICOMStorage, output{class: model.ClassPACS, confidence: 50}},
		{bDICOMQR, BuiltinDICOMQR, output{class: model.ClassDICOMWorkstation, confidence: 80}},
		{bDICOMPeer, BuiltinDICOMPeer, output{clinical: true, confidence: 60}},
		{bDICOMVersion, BuiltinDICOMVersion, output{confidence: 10}},
		{bHL7EngineAcks, BuiltinHL7EngineAcks, output{class: model.ClassHL7InterfaceEngine, confidence: 90}},
		{bHL7EngineRecvs, BuiltinHL7EngineRecvs, output{class: model.ClassHL7InterfaceEngine, confidence: 75}},
		{bServesInfra, BuiltinServesInfra, output{class: model.ClassServer, confidence: 75}},
		{bServesPrinting, BuiltinServesPrinting, output{class: model.ClassPrinter, confidence: 80}},
		{bServesMany, BuiltinServesMany, output{class: model.ClassServer, confidence: 55, implied: true}},
		{bMonitorClients, BuiltinMonitorClients, output{class: model.ClassCentralStation, confidence: 75}},
		{bPumpClients, BuiltinPumpClients, output{class: model.ClassPumpGateway, confidence: 75}},
		{bLLDPMED, BuiltinLLDPMED, output{confidence: 80}},
		{bRoutes, BuiltinRoutes, output{class: model.ClassNetworkInfrastructure, confidence: 80}},
	}
}

func isBuiltinName(name string) bool { return strings.HasPrefix(name, "builtin/") }

func virtualNIC(f *Facts) int {
	if f.MAC.IsZero() {
		return -1
	}
	for i, p := range VirtualNICPrefixes {
		if [3]byte(f.MAC[:3]) == p.Prefix {
			return i
		}
	}
	return -1
}

func evalVirtualNIC(f *Facts, name string, ev []Evidence, out *output) ([]Evidence, bool) {
	i := virtualNIC(f)
	if i < 0 {
		return ev, false
	}
	out.manufacturer = VirtualNICPrefixes[i].Manufacturer
	return append(ev, Evidence{Source: model.EvidenceOUI, Value: VirtualNICPrefixes[i].Text, Rule: name, Strength: StrengthVirtualNIC}), true
}

func evalRandomized(f *Facts, name string, ev []Evidence) ([]Evidence, bool) {
	if !f.Randomized || virtualNIC(f) >= 0 {
		return ev, false
	}
	return append(ev, Evidence{Source: model.EvidenceRandomizedMAC, Value: "locally administered", Rule: name, Strength: StrengthOUI}), true
}

// isGet reports whether an SCU fact is a C-GET retrieval, whose storage
// proposals are for receiving.
func isGet(d *DICOMFact) bool {
	for _, s := range d.SOPClasses {
		if uidHasPrefix(s, uidQRPrefix) && strings.HasSuffix(s, uidQRGetSuffix) {
			return true
		}
	}
	for _, c := range d.Commands {
		if c.Name == "C-GET-RQ" {
			return true
		}
	}
	return false
}

func evalModality(f *Facts, name string, ev []Evidence, out *output) ([]Evidence, bool) {
	var bits uint16
	for i := range f.DICOM {
		d := &f.DICOM[i]
		if d.Role != model.RoleSCU || isGet(d) {
			continue
		}
		for _, s := range d.SOPClasses {
			bits |= modalityBit(modalityStorage[s])
		}
	}
	n := 0
	for b := bits; b != 0; b &= b - 1 {
		n++
	}
	if n == 0 || n >= ForwarderModalities {
		return ev, false
	}
	for _, m := range modalityPriority {
		if bits&modalityBit(m) == 0 {
			continue
		}
		out.modality = m
		for i := range f.DICOM {
			d := &f.DICOM[i]
			if d.Role != model.RoleSCU || isGet(d) {
				continue
			}
			for _, s := range d.SOPClasses {
				if modalityStorage[s] == m {
					return append(ev, Evidence{Source: model.EvidenceDICOMSOPClass, Value: s, Rule: name, Strength: StrengthApplication}), true
				}
			}
		}
	}
	return ev, false // unreachable: bits came from these facts
}

// storageSCP finds up to MinPACSStorageClasses distinct storage SOP classes
// accepted as SCP, and whether storage commitment or query/retrieve was
// seen (returned as the evidence for it).
func storageSCP(f *Facts) (storage [MinPACSStorageClasses]string, n int, extra Evidence) {
	for i := range f.DICOM {
		d := &f.DICOM[i]
		if d.Role != model.RoleSCP {
			continue
		}
		for _, s := range d.SOPClasses {
			switch {
			case uidHasPrefix(s, uidStoragePrefix):
				if n < len(storage) && !containsStr(storage[:n], s) {
					storage[n] = s
					n++
				}
			case extra.Value == "" && (s == uidStorageCommitment || uidHasPrefix(s, uidQRPrefix)):
				extra = Evidence{Source: model.EvidenceDICOMSOPClass, Value: s}
			}
		}
		for _, c := range d.Commands {
			if extra.Value != "" {
				break
			}
			switch c.Name {
			case "C-FIND-RSP", "C-MOVE-RSP", "C-GET-RSP":
				if c.SOPClass != uidModalityWorklist {
					extra = Evidence{Source: model.EvidenceDICOMCommand, Value: c.String()}
				}
			}
		}
	}
	return storage, n, extra
}

func evalPACS(f *Facts, name string, ev []Evidence) ([]Evidence, bool) {
	storage, n, extra := storageSCP(f)
	if n < MinPACSStorageClasses || extra.Value == "" {
		return ev, false
	}
	for _, s := range storage {
		ev = append(ev, Evidence{Source: model.EvidenceDICOMSOPClass, Value: s, Rule: name, Strength: StrengthApplication})
	}
	extra.Rule, extra.Strength = name, StrengthApplication
	return append(ev, extra), true
}

func evalStorageSCP(f *Facts, name string, ev []Evidence) ([]Evidence, bool) {
	storage, n, extra := storageSCP(f)
	if n < MinPACSStorageClasses || extra.Value != "" {
		return ev, false
	}
	for _, s := range storage {
		ev = append(ev, Evidence{Source: model.EvidenceDICOMSOPClass, Value: s, Rule: name, Strength: StrengthApplication})
	}
	return ev, true
}

func evalQR(f *Facts, name string, ev []Evidence) ([]Evidence, bool) {
	for i := range f.DICOM {
		d := &f.DICOM[i]
		if d.Role != model.RoleSCU {
			continue
		}
		if !isGet(d) && firstModalityClass(d) != "" {
			continue
		}
		var hit Evidence
		for _, s := range d.SOPClasses {
			if uidHasPrefix(s, uidQRPrefix) {
				hit = Evidence{Source: model.EvidenceDICOMSOPClass, Value: s}
				break
			}
		}
		if hit.Value == "" {
			mwl := containsStr(d.SOPClasses, uidModalityWorklist)
			for _, c := range d.Commands {
				switch c.Name {
				case "C-MOVE-RQ", "C-GET-RQ":
					hit = Evidence{Source: model.EvidenceDICOMCommand, Value: c.String()}
				case "C-FIND-RQ":
					if c.SOPClass != uidModalityWorklist && (c.SOPClass != "" || !mwl) {
						hit = Evidence{Source: model.EvidenceDICOMCommand, Value: c.String()}
					}
				}
				if hit.Value != "" {
					break
				}
			}
		}
		if hit.Value != "" {
			hit.Rule, hit.Strength = name, StrengthApplication
			return append(ev, hit), true
		}
	}
	return ev, false
}

func firstModalityClass(d *DICOMFact) string {
	for _, s := range d.SOPClasses {
		if modalityStorage[s] != "" {
			return s
		}
	}
	return ""
}

// enginePeers appends evidence for MinEnginePeers distinct peer applications
// the asset acknowledged (acks) or received from (!acks), and reports
// whether there were that many.
func enginePeers(f *Facts, name string, ev []Evidence, acks bool) ([]Evidence, bool) {
	start := len(ev)
	var seen [MinEnginePeers]*HL7Fact
	n := 0
	for i := range f.HL7 {
		h := &f.HL7[i]
		if h.PeerApplication == "" || (acks && !h.SentAck) || (!acks && h.Role != model.RoleReceiver) {
			continue
		}
		dup := false
		for _, s := range seen[:n] {
			if s.PeerApplication == h.PeerApplication && s.PeerFacility == h.PeerFacility {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		seen[n] = h
		n++
		ev = append(ev, Evidence{Source: model.EvidenceHL7Peers, Value: h.PeerApplication, Rule: name, Strength: StrengthApplication})
		if n == MinEnginePeers {
			return ev, true
		}
	}
	return ev[:start], false
}

// evalDICOMPeer matches any DICOM association of the asset's: a clinical
// context.
func evalDICOMPeer(f *Facts, name string, ev []Evidence) ([]Evidence, bool) {
	for i := range f.DICOM {
		d := &f.DICOM[i]
		v := d.AETitle
		if v == "" {
			v = d.Role
		}
		return append(ev, Evidence{Source: model.EvidenceDICOMAETitle, Value: v, Rule: name, Strength: StrengthApplication}), true
	}
	return ev, false
}

// evalDICOMVersion takes the asset's own implementation version name as its
// software version.
func evalDICOMVersion(f *Facts, name string, ev []Evidence, out *output) ([]Evidence, bool) {
	for i := range f.DICOM {
		if v := f.DICOM[i].ImplVersion; v != "" {
			out.version = v
			return append(ev, Evidence{Source: model.EvidenceDICOMImplVer, Value: v, Rule: name, Strength: StrengthApplication}), true
		}
	}
	return ev, false
}

// Served ports the serves-* rules know.
var (
	infraPorts = []struct {
		proto uint8
		port  uint16
	}{{17, 53}, {6, 53}, {17, 123}, {17, 88}, {6, 88}, {6, 389}, {17, 389}, {6, 636}, {6, 3268}}
	printPorts = []uint16{9100, 515, 631}
)

// InfrastructurePort reports whether proto/port is a network service every
// device uses (DNS, DHCP, NTP, Kerberos, LDAP, NetBIOS, SNMP, syslog, SSDP,
// mDNS): its clients say nothing about what its server is for.
func InfrastructurePort(proto uint8, port uint16) bool {
	for _, p := range infraPorts {
		if p.proto == proto && p.port == port {
			return true
		}
	}
	switch port {
	case 67, 68, 137, 138, 161, 162, 514, 1900, 5353:
		return proto == 17
	}
	return false
}

func evalServed(f *Facts, b *builtin, ev []Evidence) ([]Evidence, bool) {
	for i := range f.Served {
		s := &f.Served[i]
		ok := false
		switch b.kind {
		case bServesInfra:
			for _, p := range infraPorts {
				ok = ok || (p.proto == s.Proto && p.port == s.Port && s.Clients >= MinInfraClients)
			}
		case bServesPrinting:
			ok = s.Proto == 6 && slices.Contains(printPorts, s.Port) && s.Clients >= 1
		case bServesMany:
			ok = s.Proto == 6 && s.Clients >= MinServedClients
		}
		if ok {
			return append(ev, Evidence{Source: model.EvidenceServed, Value: s.String(), Rule: b.name, Strength: StrengthBehaviour}), true
		}
	}
	return ev, false
}

// String formats s as "udp/53 (dns) to 26 clients".
func (s Served) String() string {
	proto := "tcp"
	switch s.Proto {
	case 17:
		proto = "udp"
	case 6:
	default:
		proto = "ip" + strconv.Itoa(int(s.Proto))
	}
	out := proto + "/" + strconv.Itoa(int(s.Port))
	if s.Service != "" {
		out += " (" + s.Service + ")"
	}
	return out + " to " + strconv.Itoa(s.Clients) + " clients"
}

// ServedCountMatters reports whether n distinct clients of one served port
// is a count at which a rule's outcome may change: the first client (the
// port appears among the served ones: rule matchers and builtin/serves-
// printing want one), MinInfraClients on an infrastructure port the
// serves-infrastructure rule knows, MinServedClients on a TCP port. Past
// those only the numbers in the evidence text change, so the store need
// not classify the server again at once. Engine.ReadsServed narrows the
// first client to the ports a rule reads.
func ServedCountMatters(proto uint8, port uint16, n int) bool {
	switch n {
	case 1:
		return true
	case MinInfraClients:
		for _, p := range infraPorts {
			if p.proto == proto && p.port == port {
				return true
			}
		}
	}
	return n == MinServedClients && proto == 6
}

// RoutedCountMatters reports whether n addresses routed through a MAC is a
// count at which a rule's outcome may change (builtin/routes).
func RoutedCountMatters(n int) bool { return n == MinRoutedIPs }

// ClientClassMatters reports whether a client of class c counts in a
// server's classification: the rules read Facts.Clients only for the
// classes of builtin/monitor-clients and builtin/pump-clients. A client
// whose class changes from or to another class changes no server's result,
// so the store need not classify its servers again.
func ClientClassMatters(c model.Class) bool {
	return c == model.ClassPatientMonitor || c == model.ClassInfusionPump
}

func evalClients(f *Facts, name string, c model.Class, ev []Evidence) ([]Evidence, bool) {
	for _, cc := range f.Clients {
		if cc.Class == c && cc.Count >= MinDeviceClients && !InfrastructurePort(cc.Proto, cc.Port) {
			return append(ev, Evidence{Source: model.EvidenceClients, Value: strconv.Itoa(cc.Count) + " " + string(c),
				Rule: name, Strength: StrengthBehaviour}), true
		}
	}
	return ev, false
}

// lldpMEDField returns the output field an LLDP-MED inventory signal of
// source src sets (evalLLDPMED), nil for other sources.
func lldpMEDField(src model.EvidenceSource, out *output) *string {
	switch src {
	case model.EvidenceLLDPMEDManufacturer:
		return &out.manufacturer
	case model.EvidenceLLDPMEDModel:
		return &out.model
	case model.EvidenceLLDPMEDFirmware, model.EvidenceLLDPMEDSoftware:
		return &out.version
	}
	return nil
}

// evalLLDPMED reads the LLDP-MED inventory signals into out.
func evalLLDPMED(f *Facts, name string, ev []Evidence, out *output) ([]Evidence, bool) {
	start := len(ev)
	for _, s := range f.Signals {
		dst := lldpMEDField(s.Source, out)
		if dst == nil {
			continue
		}
		if *dst == "" {
			*dst = strings.TrimSpace(s.Value)
			ev = append(ev, Evidence{Source: s.Source, Value: s.Value, Rule: name, Strength: StrengthSelfDescription})
		}
	}
	return ev, len(ev) > start
}
