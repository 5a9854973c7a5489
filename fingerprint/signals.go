package fingerprint

import (
	"slices"
	"strings"

	"github.com/wardwatch/wardwatch/model"
)

// signalKeys are the rule matchers on Facts.Signals: each is a regex on the
// values of one signal source, as strong as that source. The matcher key is
// the source with "." replaced by "_" ("lldp.sysdesc" -> lldp_sysdesc).
var signalKeys = func() []SignalSource {
	l := []SignalSource{
		{Source: model.EvidenceLLDPSysName, Strength: StrengthHostname},
		{Source: model.EvidenceLLDPSysDesc, Strength: StrengthSelfDescription},
		{Source: model.EvidenceLLDPCapabilities, Strength: StrengthSelfDescription},
		{Source: model.EvidenceLLDPMEDManufacturer, Strength: StrengthSelfDescription},
		{Source: model.EvidenceLLDPMEDModel, Strength: StrengthSelfDescription},
		{Source: model.EvidenceLLDPMEDClass, Strength: StrengthSelfDescription},
		{Source: model.EvidenceCDPDeviceID, Strength: StrengthHostname},
		{Source: model.EvidenceCDPPlatform, Strength: StrengthSelfDescription},
		{Source: model.EvidenceCDPSoftware, Strength: StrengthSelfDescription},
		{Source: model.EvidenceCDPCapabilities, Strength: StrengthSelfDescription},
		{Source: model.EvidenceSNMPSysDescr, Strength: StrengthSelfDescription},
		{Source: model.EvidenceSNMPSysObjectID, Strength: StrengthSelfDescription},
		{Source: model.EvidenceSNMPSysName, Strength: StrengthHostname},
		{Source: model.EvidenceDHCPv6VendorClass, Strength: StrengthSelfDescription},
		{Source: model.EvidenceDHCPv6FQDN, Strength: StrengthHostname},
		{Source: model.EvidenceMDNSService, Strength: StrengthBehaviour},
		{Source: model.EvidenceMDNSTXTModel, Strength: StrengthSelfDescription},
		{Source: model.EvidenceMDNSHostname, Strength: StrengthHostname},
		{Source: model.EvidenceLLMNRName, Strength: StrengthHostname},
		{Source: model.EvidenceNBNSName, Strength: StrengthHostname},
		{Source: model.EvidenceNBNSService, Strength: StrengthBehaviour},
		{Source: model.EvidenceSSDPServer, Strength: StrengthSelfDescription},
		{Source: model.EvidenceSSDPDeviceType, Strength: StrengthBehaviour},
		{Source: model.EvidenceSSDPUserAgent, Strength: StrengthDHCPParams},
		{Source: model.EvidenceHTTPUserAgent, Strength: StrengthSelfDescription},
		{Source: model.EvidenceHTTPServer, Strength: StrengthSelfDescription},
		{Source: model.EvidenceSIPUserAgent, Strength: StrengthSelfDescription},
		{Source: model.EvidenceSIPServer, Strength: StrengthSelfDescription},
		{Source: model.EvidenceSSHServerBanner, Strength: StrengthSelfDescription},
		{Source: model.EvidenceSSHClientBanner, Strength: StrengthDHCPParams},
		{Source: model.EvidenceTLSJA4, Strength: StrengthDHCPParams},
		{Source: model.EvidenceTLSSNI, Strength: StrengthHostname},
		{Source: model.EvidenceTCPSYNSig, Strength: StrengthDHCPParams},
		{Source: model.EvidenceTCPSYNACKSig, Strength: StrengthDHCPParams},
	}
	for i := range l {
		l[i].Key = strings.ReplaceAll(string(l[i].Source), ".", "_")
	}
	return l
}()

// SignalSource describes one Facts.Signals source a rule can match: the
// rule file's matcher key, the evidence source and its strength.
type SignalSource struct {
	Key      string
	Source   model.EvidenceSource
	Strength int
}

// SignalSources lists the signal matchers of the rule format, in the order
// the rule file documents them.
func SignalSources() []SignalSource { return slices.Clone(signalKeys) }

