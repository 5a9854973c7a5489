package accuracy

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
)

var writeDoc = flag.Bool("write-doc", false, "write the measured tables into docs/identification.md (make identification)")

const docPath = "../../docs/identification.md"

// signalRows describe every evidence source for the signal table: what it
// yields and whether the sensor reports it yet. Strengths come from the
// fingerprint package.
var signalRows = []struct {
	src      model.EvidenceSource
	yields   string
	wired    bool
	strength int // 0: the source's (strengthOf)
}{
	{model.EvidenceOUI, "manufacturer of the network interface; a class only with corroboration (weak)", true, 0},
	{model.EvidenceRandomizedMAC, "a flag: the address is locally administered (no vendor); never a class", true, 0},
	{model.EvidenceDHCPVendorClass, "device class, manufacturer, model, OS (product names of printers, phones (Mitel system phones too), DECT bases (Mitel OpenMobility), telephone adapters, APs, firewalls, BMCs, UPS and PDU management cards (APC), consoles, DOCSIS cable modems, eRouters and PacketCable MTAs; PXE/UEFI HTTP/U-Boot/Apple NetBoot firmware; ZTP, ONIE; Windows, Android, ChromeOS, dhcpcd's OS and release, the Debian installer, klibc's initramfs ipconfig; a bare maker string such as Cisco's gives the maker only)", true, 0},
	{model.EvidenceDHCPParams, "OS family (exact, prefix or similar lists: Windows, macOS and NetInfo-era Mac OS X, iOS, Android incl. older platform DhcpClient builds, dhclient, dhcpcd, udhcpc, systemd-networkd, NetworkManager, ConnMan, SUSE's wicked, VyOS's dhclient, the Go insomniacslk/dhcp client, BSDs and their dhclient, lwIP/ESP-IDF, Arduino Ethernet, Microchip TCP/IP, uIP/FreeRTOS+TCP/NetX Duo/Zephyr, the Linux kernel's ip=dhcp); a class only as implied by the OS", true, 0},
	{model.EvidenceHostname, "names users or sites choose: `<user>-PC`, Mac and iPhone names, site conventions for clinical systems (weak)", true, 0},
	{model.EvidenceHostname, "documented default names a firmware or OS installer generates (rules with default_name: true): Windows and Windows Server setup, Android, Samsung phones, printers (HP, Brother, Epson, Evolis), BMCs (Lenovo IMM, Dell iDRAC), Cisco and Avaya phones, Axis cameras, Shelly relays, ESP-IDF boards, Dell Wyse ThinLinux, OpenWrt, Arduino Ethernet boards, Raspberry Pi OS; a non-clinical class alone", true, fingerprint.StrengthDefaultName},
	{model.EvidenceDICOMSOPClass, "imaging modality and its modality, PACS, DICOM workstation, film printer, worklist server", true, 0},
	{model.EvidenceDICOMAETitle, "modality (US, CT, ...) and product names; that the device is clinical", true, 0},
	{model.EvidenceDICOMImplUID, "manufacturer (GE, Siemens, Philips, Canon, FUJIFILM, Agfa, Hologic) or toolkit (DCMTK, dcm4che, pydicom, fo-dicom, GDCM)", true, 0},
	{model.EvidenceDICOMImplVer, "software version (toolkit versions, syngo VA/VB names, else the name itself)", true, 0},
	{model.EvidenceDICOMCommand, "query/retrieve client, PACS", true, 0},
	{model.EvidenceHL7SendingApp, "pump gateway, engine, central station, lab analyser, medical gateway; manufacturer and model", true, 0},
	{model.EvidenceHL7MessageType, "pump gateway (ORU with pump equipment, RGV), ADT source", true, 0},
	{model.EvidenceHL7Equipment, "manufacturer and model of the equipment (not a gateway's own model)", true, 0},
	{model.EvidenceHL7Peers, "HL7 interface engine (receives from or acknowledges three applications)", true, 0},
	{model.EvidenceServed, "server (DNS, NTP, Kerberos, LDAP; one port for many clients), printer (9100, 515, 631), router (a network vendor answering DHCP/DNS)", true, 0},
	{model.EvidenceClients, "central station (patient monitors as clients), pump gateway (pumps as clients)", true, 0},
	{model.EvidenceRouted, "router: the MAC carried three or more other addresses' traffic", true, 0},
}

