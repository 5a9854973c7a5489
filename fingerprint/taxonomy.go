// Package fingerprint identifies devices from what the sensor saw about
// them: the MAC address's registered vendor, DHCP options 55, 60 and 12/81,
// DICOM associations, HL7 v2 messages, the services an asset answers and
// the classes of its clients, and the passive signals of LLDP, CDP, SNMP,
// DHCPv6, mDNS, NetBIOS, SSDP, HTTP, SIP, SSH, TLS and TCP (Facts.Signals).
// It is pure and table-driven (house style §2): the tables are YAML rules
// (configs/fingerprints.yml plus an optional directory of site rules) and a
// few structural rules written in Go, and Classify is a deterministic
// function of the Facts and the loaded rules. It performs no I/O after Load
// and keeps no state between calls, so it is safe for concurrent use.
//
// A Result is a device class with a confidence, and manufacturer, model,
// firmware/software version and OS, each with the evidence that set it
// (Evidence.Sets), and the rules that contradict the class (Conflicts).
//
// # Taxonomy
//
// Every Result.Class is one of model.Classes (model.Class documents what each
// class means). The set is closed: site rules can map devices onto it but
// cannot add to it. An imaging-modality also gets a Result.Modality, one of
// Modalities. The first ten classes are clinical (IsClinical).
//
// # Evidence strength and fusion
//
// Each kind of fact (model.EvidenceSource) has a fixed strength (the
// Strength* constants), in this order: DICOM and HL7 identifiers (100), a
// hypervisor's virtual-NIC prefix (90), what a device says it is (DHCP
// option 60, LLDP, CDP, SNMP, DHCPv6 vendor class, SSDP, HTTP, SIP and SSH
// banners: 80), implementation fingerprints and behaviour (DHCP option 55,
// TCP and TLS fingerprints, served services: 60), names (DHCP host name,
// NetBIOS, mDNS: 40), the MAC's registered vendor (20). Names and vendors
// are weak (IsWeak): alone they never set a class, and never a clinical
// one. A name in a format that a device's firmware or an OS installer
// generates and documents ("NPI" and six hex digits, "DESKTOP-" and seven
// characters) is an implementation fingerprint, not a choice: a rule that
// says so (default_name: true) ranks its name as StrengthDefaultName (50),
// not weak, so it can set a non-clinical class alone. A rule's strength is
// that of its strongest matcher.
//
// Classify fuses the evidence: independent groups of evidence vote for a
// class, agreeing votes raise its confidence, contradicting ones lower it and
// are listed, and a class that an operating system merely implies (a Windows
// DHCP client is usually a workstation) ranks below any observed one. See
// Classify for the exact rules, and Better for how the store keeps a
// classification stable (hysteresis).
package fingerprint

import (
	"strings"

	"github.com/wardwatch/wardwatch/model"
)

// Modalities are the DICOM modality codes (PS3.3 C.7.3.1.1.1) that
// Result.Modality can hold for an imaging-modality. Treat it as read-only.
var Modalities = []string{"CT", "MR", "US", "CR", "DX", "MG", "NM", "PT", "XA", "RF"}

// IsModality reports whether m is one of Modalities.
func IsModality(m string) bool {
	for _, k := range Modalities {
		if k == m {
			return true
		}
	}
	return false
}

// Evidence strengths, by fact source (see the package documentation).
const (
	StrengthOUI             = 20  // registered vendor or prefix of the MAC
	StrengthOSImplied       = 30  // a class implied by the operating system (a rule's implied: true), for ranking only
	StrengthHostname        = 40  // a name the device or its user chose: DHCP option 12/81, NetBIOS, mDNS host names
	StrengthDefaultName     = 50  // a name in a format the firmware or OS installer generates (a rule's default_name: true)
	StrengthDHCPParams      = 60  // DHCP option 55 parameter request list; other implementation fingerprints (TCP SYN, TLS)
	StrengthBehaviour       = 60  // what the asset serves and to which classes of clients (flows)
	StrengthDHCPVendorClass = 80  // DHCP option 60 vendor class identifier
	StrengthSelfDescription = 80  // what the device says it is: LLDP, CDP, SNMP sysDescr, DHCPv6 vendor class, SSDP, SIP, HTTP, SSH
	StrengthVirtualNIC      = 90  // a hypervisor's virtual-NIC prefix
	StrengthApplication     = 100 // DICOM and HL7 identifiers and behaviour
)

