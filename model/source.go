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
	// SourceTraffic: a unicast IPv4 source address inside a subnet the
	// sensor learned on the VLAN (DHCP, ARP), sent from a MAC that is not
	// a router's.
	SourceTraffic ObsSource = "traffic"

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

	EvidenceServed  EvidenceSource = "flow.served"  // a service the asset answered, "udp/53 (dns) to 26 clients"
	EvidenceClients EvidenceSource = "flow.clients" // the class of the asset's clients, "9 patient-monitor"
	EvidenceRouted  EvidenceSource = "flow.routed"  // the asset's MAC carried other addresses' traffic, "40 addresses"

	// Signals of the passive decoders sensor/lldp, cdp, snmp, dhcpv6, mdns,
	// nbns, ssdp, httphdr, sip, ssh, tlshello and tcpsig
	// (fingerprint.Facts.Signals), named as the decoders' documentation
	// names them.
	EvidenceLLDPSysName         EvidenceSource = "lldp.sysname"
	EvidenceLLDPSysDesc         EvidenceSource = "lldp.sysdesc"
	EvidenceLLDPCapabilities    EvidenceSource = "lldp.capabilities" // enabled ones, comma-separated: "bridge,router", "telephone", "wlan-ap", "station"
	EvidenceLLDPMEDManufacturer EvidenceSource = "lldp.med_manufacturer"
	EvidenceLLDPMEDModel        EvidenceSource = "lldp.med_model"
	EvidenceLLDPMEDFirmware     EvidenceSource = "lldp.med_firmware"
	EvidenceLLDPMEDSoftware     EvidenceSource = "lldp.med_software"
	EvidenceLLDPMEDClass        EvidenceSource = "lldp.med_class" // LLDP-MED device type: "endpoint-1", "endpoint-2", "endpoint-3" (IP phones), "network-connectivity"
	EvidenceCDPDeviceID         EvidenceSource = "cdp.device_id"
	EvidenceCDPPlatform         EvidenceSource = "cdp.platform"
	EvidenceCDPSoftware         EvidenceSource = "cdp.software"
	EvidenceCDPCapabilities     EvidenceSource = "cdp.capabilities" // comma-separated: "router,switch", "host,phone"
	EvidenceSNMPSysDescr        EvidenceSource = "snmp.sys_descr"
	EvidenceSNMPSysObjectID     EvidenceSource = "snmp.sys_object_id"
	EvidenceSNMPSysName         EvidenceSource = "snmp.sys_name"
	EvidenceDHCPv6VendorClass   EvidenceSource = "dhcpv6.vendor_class" // "enterprise:data", "311:MSFT 5.0"
	EvidenceDHCPv6FQDN          EvidenceSource = "dhcpv6.fqdn"
	EvidenceMDNSService         EvidenceSource = "mdns.service"     // a DNS-SD service type it announced, "_ipp._tcp"
	EvidenceMDNSTXTModel        EvidenceSource = "mdns.txt_model"   // a model key of its own TXT records, "ty=HP LaserJet M404"
	EvidenceMDNSHostname        EvidenceSource = "mdns.hostname"    // its own mDNS host name
	EvidenceLLMNRName           EvidenceSource = "llmnr.name"       // its own LLMNR name
	EvidenceNBNSName            EvidenceSource = "nbns.name"        // a NetBIOS name it registered or answered for itself
	EvidenceNBNSService         EvidenceSource = "nbns.service"     // what one of its own NetBIOS names says it runs (sensor/nbns Service): "domain-controller" (<1C> group), "pdc" (<1B>), "file-server" (<20>), "master-browser" (<1D>, __MSBROWSE__<01>)
	EvidenceSSDPServer          EvidenceSource = "ssdp.server"      // SERVER of its NOTIFY and search responses
	EvidenceSSDPDeviceType      EvidenceSource = "ssdp.device_type" // device type URN it announced
	EvidenceSSDPUserAgent       EvidenceSource = "ssdp.user_agent"  // USER-AGENT of its M-SEARCH
	EvidenceHTTPUserAgent       EvidenceSource = "http.user_agent"
	EvidenceHTTPServer          EvidenceSource = "http.server"
	EvidenceSIPUserAgent        EvidenceSource = "sip.user_agent"
	EvidenceSIPServer           EvidenceSource = "sip.server"
	EvidenceSSHServerBanner     EvidenceSource = "ssh.server_banner"
	EvidenceSSHClientBanner     EvidenceSource = "ssh.client_banner"
	EvidenceTLSJA4              EvidenceSource = "tls.ja4"
	EvidenceTLSSNI              EvidenceSource = "tls.sni"
	EvidenceTCPSYNSig           EvidenceSource = "tcp.syn_sig"    // p0f 3 signature of its SYNs
	EvidenceTCPSYNACKSig        EvidenceSource = "tcp.synack_sig" // p0f 3 signature of its SYN+ACKs
)