// signalKey returns the signal source of a rule matcher key.
func signalKey(key string) (SignalSource, bool) {
	for _, k := range signalKeys {
		if k.Key == key {
			return k, true
		}
	}
	return SignalSource{}, false
}

// group is an independence group of evidence: facts in one group come from
// the same piece of software or configuration on the device (a DHCP
// client's options 55 and 60; a host name and a NetBIOS name, both set by
// whoever named it), so they corroborate each other less than facts from
// different groups do. Classify counts one vote per group.
type group uint8

const (
	gNone      group = iota
	gMAC             // the MAC's registered vendor, a hypervisor prefix, a locally administered address
	gName            // names: DHCP host name, NetBIOS/LLMNR/mDNS names, LLDP/CDP/SNMP system names, DHCPv6 FQDN, TLS SNI
	gDHCP            // the DHCPv4 client: options 55 and 60
	gDHCPv6          // the DHCPv6 client
	gDiscovery       // LLDP and CDP advertisements, SNMP system description
	gMDNS            // DNS-SD services and TXT records
	gSSDP            // UPnP SSDP headers
	gHTTP            // HTTP User-Agent and Server headers
	gSIP             // SIP User-Agent
	gSSH             // SSH banner
	gTLS             // TLS ClientHello fingerprint
	gTCP             // TCP SYN fingerprint
	gDICOM           // DICOM associations
	gHL7             // HL7 messages
	gFlows           // what it serves, and to which classes of clients
	gNetBIOS         // the NetBIOS services it registered (domain controller, PDC, ...)
	numGroups
)

// groupOf returns the independence group of an evidence source.
func groupOf(src model.EvidenceSource) group {
	switch src {
	case model.EvidenceOUI, model.EvidenceRandomizedMAC:
		return gMAC
	case model.EvidenceHostname, model.EvidenceNBNSName, model.EvidenceLLMNRName, model.EvidenceMDNSHostname,
		model.EvidenceLLDPSysName, model.EvidenceCDPDeviceID, model.EvidenceSNMPSysName, model.EvidenceDHCPv6FQDN,
		model.EvidenceTLSSNI:
		return gName
	case model.EvidenceDHCPParams, model.EvidenceDHCPVendorClass:
		return gDHCP
	case model.EvidenceDHCPv6VendorClass:
		return gDHCPv6
	case model.EvidenceLLDPSysDesc, model.EvidenceLLDPCapabilities, model.EvidenceLLDPMEDManufacturer,
		model.EvidenceLLDPMEDModel, model.EvidenceLLDPMEDFirmware, model.EvidenceLLDPMEDSoftware,
		model.EvidenceLLDPMEDClass,
		model.EvidenceCDPPlatform, model.EvidenceCDPSoftware, model.EvidenceCDPCapabilities,
		model.EvidenceSNMPSysDescr, model.EvidenceSNMPSysObjectID:
		return gDiscovery
	case model.EvidenceMDNSService, model.EvidenceMDNSTXTModel:
		return gMDNS
	case model.EvidenceSSDPServer, model.EvidenceSSDPDeviceType, model.EvidenceSSDPUserAgent:
		return gSSDP
	case model.EvidenceHTTPUserAgent, model.EvidenceHTTPServer:
		return gHTTP
	case model.EvidenceSIPUserAgent, model.EvidenceSIPServer:
		return gSIP
	case model.EvidenceSSHServerBanner, model.EvidenceSSHClientBanner:
		return gSSH
	case model.EvidenceTLSJA4:
		return gTLS
	case model.EvidenceTCPSYNSig, model.EvidenceTCPSYNACKSig:
		return gTCP
	case model.EvidenceDICOMSOPClass, model.EvidenceDICOMAETitle, model.EvidenceDICOMImplVer,
		model.EvidenceDICOMImplUID, model.EvidenceDICOMCommand:
		return gDICOM
	case model.EvidenceHL7SendingApp, model.EvidenceHL7ReceivingApp, model.EvidenceHL7Peers,
		model.EvidenceHL7MessageType, model.EvidenceHL7Equipment:
		return gHL7
	case model.EvidenceServed, model.EvidenceClients, model.EvidenceRouted:
		return gFlows
	case model.EvidenceNBNSService:
		return gNetBIOS
	}
	return gNone
}
