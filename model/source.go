package model

// ObsSource names the message a value was learned from: the ARP, DHCP or
// NDP message that showed an address in use (Observation.Source,
// AssetAddress.Source), or the DHCP option that carried a host name.
type ObsSource string

// Observation sources. The sensor sets the message ones; the store sets the
// host-name ones.
const (
	SourceARPRequest    ObsSource = "arp.request"    // ARP request (sender binding)
	SourceARPReply      ObsSource = "arp.reply"      // ARP reply
	SourceARPGratuitous ObsSource = "arp.gratuitous" // ARP announcement: sender IP == target IP
	SourceIPv6NDP       ObsSource = "ipv6.ndp"       // IPv6 neighbour discovery or link-local source

	SourceDHCPDiscover ObsSource = "dhcp.discover"
	SourceDHCPRequest  ObsSource = "dhcp.request"
	SourceDHCPInform   ObsSource = "dhcp.inform"
	SourceDHCPDecline  ObsSource = "dhcp.decline"
	SourceDHCPRelease  ObsSource = "dhcp.release"
	SourceDHCPOther    ObsSource = "dhcp.other" // any other DHCPv4 client message type
	SourceDHCPAck      ObsSource = "dhcp.ack"   // DHCPv4 ACK: yiaddr bound to the client

	SourceDICOM ObsSource = "dicom" // a DICOM association
	SourceHL7   ObsSource = "hl7"   // an HL7 v2 message

	SourceNewAssetBudget ObsSource = "sensor.new-asset-budget" // ObsMACFlood: the sensor's new-asset budget ran out

	SourceProbe ObsSource = "probe" // ObsProbe: an answer to the opt-in ARP liveness probe (sensor/probe)

	SourceDHCPOpt12 ObsSource = "dhcp.opt12" // host name from DHCP option 12
	SourceDHCPOpt81 ObsSource = "dhcp.opt81" // host name from DHCP option 81 (client FQDN)
)

// EvidenceSource names the kind of fact a fingerprint rule matched
// (fingerprint.Evidence.Source, kept in the store's evidence table).
type EvidenceSource string

// Evidence sources.
const (
	EvidenceOUI             EvidenceSource = "oui"             // registered vendor (oui_vendor) or MAC prefix (oui_prefix)
	EvidenceRandomizedMAC   EvidenceSource = "mac.randomized"  // locally administered address
	EvidenceDHCPParams      EvidenceSource = "dhcp.opt55"      // parameter request list
	EvidenceDHCPVendorClass EvidenceSource = "dhcp.opt60"      // vendor class identifier
	EvidenceHostname        EvidenceSource = "dhcp.opt12"      // host name (option 12, or 81's domain name)
	EvidenceDICOMSOPClass   EvidenceSource = "dicom.sop_class" // SOP class proposed (scu) or accepted (scp)
	EvidenceDICOMAETitle    EvidenceSource = "dicom.ae_title"  // the asset's own AE title
	EvidenceDICOMImplVer    EvidenceSource = "dicom.impl_version"
	EvidenceDICOMImplUID    EvidenceSource = "dicom.impl_class_uid"
	EvidenceDICOMCommand    EvidenceSource = "dicom.command" // DIMSE command sent
	EvidenceHL7SendingApp   EvidenceSource = "hl7.msh3"      // the asset's application as sender (MSH-3)
	EvidenceHL7ReceivingApp EvidenceSource = "hl7.msh5"      // the asset's application as receiver (MSH-5)
	EvidenceHL7Peers        EvidenceSource = "hl7.peers"     // the applications the asset received from / acknowledged
	EvidenceHL7MessageType  EvidenceSource = "hl7.msh9"      // message type
	EvidenceHL7Equipment    EvidenceSource = "hl7.equipment" // equipment identifiers (OBX-18, PRT-10/16)
)