// signalNotes are the yields of the decoded signals.
var signalNotes = map[model.EvidenceSource]string{
	model.EvidenceLLDPSysName:         "a name (weak); host-name rules apply to its first label",
	model.EvidenceLLDPSysDesc:         "network OS, manufacturer, model, firmware version (Cisco IOS, ProCurve, ArubaOS-Switch, Extreme, Juniper, SMC, Siemens SCALANCE, NX-OS, Comware, Arista EOS); industrial controllers (Siemens SIMATIC); Axis devices; Linux and BSD hosts running lldpd",
	model.EvidenceLLDPCapabilities:    "network infrastructure (router, AP; a bridge alone less sure), IP phone (telephone, also with bridge: its PC port); never network infrastructure for a station or an LLDP-MED endpoint",
	model.EvidenceLLDPMEDManufacturer: "manufacturer (LLDP-MED inventory)",
	model.EvidenceLLDPMEDModel:        "model; IP phone",
	model.EvidenceLLDPMEDFirmware:     "firmware version",
	model.EvidenceLLDPMEDSoftware:     "software version",
	model.EvidenceLLDPMEDClass:        "an LLDP-MED endpoint (class I-III) is not network infrastructure, whatever its capabilities say of its PC port",
	model.EvidenceCDPDeviceID:         "a name (weak); host-name rules apply to its first label",
	model.EvidenceCDPPlatform:         "model: Cisco routers, switches, access points, phones",
	model.EvidenceCDPSoftware:         "Cisco IOS and NX-OS and their versions; Axis devices; Linux (lldpd)",
	model.EvidenceCDPCapabilities:     "network infrastructure (router, switch), IP phone (phone, also with switch or host)",
	model.EvidenceSNMPSysDescr:        "OS and device (Cisco IOS and NX-OS, ArubaOS, Arista EOS, Junos, RouterOS, FastIron, Comware, Siemens SIMATIC and SCALANCE, pfSense/OPNsense, TrueNAS, VMware ESXi, AIX, HiveOS, Cisco IMC, HP JetDirect, ZebraNet, OkiLAN, Dahua, Windows, Linux, the BSDs, macOS); printers, cameras and network gear that say so",
	model.EvidenceSNMPSysObjectID:     "manufacturer by IANA enterprise number, and the class where the maker makes one kind of device (printers, firewalls, switches and APs, UPS/PDU cards, cameras, NAS, BMCs: iLO, iDRAC, IMM, Huawei iBMC); OS by Net-SNMP's platform OIDs and OpenBSD's",
	model.EvidenceSNMPSysName:         "a name (weak); host-name rules apply to its first label",
	model.EvidenceDHCPv6VendorClass:   "OS (Windows' 311:MSFT 5.0, dhcpcd's OS and release)",
	model.EvidenceDHCPv6FQDN:          "a name (weak); host-name rules apply",
	model.EvidenceMDNSService:         "printer (_ipp, _printer, _pdl-datastream; scanners: _uscan, _scanner), Chromecast, Apple TV (its Media Remote service), HomeKit accessory, Axis camera, Hue bridge, ESPHome, a Matter device being commissioned, AirPlay receiver",
	model.EvidenceMDNSTXTModel:        "model (ty=, model=, product=, usb_MDL=) and maker (usb_MFG=): printers, Macs, iPhones, Apple TVs, HomePods",
	model.EvidenceMDNSHostname:        "a name (weak); host-name rules apply",
	model.EvidenceLLMNRName:           "a name (weak); host-name rules apply",
	model.EvidenceNBNSName:            "a name (weak); host-name rules apply",
	model.EvidenceNBNSService:         "Windows Server: a domain controller (its domain's <1C> group) or the PDC (<1B>); file-server (<20>) and master-browser (<1D>) say nothing alone (Windows clients register them too)",
	model.EvidenceSSDPServer:          "OS (Windows, Linux) of a UPnP device or host; Sonos; Epson printers; Philips Hue bridges",
	model.EvidenceSSDPDeviceType:      "printer, internet gateway, WAN and WLAN AP devices, Wi-Fi Protected Setup registrar (AP), DIAL media receiver, Sonos, Samsung TV",
	model.EvidenceSSDPUserAgent:       "OS of a control point: Chrome's DIAL search (\"Google Chrome/<version> Windows\", Mac OS X, Linux), the UPnP form \"Microsoft-Windows/<version> UPnP/1.0\", \"Linux/<release> UPnP/1.0\"",
	model.EvidenceHTTPUserAgent:       "OS (Windows incl. its NCSI probe, CryptoAPI, Delivery Optimization and Windows Update clients, macOS, iOS, Android, ChromeOS, Linux, the BSDs); Android phones (Dalvik, Mobile); IP phones, conference phones and DECT bases fetching their provisioning: manufacturer, model, firmware (Yealink, Polycom, snom, Grandstream, Cisco SPA and multiplatform, Aastra/Mitel, Fanvil, Gigaset, Htek, Panasonic, ALE, Avaya)",
	model.EvidenceHTTPServer:          "printer (HP embedded web server and its model, HP ChaiSOE, Epson, Canon, Kyocera); HPE iLO; Hikvision cameras, DVR/NVRs",
	model.EvidenceSIPUserAgent:        "IP phone: manufacturer, model, firmware (Cisco incl. multiplatform, Polycom, Yealink, Grandstream, snom, Avaya, Mitel/Aastra, Fanvil); call servers (Avaya Aura, Asterisk)",
	model.EvidenceSIPServer:           "PBX software (Asterisk)",
	model.EvidenceSSHServerBanner:     "OS distribution (Ubuntu, Debian, Raspberry Pi OS, FreeBSD, NetBSD, Windows), Cisco IOS, RouterOS, embedded Linux",
	model.EvidenceSSHClientBanner:     "OS distribution of an OpenSSH client (Ubuntu, Debian, Raspberry Pi OS, FreeBSD, NetBSD, Windows): the version string its server would send",
	model.EvidenceTLSJA4:              "TLS stack of a client (no rules yet: needs observed devices)",
	model.EvidenceTLSSNI:              "services a client uses (weak; no rules yet)",
	model.EvidenceTCPSYNSig:           "the kernel of a client's TCP stack, by initial TTL and option order (own rules from netns, captures and stack source; not p0f's database): Linux, Windows (a workstation, implied), Apple's Darwin (macOS or iOS: another rule says which), FreeBSD, OpenBSD, NetBSD, lwIP; another rule's Android or ChromeOS is taken over Linux",
	model.EvidenceTCPSYNACKSig:        "the kernel of a server's TCP stack (Linux, Windows, FreeBSD, lwIP), when the client offered the usual options",
}