// IsWeak reports whether evidence of strength s is weak: a MAC vendor or a
// name (not a documented default name, StrengthDefaultName). Weak evidence
// alone never sets a class, and never a clinical one.
func IsWeak(s int) bool { return s <= StrengthHostname }

// IsClinical reports whether c is a clinical device class: one that
// segmentation policy treats as a medical device or a system that exists
// to serve medical devices. A clinical class never comes from weak
// evidence (see Classify).
func IsClinical(c model.Class) bool {
	switch c {
	case model.ClassInfusionPump, model.ClassPumpGateway, model.ClassPatientMonitor, model.ClassCentralStation,
		model.ClassImagingModality, model.ClassPACS, model.ClassDICOMWorkstation, model.ClassHL7InterfaceEngine,
		model.ClassLabAnalyzer, model.ClassMedicalGateway:
		return true
	}
	return false
}

// OS families (OSFamily), the granularity of the identification accuracy
// measurements (docs/identification.md).
const (
	OSWindows  = "Windows"
	OSMacOS    = "macOS"
	OSiOS      = "iOS"
	OSAndroid  = "Android"
	OSChromeOS = "ChromeOS"
	OSLinux    = "Linux"
	OSBSD      = "BSD"
	OSNetwork  = "network OS" // Cisco IOS and NX-OS, Junos, ProCurve, FortiOS, Comware, ... (a switch's, router's or firewall's)
	OSEmbedded = "embedded"   // a vendor's device firmware that is none of the above (printers, phones, RTOS)
)

// OSFamily returns the family of an OS string as rules write it ("Windows
// 10+", "Linux (BusyBox)", "FreeBSD 14.1"), or "" when os is empty or not
// recognised.
func OSFamily(os string) string {
	l := strings.ToLower(os)
	switch {
	case l == "":
		return ""
	case strings.HasPrefix(l, "windows"):
		return OSWindows
	case strings.HasPrefix(l, "macos"), strings.HasPrefix(l, "mac os"), strings.HasPrefix(l, "os x"):
		return OSMacOS
	case strings.HasPrefix(l, "ios"), strings.HasPrefix(l, "ipados"):
		return OSiOS
	case strings.HasPrefix(l, "android"):
		return OSAndroid
	case strings.HasPrefix(l, "chromeos"), strings.HasPrefix(l, "chrome os"):
		return OSChromeOS
	case strings.HasPrefix(l, "linux"):
		return OSLinux
	case strings.Contains(l, "bsd"):
		return OSBSD
	case strings.HasPrefix(l, "cisco"), strings.HasPrefix(l, "junos"), strings.HasPrefix(l, "procurve"),
		strings.HasPrefix(l, "arubaos"), strings.HasPrefix(l, "fortios"), strings.HasPrefix(l, "extremexos"),
		strings.HasPrefix(l, "network os"), strings.HasPrefix(l, "pan-os"), strings.HasPrefix(l, "eos"),
		strings.HasPrefix(l, "routeros"), strings.HasPrefix(l, "fastiron"), strings.HasPrefix(l, "comware"):
		return OSNetwork
	case strings.HasPrefix(l, "embedded"), strings.HasPrefix(l, "firmware"), strings.HasPrefix(l, "vxworks"),
		strings.HasPrefix(l, "threadx"), strings.HasPrefix(l, "qnx"), strings.HasPrefix(l, "playstation"),
		strings.HasPrefix(l, "xbox"), strings.HasPrefix(l, "brightsign"):
		return OSEmbedded
	}
	return ""
}
