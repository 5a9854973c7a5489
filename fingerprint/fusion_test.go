package fingerprint

import (
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// TestFusion covers evidence fusion (Classify's documentation) on the
// cases issue 12 names: flags that are not classes, weak evidence that
// stays unknown, agreeing evidence that raises confidence, contradictions
// that lower it and are listed, and the demo's devices.
func TestFusion(t *testing.T) {
	e := defaultEngine(t)
	usLogiq := DICOMFact{Role: model.RoleSCU, AETitle: "US_LOGIQ1", PeerAETitle: "PACS_MAIN", SOPClasses: []string{sopVerify},
		ImplClassUID: "2.25.163059425380437127315542296517101264551", ImplVersion: "DEMOUS_R3"}
	tests := []struct {
		name      string
		f         Facts
		w         want
		conflicts []string // rules expected in Conflicts, in order
	}{
		// flags and weak evidence
		{name: "a locally administered MAC is a flag", f: mac(t, "06:11:22"), w: want{}},
		{name: "placeholder 00:00:00:00:aa:bb is not a printer", f: mac(t, "00:00:00:00:aa:bb"), w: want{}},
		{name: "HP ProCurve switch by its HP OUI alone: unknown, not a printer", f: mac(t, "00:13:21"), w: want{Manufacturer: "HP"}},
		{name: "HP ProCurve switch with its LLDP description",
			f: merge(mac(t, "00:13:21"), sig(model.EvidenceLLDPSysDesc, "ProCurve J8762A Switch 2600-8-PWR, revision H.08.89, ROM H.08.5X (/sw/code/build/fish(ts_08_5))"),
				sig(model.EvidenceLLDPCapabilities, "bridge")),
			w:         want{Class: model.ClassNetworkInfrastructure, Manufacturer: "HP", Model: "ProCurve J8762A Switch 2600-8-PWR", Version: "H.08.89"},
			conflicts: []string{"oui-hp"}},
		{name: "OUI only: unknown", f: mac(t, "00:12:21"), w: want{Manufacturer: "B. Braun"}},
		{name: "host name only: unknown", f: dhcp("", "", "icu3-pump07"), w: want{}},
		{name: "clinical class never from weak evidence, even agreeing", f: merge(mac(t, "00:12:21"), dhcp("", "", "icu3-pump07")), w: want{Manufacturer: "B. Braun"}},
		{name: "an HP printer by its DHCPv6 name and OUI", f: merge(mac(t, "10:62:e5"), sig(model.EvidenceDHCPv6FQDN, "HP24FEE0")),
			w: want{Class: model.ClassPrinter, Manufacturer: "HP"}},
		{name: "a default name and an agreeing OUI: fused, not capped", f: merge(mac(t, "d0:bf:9c"), dhcp("", "", "NPI24FEE0")),
			w: want{Class: model.ClassPrinter, Manufacturer: "HP", Confidence: 70, Strength: StrengthDefaultName}},

		// agreement and contradiction
		{name: "agreeing evidence raises confidence", f: dhcp("", "android-dhcp-13", "android-f7ca0f571270c52d"),
			w: want{Class: model.ClassMobile, OS: "Android 13", Confidence: 94}},
		{name: "a contradiction lowers confidence and is listed", f: merge(mac(t, "84:24:8d"), dhcp(android9Param, "android-dhcp-11", "ZBR-TC52-01")),
			w: want{Class: model.ClassMobile, Manufacturer: "Zebra", OS: "Android 11", Confidence: 65}, conflicts: []string{"oui-zebra"}},
		{name: "an OS never contradicts a clinical class", f: merge(dhcp(win10Params, "MSFT 5.0", ""), dicom(scu(sopCT))),
			w: want{Class: model.ClassImagingModality, Modality: "CT", OS: "Windows 10+", Confidence: 85}},

		// issue 12's misclassifications
		{name: "Windows Server by its default name", f: dhcp(win10Params, "MSFT 5.0", "WIN-4KD2JQ9LP0A"), w: want{Class: model.ClassServer, OS: "Windows Server"}},
		{name: "Windows client", f: dhcp(win10Params, "MSFT 5.0", "DESKTOP-4G7KQ2M"), w: want{Class: model.ClassWorkstation, OS: "Windows 10+"}},
		{name: "Windows serving DNS and Kerberos is a server", f: merge(dhcp(win10Params, "MSFT 5.0", "DC02"), serves(17, 53, "dns", 30), serves(6, 88, "", 30)),
			w: want{Class: model.ClassServer, OS: "Windows 10+"}},
		{name: "a domain controller by its NetBIOS <1C> group, not a workstation", f: merge(dhcp(win10Params, "MSFT 5.0", "DC02"), sig(model.EvidenceNBNSService, "domain-controller")),
			w: want{Class: model.ClassServer, OS: "Windows Server", Confidence: 85}},
		{name: "a domain controller by <1C> and <1B>, serving Kerberos and LDAP", f: merge(sig(model.EvidenceNBNSService, "domain-controller"), sig(model.EvidenceNBNSService, "pdc"),
			serves(6, 88, "", 30), serves(6, 389, "", 30)),
			w: want{Class: model.ClassServer, OS: "Windows Server", Confidence: 96}},
		{name: "a Samba domain controller keeps its Linux OS", f: merge(dhcp("", "dhcpcd-9.4.1:Linux-6.1.0-13-amd64:x86_64:GenuineIntel", ""), sig(model.EvidenceNBNSService, "domain-controller")),
			w: want{Class: model.ClassServer, OS: "Linux 6.1.0-13-amd64", Confidence: 85}},
		{name: "a Windows client's Server service (<20>) and master browser (<1D>) leave it a workstation",
			f: merge(dhcp(win10Params, "MSFT 5.0", "DESKTOP-4G7KQ2M"), sig(model.EvidenceNBNSService, "file-server"), sig(model.EvidenceNBNSService, "master-browser")),
			w: want{Class: model.ClassWorkstation, OS: "Windows 10+"}},
		{name: "NetBIOS file and master browser services alone say nothing", f: merge(sig(model.EvidenceNBNSService, "file-server"), sig(model.EvidenceNBNSService, "master-browser")),
			w: want{}},
		{name: "an Xbox is not a workstation", f: dhcp("", "MSFT 5.0 XBOX", ""), w: want{Class: model.ClassIoT, Model: "Xbox"}},
		{name: "a Windows 98 signature on an IP camera is not a workstation", f: merge(mac(t, "44:47:cc"), dhcp("1,15,3,6,44,46,47,43,77", "MSFT 98", "")),
			w: want{Manufacturer: "Hikvision", OS: "Windows 98/ME"}},
		{name: "Android 14 by prefix", f: dhcp(android9Param+",114,108", "", ""), w: want{Class: model.ClassMobile, OS: "Android"}},
		{name: "macOS 13 by similarity", f: dhcp("1,121,3,6,15,108,114,119,252,95,44,46", "", ""), w: want{Class: model.ClassWorkstation, OS: "macOS"}},
		{name: "iOS 16 by similarity, not macOS", f: dhcp("1,121,3,6,15,108,114,119,252", "", ""), w: want{Class: model.ClassMobile, OS: "iOS"}},
		{name: "Windows XP by similarity", f: dhcp("1,15,3,6,44,46,47,31,33,249,43,252", "MSFT 5.0", ""), w: want{Class: model.ClassWorkstation, OS: "Windows"}},
		{name: "FreeBSD by its dhcpcd vendor class", f: dhcp("", "dhcpcd-10.1.0:FreeBSD-14.1-RELEASE-p5:amd64:amd64", ""), w: want{OS: "FreeBSD 14.1-RELEASE-p5"}},

		// the demo hospital
		{name: "demo pump", f: merge(mac(t, "9c:c8:ae"), dhcp("1,3,6,12,15,28,42", "BD Alaris PC 8015", "ALARIS-PC-0042")),
			w: want{Class: model.ClassInfusionPump, Manufacturer: "BD", Model: "Alaris PC 8015", Strength: StrengthDHCPVendorClass}},
		{name: "demo monitor", f: merge(mac(t, "00:09:5c"), dhcp("1,3,6,15,42,43", "Philips IntelliVue MX800", "MX800-ICU-01")),
			w: want{Class: model.ClassPatientMonitor, Manufacturer: "Philips", Model: "IntelliVue MX800"}},
		{name: "demo phone", f: merge(mac(t, "00:1b:54"), dhcp("1,66,6,3,15,150,35", "Cisco Systems, Inc. IP Phone CP-8845", "SEP001B548C4322")),
			w: want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco", Model: "CP-8845"}, conflicts: []string{"oui-cisco"}},
		{name: "demo GE ultrasound with an AE title",
			f: merge(mac(t, "50:a0:30:85"), dhcp(win10Params, "MSFT 5.0", "US-LOGIQE10-01"), dicom(usLogiq)),
			w: want{Class: model.ClassImagingModality, Modality: "US", Manufacturer: "GE Healthcare", Model: "LOGIQ", OS: "Windows 10+", Version: "DEMOUS_R3"}},
		{name: "demo DR system",
			f: merge(mac(t, "7c:94:b2"), dhcp(win10Params, "MSFT 5.0", "DR-DIGDIAG-01")),
			w: want{Class: model.ClassImagingModality, Modality: "DX", Manufacturer: "Philips", Model: "DigitalDiagnost", OS: "Windows 10+"}},
		{name: "demo CT with a DICOM version name",
			f: merge(mac(t, "00:18:65"), dhcp(win10Params, "MSFT 5.0", "CT-SOMATOM-01"),
				dicom(DICOMFact{Role: model.RoleSCU, AETitle: "CT_SCANNER1", SOPClasses: []string{sopVerify, sopCT}, ImplVersion: "DEMOCT_VA40"})),
			w:         want{Class: model.ClassImagingModality, Modality: "CT", Manufacturer: "Siemens Healthineers", Model: "SOMATOM", Version: "VA40"},
			conflicts: []string{"oui-siemens-diagnostics"}},
		{name: "demo central station",
			f: merge(mac(t, "04:0e:3c"), dhcp(win10Params, "MSFT 5.0", "CENTRAL-MON01"), serves(6, 443, "https", 9), clients(model.ClassPatientMonitor, 9)),
			w: want{Class: model.ClassCentralStation, OS: "Windows 10+"}, conflicts: []string{"oui-hp"}},
		{name: "demo central station before its monitors are known: a workstation",
			f: merge(mac(t, "04:0e:3c"), dhcp(win10Params, "MSFT 5.0", "CENTRAL-MON01")),
			w: want{Class: model.ClassWorkstation, OS: "Windows 10+"}, conflicts: []string{"oui-hp", "host-central-station"}},
		{name: "demo DNS/DHCP/NTP server",
			f: merge(mac(t, "f8:bc:12"), serves(17, 53, "dns", 26), serves(17, 67, "dhcp", 7), serves(17, 123, "ntp", 41)),
			w: want{Class: model.ClassServer, Manufacturer: "Dell"}},
		{name: "demo pump gateway", f: merge(mac(t, "f8:bc:12"), dhcp(win10Params, "MSFT 5.0", "ALARIS-GW01"),
			hl7(HL7Fact{Role: model.RoleSender, Application: "ALARIS_GW", PeerApplication: "HL7_ENGINE", MessageTypes: []string{"ORU^R01"},
				EquipmentIDs: []string{"PUMP-0042^ALARIS^8015"}}), serves(6, 443, "https", 8), clients(model.ClassInfusionPump, 8)),
			w:         want{Class: model.ClassPumpGateway, Manufacturer: "BD", Model: "Alaris Systems Manager", OS: "Windows 10+"},
			conflicts: []string{"host-infusion-pump"}},
		{name: "demo EHR application server", f: merge(mac(t, "dc:4a:3e"), serves(6, 443, "https", 10)),
			w: want{Class: model.ClassServer, Manufacturer: "HP"}, conflicts: []string{"oui-hp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.Classify(&tt.f)
			check(t, got, tt.w)
			checkConflicts(t, got, tt.conflicts)
		})
	}
}

// checkConflicts checks that got's conflicts are the rules want, in order,
// each marked in the evidence, and that an unknown has none.
func checkConflicts(t *testing.T, got Result, want []string) {
	t.Helper()
	var rules []string
	for _, c := range got.Conflicts {
		rules = append(rules, c.Rule)
	}
	if strings.Join(rules, " ") != strings.Join(want, " ") {
		t.Errorf("conflicts %v, want %v", got.Conflicts, want)
	}
	if got.Class == model.ClassUnknown && (got.Confidence != 0 || got.Strength != 0 || len(got.Conflicts) != 0) {
		t.Errorf("unknown with confidence %d strength %d conflicts %v", got.Confidence, got.Strength, got.Conflicts)
	}
	for _, c := range got.Conflicts {
		found := false
		for _, ev := range got.Evidence {
			found = found || (ev.Rule == c.Rule && ev.Sets&FieldContradicts != 0)
		}
		if !found {
			t.Errorf("conflict %s not marked in the evidence", c.Rule)
		}
	}
}

// TestToolkitFields: a DICOM toolkit's implementation class UID and version
// name (toolkit: true rules) give the model and version only of a device
// nothing else names: a product's own model wins, and the toolkit's version
// is then not the product's (the project's e2e CT is built on dcmtk's
// storescu and echoscu, its PACS is dcmtk's storescp).
func TestToolkitFields(t *testing.T) {
	e := defaultEngine(t)
	dcmtk := func(role, ae, version string) DICOMFact {
		return DICOMFact{Role: role, AETitle: ae, PeerAETitle: "PEER", SOPClasses: []string{sopVerify, sopCT},
			ImplClassUID: "1.2.276.0.7230010.3.0.3.6.7", ImplVersion: version}
	}
	tests := []struct {
		name string
		f    Facts
		w    want
		sets map[string]Fields // rule -> the fields it set (those named)
	}{
		{name: "e2e CT: the product's model from its vendor class, no version",
			f: merge(mac(t, "44:4b:5d"), dhcp("1,28,2,3,15,6,12", "GEMS_CT_Revolution", "ct-ward3-01"), dicom(dcmtk(model.RoleSCU, "CT01_WARD3", "OFFIS_DCMTK_367"))),
			w: want{Class: model.ClassImagingModality, Modality: "CT", Manufacturer: "GE Healthcare", Model: "CT_Revolution"},
			sets: map[string]Fields{"dhcp60-ge-gems": FieldManufacturer | FieldModel, "dicom-impl-dcmtk": 0, "dicom-uid-dcmtk": 0,
				BuiltinDICOMVersion: 0}},
		{name: "e2e PACS: only the toolkit says what it is",
			f:    merge(mac(t, "00:1a:a0"), dhcp("1,3,28,33,51,58,59", "dcmtk-storescp", "pacs01"), dicom(dcmtk(model.RoleSCP, "PACS_MAIN", "OFFIS_DCMTK_367"))),
			w:    want{Class: model.ClassPACS, Manufacturer: "Dell", Model: "DCMTK-based", Version: "DCMTK 367"},
			sets: map[string]Fields{"dicom-impl-dcmtk": FieldModel | FieldVersion, "oui-pc-makers": FieldManufacturer, BuiltinDICOMVersion: 0}},
		{name: "a product on DCMTK with its own version name keeps it",
			f:    dicom(dcmtk(model.RoleSCU, "CT_ACME", "ACMECT_2.1")),
			w:    want{Class: model.ClassImagingModality, Model: "DCMTK-based", Version: "ACMECT_2.1"},
			sets: map[string]Fields{"dicom-uid-dcmtk": FieldModel, BuiltinDICOMVersion: FieldVersion}},
		{name: "a product on DCMTK with its own version name and a model of its own",
			f:    merge(dhcp("", "GEMS_CT_Revolution", ""), dicom(dcmtk(model.RoleSCU, "CT_ACME", "ACMECT_2.1"))),
			w:    want{Class: model.ClassImagingModality, Manufacturer: "GE Healthcare", Model: "CT_Revolution", Version: "ACMECT_2.1"},
			sets: map[string]Fields{"dhcp60-ge-gems": FieldManufacturer | FieldModel, "dicom-uid-dcmtk": 0, BuiltinDICOMVersion: FieldVersion}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.Classify(&tt.f)
			check(t, got, tt.w)
			if tt.w.Version == "" && got.Version != "" {
				t.Errorf("version = %q, want none", got.Version)
			}
			for rule, want := range tt.sets {
				if !usedRule(got, rule) {
					t.Errorf("rule %s did not fire", rule)
				}
				var fs Fields
				for _, ev := range got.Evidence {
					if ev.Rule == rule {
						fs |= ev.Sets &^ (FieldClass | FieldModality | FieldContradicts | FieldOS)
					}
				}
				if fs != want {
					t.Errorf("%s sets %q, want %q", rule, fs, want)
				}
			}
		})
	}
}

// TestFieldsSetBy checks that each descriptive field names the evidence
// that set it.
func TestFieldsSetBy(t *testing.T) {
	e := defaultEngine(t)
	f := merge(mac(t, "9c:c8:ae"), dhcp("1,3,6,12,15,28,42", "BD Alaris PC 8015", "ALARIS-PC-0042"))
	got := e.Classify(&f)
	by := map[Fields]string{}
	for _, ev := range got.Evidence {
		for _, fl := range []Fields{FieldClass, FieldManufacturer, FieldModel, FieldOS} {
			if ev.Sets&fl != 0 {
				by[fl] = ev.Rule
			}
		}
	}
	want := map[Fields]string{FieldClass: "dhcp60-bd-alaris", FieldManufacturer: "dhcp60-bd-alaris", FieldModel: "dhcp60-bd-alaris", FieldOS: "dhcp55-linux-sorted"}
	for fl, rule := range want {
		if by[fl] != rule {
			t.Errorf("%s set by %q, want %q (evidence %+v)", fl, by[fl], rule, got.Evidence)
		}
	}
	if s := (FieldClass | FieldModel | FieldContradicts).String(); s != "class,model,contradicts" || ParseFields(s) != FieldClass|FieldModel|FieldContradicts {
		t.Errorf("Fields round trip: %q", s)
	}
}

// TestEveryRuleHasASource: the shipped pack says where each rule comes from.
func TestEveryRuleHasASource(t *testing.T) {
	e := defaultEngine(t)
	for _, r := range e.rules {
		if strings.TrimSpace(r.source) == "" {
			t.Errorf("rule %s (line %d) has no source", r.name, r.line)
		}
	}
}

func TestOSFamily(t *testing.T) {
	for os, want := range map[string]string{
		"Windows 10+": OSWindows, "Windows Server": OSWindows, "Windows NT 10.0": OSWindows, "macOS": OSMacOS, "iOS 17_0": OSiOS,
		"Android 13": OSAndroid, "ChromeOS": OSChromeOS, "Linux (BusyBox 1.36.1)": OSLinux, "FreeBSD 14.1-RELEASE-p5": OSBSD,
		"Cisco IOS": OSNetwork, "ProCurve": OSNetwork, "FortiOS": OSNetwork, "RouterOS": OSNetwork, "FastIron": OSNetwork, "ArubaOS-Switch": OSNetwork, "embedded (iLO firmware)": OSEmbedded,
		"PlayStation system software": OSEmbedded, "": "", "Plan 9": "",
	} {
		if got := OSFamily(os); got != want {
			t.Errorf("OSFamily(%q) = %q, want %q", os, got, want)
		}
	}
}

// TestDefaultName covers default_name rules: a name a firmware or OS
// installer generates ranks as StrengthDefaultName and sets a non-clinical
// class alone, a user-chosen name stays weak, and stronger evidence for
// another class wins over a default name.
func TestDefaultName(t *testing.T) {
	rules := `
rules:
  - name: dn-brother
    source: test
    match: {hostname: '^BR[NW][0-9A-F]{12}$'}
    default_name: true
    class: printer
    manufacturer: Brother
    confidence: 60
  - name: dn-imm-on-ibm
    source: test
    match: {hostname: '(?i)^(IMM-[0-9a-f]{12}|IMM2-[0-9a-f]{12})$', oui_vendor: '^IBM'}
    default_name: true
    class: server
    confidence: 50
  - name: user-pc
    source: test
    match: {hostname: '(?i)-PC$'}
    class: workstation
    confidence: 40
  - name: vc-phone
    source: test
    match: {dhcp_60: '^Cisco Systems, Inc\. IP Phone'}
    class: voip-phone
    confidence: 80
  - name: oui-brother
    source: test
    match: {oui_vendor: '^Brother'}
    class: printer
    confidence: 40
  - name: user-printer
    source: test
    match: {hostname: '(?i)^prn-'}
    class: printer
    confidence: 40
  - name: dn-os-only
    source: test
    match: {hostname: '^android-[0-9a-f]{16}$'}
    default_name: true
    os: Android
`
	e, err := Load([]byte(rules), "test.yml", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		f         Facts
		w         want
		conflicts []string
	}{
		{name: "a default name alone sets its class", f: dhcp("", "", "BRN008077A1B2C3"),
			w: want{Class: model.ClassPrinter, Manufacturer: "Brother", Confidence: 60, Strength: StrengthDefaultName}},
		{name: "as a NetBIOS name too", f: sig(model.EvidenceNBNSName, "BRW008077A1B2C3"),
			w: want{Class: model.ClassPrinter, Confidence: 60, Strength: StrengthDefaultName}},
		{name: "only the whole name", f: dhcp("", "", "BRN008077A1B2C3-old"), w: want{}},
		{name: "a user-chosen name alone stays unknown", f: dhcp("", "", "kevin-PC"), w: want{}},
		{name: "two agreeing weak groups: a non-clinical class, capped", f: merge(mac(t, "00:80:77"), dhcp("", "", "prn-3west")),
			w: want{Class: model.ClassPrinter, Confidence: WeakCap, Strength: StrengthHostname}},
		{name: "a default name and an agreeing OUI: fused, not capped", f: merge(mac(t, "00:80:77"), dhcp("", "", "BRN008077A1B2C3")),
			w: want{Class: model.ClassPrinter, Confidence: 76, Strength: StrengthDefaultName}},
		{name: "a default name with an oui matcher needs the vendor", f: dhcp("", "", "IMM-5CF3FC5EAAD0"), w: want{}},
		{name: "a default name with its vendor", f: merge(mac(t, "5c:f3:fc"), dhcp("", "", "IMM-5CF3FC5EAAD0")),
			w: want{Class: model.ClassServer, Confidence: 50, Strength: StrengthDefaultName}},
		{name: "a stronger contradicting signal wins", f: dhcp("", "Cisco Systems, Inc. IP Phone CP-8845", "BRN008077A1B2C3"),
			w: want{Class: model.ClassVoIPPhone, Confidence: 65, Strength: StrengthDHCPVendorClass}, conflicts: []string{"dn-brother"}},
		{name: "a default name that sets only an OS", f: dhcp("", "", "android-f7ca0f571270c52d"), w: want{OS: "Android"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.Classify(&tt.f)
			check(t, got, tt.w)
			checkConflicts(t, got, tt.conflicts)
			for _, ev := range got.Evidence {
				if strings.HasPrefix(ev.Rule, "dn-") && ev.Source != model.EvidenceOUI && ev.Strength != StrengthDefaultName {
					t.Errorf("evidence %+v: strength %d, want %d", ev, ev.Strength, StrengthDefaultName)
				}
			}
		})
	}
	if !IsWeak(StrengthHostname) || IsWeak(StrengthDefaultName) || StrengthDefaultName >= StrengthDHCPParams {
		t.Error("a default name must rank above a name and below an implementation fingerprint")
	}
}