func strengthOf(src model.EvidenceSource) int {
	switch src {
	case model.EvidenceOUI, model.EvidenceRandomizedMAC:
		return fingerprint.StrengthOUI
	case model.EvidenceHostname:
		return fingerprint.StrengthHostname
	case model.EvidenceDHCPParams:
		return fingerprint.StrengthDHCPParams
	case model.EvidenceDHCPVendorClass:
		return fingerprint.StrengthDHCPVendorClass
	case model.EvidenceServed, model.EvidenceClients, model.EvidenceRouted:
		return fingerprint.StrengthBehaviour
	}
	for _, s := range fingerprint.SignalSources() {
		if s.Source == src {
			return s.Strength
		}
	}
	return fingerprint.StrengthApplication
}

func strengthWord(s int) string {
	switch {
	case s <= fingerprint.StrengthHostname:
		return fmt.Sprintf("%d weak", s)
	case s < fingerprint.StrengthSelfDescription:
		return fmt.Sprintf("%d medium", s)
	}
	return fmt.Sprintf("%d strong", s)
}

func signalTable() string {
	var b strings.Builder
	b.WriteString("| source | what it yields | strength | status |\n|---|---|---|---|\n")
	for _, r := range signalRows {
		s := r.strength
		if s == 0 {
			s = strengthOf(r.src)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | wired |\n", r.src, r.yields, strengthWord(s))
	}
	for _, s := range fingerprint.SignalSources() {
		// The sensor reports every signal source (sensor/signals.go).
		fmt.Fprintf(&b, "| `%s` | %s | %s | wired |\n", s.Source, signalNotes[s.Source], strengthWord(s.Strength))
	}
	return b.String()
}

func scoreRow(name string, s *score) string {
	return fmt.Sprintf("| %s | %d | %d/%d (%d %%) | %d | %d | %d/%d (%d %%) | %d | %d | %d | %d |\n", name, s.N,
		s.OSRight, s.OSLabelled, s.osPct(), s.OSWrong, s.OSUnknown, s.TypeRight, s.TypeLabelled, s.typePct(), s.TypeWrong, s.TypeNo,
		len(s.HighConfWrong), len(s.Clinical))
}

func accuracyTables(t *testing.T) string {
	withMAC, randomMAC := labelledScores(t)
	wired := measureCaptures(t, false)
	decoded := measureCaptures(t, true)
	var b strings.Builder
	b.WriteString("| measured on | devices | OS family right | OS wrong | OS unknown | type right | type wrong | type unknown | wrong at >= 80 | clinical class for a non-clinical device |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	b.WriteString(scoreRow("labelled set, own MACs", &withMAC))
	b.WriteString(scoreRow("labelled set, random MACs", &randomMAC))
	b.WriteString(scoreRow("shared captures, labelled devices, as wired", &wired.Scored))
	b.WriteString(scoreRow("shared captures, labelled devices, with the decoded signals", &decoded.Scored))
	fmt.Fprintf(&b, "\nShared captures: %d files, %d assets. As wired today %d have a class (%d of them virtual machines), %d are unknown; "+
		"with the decoded signals %d have a class, %d are unknown. Locally administered MACs classed mobile: %d (as wired), %d (with signals).\n",
		wired.Captures, wired.Assets, wired.Classified, wired.VMs, wired.Unknown, decoded.Classified, decoded.Unknown, wired.LocalMobile, decoded.LocalMobile)
	list := func(title string, items []string) {
		if len(items) == 0 {
			fmt.Fprintf(&b, "\n%s: none.\n", title)
			return
		}
		fmt.Fprintf(&b, "\n%s:\n\n", title)
		for _, it := range items {
			fmt.Fprintf(&b, "- %s\n", it)
		}
	}
	list("Wrong answers on the labelled set (own MACs)", withMAC.Wrong)
	list("Wrong answers on the labelled set (random MACs)", randomMAC.Wrong)
	list("Wrong answers on the shared captures (with the decoded signals)", decoded.Scored.Wrong)
	list("Assets of the shared captures with a class but no label (with the decoded signals), for review", decoded.Unlabelled)
	return b.String()
}

// replaceBetween replaces the text between "<!-- name:begin -->" and
// "<!-- name:end -->".
func replaceBetween(t *testing.T, doc, name, body string) string {
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s: no %s markers", docPath, name)
	}
	return doc[:i+len(begin)] + body + doc[j:]
}

// TestIdentificationDoc writes the signal and accuracy tables of
// docs/identification.md (go test -run TestIdentificationDoc -args
// -write-doc, which `make identification` runs). Without -write-doc it
// checks only that the signal table, which needs no captures, is current.
func TestIdentificationDoc(t *testing.T) {
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := replaceBetween(t, string(data), "signals", signalTable())
	if !*writeDoc {
		if doc != string(data) {
			t.Errorf("the signal table of %s is out of date: run make identification", docPath)
		}
		return
	}
	doc = replaceBetween(t, doc, "accuracy", accuracyTables(t))
	summary, perSet := heldbackTables(t)
	doc = replaceBetween(t, doc, "heldback", summary)
	for i, tables := range perSet {
		doc = replaceBetween(t, doc, fmt.Sprintf("heldback%d", i+2), tables)
	}
	if err := os.WriteFile(docPath, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
}
