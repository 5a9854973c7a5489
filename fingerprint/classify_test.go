package fingerprint

import (
	"reflect"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// TestStructural covers the built-in DICOM/HL7/MAC rules beyond their one
// named case: thresholds, exclusions and combinations.
func TestStructural(t *testing.T) {
	e := defaultEngine(t)
	get := func(d DICOMFact) DICOMFact {
		d.SOPClasses = append(d.SOPClasses, sopStudyGet)
		return d
	}
	withCmds := func(d DICOMFact, cmds ...model.DICOMCommand) DICOMFact {
		d.Commands = cmds
		return d
	}
	tests := []struct {
		name string
		f    Facts
		w    want
	}{
		// modality storage
		{"modality MR", dicom(scu(sopMR, sopGSPS)), want{Class: model.ClassImagingModality, Modality: "MR"}},
		{"modality US", dicom(scu(sopUS)), want{Class: model.ClassImagingModality, Modality: "US"}},
		{"modality CR", dicom(scu(sopCR)), want{Class: model.ClassImagingModality, Modality: "CR"}},
		{"modality MG", dicom(scu(sopMG)), want{Class: model.ClassImagingModality, Modality: "MG"}},
		{"modality NM", dicom(scu(sopNM)), want{Class: model.ClassImagingModality, Modality: "NM"}},
		{"modality XA", dicom(scu(sopXA)), want{Class: model.ClassImagingModality, Modality: "XA"}},
		{"modality RF", dicom(scu(sopRF)), want{Class: model.ClassImagingModality, Modality: "RF"}},
		{"enhanced CT", dicom(scu("1.2.840.10008.5.1.4.1.1.2.1")), want{Class: model.ClassImagingModality, Modality: "CT"}},
		{"PET/CT is PT", dicom(scu(sopCT, sopPT)), want{Class: model.ClassImagingModality, Modality: "PT"}},
		{"SPECT/CT is NM", dicom(scu(sopNM), scu(sopCT)), want{Class: model.ClassImagingModality, Modality: "NM"}},
		{"DX and CR is DX", dicom(scu(sopCR, sopDX)), want{Class: model.ClassImagingModality, Modality: "DX"}},
		{"three modalities is a forwarder", dicom(scu(sopCT, sopMR), scu(sopUS)), want{}},
		{"storage of non-image objects only", dicom(scu(sopSC, sopSR, sopGSPS)), want{}},
		{"scp storage is not a modality", dicom(scp(sopCT)), want{}},
		{"modality that also queries priors", dicom(scu(sopCT), scu(sopStudyFind)), want{Class: model.ClassImagingModality, Modality: "CT"}},
		{"modality with worklist and MPPS", dicom(scu(sopUS), scu(sopMWL, sopMPPS)), want{Class: model.ClassImagingModality, Modality: "US", Confidence: 85}},

		// PACS
		{"pacs by Q/R SOP class", dicom(scp(sopCT, sopMR, sopUS, sopStudyFind)), want{Class: model.ClassPACS, Confidence: 95}},
		{"pacs by C-MOVE response", dicom(scp(sopCT, sopMR), withCmds(scp(sopUS), cmd("C-MOVE-RSP", sopStudyMove))), want{Class: model.ClassPACS, Confidence: 95}},
		{"pacs storage counted across associations", dicom(scp(sopCT), scp(sopMR), scp(sopMR, sopCR, sopCommit)), want{Class: model.ClassPACS, Confidence: 95}},
		{"duplicate storage classes count once", dicom(scp(sopCT, sopCT), scp(sopCT, sopMR, sopCommit)), want{}},
		{"two storage classes are not enough", dicom(scp(sopCT, sopMR, sopCommit)), want{}},
		{"worklist responses are not Q/R", dicom(withCmds(scp(sopCT, sopMR, sopUS), cmd("C-FIND-RSP", sopMWL))), want{Class: model.ClassPACS, Confidence: 50}},
		{"pacs that forwards (C-MOVE sub-operations)", dicom(scp(sopCT, sopMR, sopUS, sopCommit), scu(sopCT)), want{Class: model.ClassPACS, Confidence: 95}},

		// workstation
		{"workstation by C-FIND/C-MOVE commands", dicom(withCmds(scu(sopVerify), cmd("C-FIND-RQ", sopStudyFind), cmd("C-MOVE-RQ", sopStudyMove))), want{Class: model.ClassDICOMWorkstation}},
		{"workstation by bare C-FIND-RQ", dicom(withCmds(scu(sopVerify), cmd("C-FIND-RQ", ""))), want{Class: model.ClassDICOMWorkstation}},
		{"workstation storing presentation states", dicom(scu(sopStudyFind, sopStudyMove, sopGSPS, sopSC)), want{Class: model.ClassDICOMWorkstation}},
		{"C-GET workstation proposes storage", dicom(get(scu(sopCT, sopMR))), want{Class: model.ClassDICOMWorkstation}},
		{"C-GET storage is not a modality", dicom(get(scu(sopCT))), want{Class: model.ClassDICOMWorkstation}},
		{"worklist C-FIND is a modality, not a workstation", dicom(withCmds(scu(sopMWL), cmd("C-FIND-RQ", sopMWL))), want{Class: model.ClassImagingModality, Confidence: 60}},
		{"worklist bare C-FIND", dicom(withCmds(scu(sopMWL), cmd("C-FIND-RQ", ""))), want{Class: model.ClassImagingModality, Confidence: 60}},
		// tapirx/dicom_arq_1_find_testclient.pcap: an A-ASSOCIATE-RQ for C-FIND
		{"tapirx find test client", dicom(DICOMFact{Role: model.RoleSCU, AETitle: "FINDSCU", PeerAETitle: "ANY-SCP",
			SOPClasses: []string{"1.2.840.10008.5.1.4.1.2.1.1"}, ImplClassUID: "1.2.276.0.7230010.3.0.3.6.0", ImplVersion: "OFFIS_DCMTK_360"}),
			want{Class: model.ClassDICOMWorkstation, Model: "DCMTK-based"}},

		// HL7
		{"two peers are not an engine", hl7(ackFrom("LAB"), ackFrom("ADT")), want{}},
		{"same peer twice counts once", hl7(recvFrom("LAB"), recvFrom("LAB"), recvFrom("ADT")), want{}},
		{"peers differ by facility", hl7(recvFrom("LAB"), HL7Fact{Role: model.RoleReceiver, PeerApplication: "LAB", PeerFacility: "SITE2"}, recvFrom("ADT")),
			want{Class: model.ClassHL7InterfaceEngine, Confidence: 75}},
		{"sender facts are not received-from", hl7(HL7Fact{Role: model.RoleSender, PeerApplication: "A"}, HL7Fact{Role: model.RoleSender, PeerApplication: "B"},
			HL7Fact{Role: model.RoleSender, PeerApplication: "C"}), want{}},
		{"pump ORU as receiver is not a pump gateway", hl7(HL7Fact{Role: model.RoleReceiver, Application: "EHR", PeerApplication: "GW",
			MessageTypes: []string{"ORU^R01"}, EquipmentIDs: []string{"Alaris 8015"}}), want{}},
		{"pump equipment without ORU", hl7(HL7Fact{Role: model.RoleSender, Application: "GW", MessageTypes: []string{"ADT^A01"},
			EquipmentIDs: []string{"Alaris 8015"}}), want{Class: model.ClassServer}},
		{"ORU and equipment must be the same peer", hl7(
			HL7Fact{Role: model.RoleSender, Application: "GW", PeerApplication: "EHR", MessageTypes: []string{"ORU^R01"}},
			HL7Fact{Role: model.RoleSender, Application: "GW", PeerApplication: "X", MessageTypes: []string{"MDM^T02"}, EquipmentIDs: []string{"pump 7"}}),
			want{}},
		{"engine outranks its own ADT forwarding", merge(hl7(ackFrom("LAB"), ackFrom("ADT"), ackFrom("RIS")),
			hl7(HL7Fact{Role: model.RoleSender, Application: "ENGINE", PeerApplication: "EHR", MessageTypes: []string{"ADT^A01"}})),
			want{Class: model.ClassHL7InterfaceEngine, Confidence: 90}},

		// MAC
		{"KVM prefix is locally administered", mac(t, "52:54:00"), want{Class: model.ClassVirtualMachine, Manufacturer: "KVM/QEMU", Strength: StrengthVirtualNIC}},
		{"Hyper-V", mac(t, "00:15:5d"), want{Class: model.ClassVirtualMachine, Manufacturer: "Microsoft Hyper-V"}},
		{"VirtualBox", mac(t, "08:00:27"), want{Class: model.ClassVirtualMachine, Manufacturer: "Oracle VirtualBox"}},
		{"Xen", mac(t, "00:16:3e"), want{Class: model.ClassVirtualMachine, Manufacturer: "Xen"}},
		{"Parallels", mac(t, "00:1c:42"), want{Class: model.ClassVirtualMachine, Manufacturer: "Parallels"}},
		{"VMware 00:0c:29", mac(t, "00:0c:29"), want{Class: model.ClassVirtualMachine, Manufacturer: "VMware"}},
		{"Windows VM stays a VM, with its OS", merge(mac(t, "00:0c:29"), dhcp(win10Params, "MSFT 5.0", "DESKTOP-AB12CD3")),
			want{Class: model.ClassVirtualMachine, Manufacturer: "VMware", OS: "Windows 10+"}},
		{"virtual PACS is a pacs", merge(mac(t, "00:50:56"), dicom(scp(sopCT, sopMR, sopUS, sopCommit))),
			want{Class: model.ClassPACS, Strength: StrengthApplication}},
		{"randomized iPhone", merge(mac(t, "a2:b3:c4"), dhcp("1,121,3,6,15,119,252", "", "")), want{Class: model.ClassMobile, OS: "iOS", Strength: StrengthOSImplied}},
		{"randomized MAC alone is a flag, not a class", mac(t, "da:a1:19"), want{}},
		{"placeholder OUI 00:00:00 is not Xerox's printer", mac(t, "00:00:00:00:aa:bb"), want{}},

		// flows
		{"one DNS client is not enough", serves(17, 53, "dns", 1), want{}},
		{"two TCP clients are not enough", serves(6, 8443, "", 2), want{}},
		{"a printing port with one client", serves(6, 515, "", 1), want{Class: model.ClassPrinter}},
		{"one monitor client is not a central station", clients(model.ClassPatientMonitor, 1), want{}},
		{"monitors as DNS clients do not make a central station", Facts{Clients: []ClassCount{{Proto: 17, Port: 53, Class: model.ClassPatientMonitor, Count: 9}}}, want{}},
		{"randomized Windows laptop", merge(mac(t, "06:11:22"), dhcp(win10Params, "MSFT 5.0", "")), want{Class: model.ClassWorkstation, OS: "Windows 10+"}},
		{"zero MAC (keyed by IP) matches no prefix", Facts{}, want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, e.Classify(&tt.f), tt.w)
		})
	}
}

// TestPrecedence checks how strength, confidence, order and the per-field
// rules combine.
func TestPrecedence(t *testing.T) {
	e := defaultEngine(t)
	tests := []struct {
		name string
		f    Facts
		w    want
	}{
		{"a monitor maker's OUI and a Linux DHCP client: unknown, with manufacturer and OS",
			merge(mac(t, "00:09:fb"), dhcp(debianParams, "", "")),
			want{Manufacturer: "Philips", OS: "Linux"}},
		{"CT scanner on Windows with a vendor UID",
			merge(mac(t, "00:09:fb"), dhcp(win10Params, "MSFT 5.0", "CTSCAN1"),
				dicom(DICOMFact{Role: model.RoleSCU, AETitle: "CT01", SOPClasses: []string{sopCT}, ImplClassUID: "1.3.12.2.1107.5.1.4"})),
			// Philips (OUI, patient-monitor) disagrees with the class and
			// lowers its confidence; the DICOM UID's manufacturer is used;
			// the OS comes from DHCP.
			want{Class: model.ClassImagingModality, Modality: "CT", Manufacturer: "Siemens Healthineers", OS: "Windows 10+", Strength: 100, Confidence: 81}},
		{"a weak host name does not beat an implied class",
			dhcp("", "android-dhcp-13", "kevin-PC"), want{Class: model.ClassMobile, OS: "Android 13", Strength: StrengthOSImplied}},
		{"a default name beats an implied class",
			dhcp(win10Params, "", "WIN-4KD2JQ9LP0A"), want{Class: model.ClassServer, Strength: StrengthDefaultName}},
		{"host name and OUI disagreeing: unknown", merge(mac(t, "00:12:21"), dhcp("", "", "pacs02")), want{Manufacturer: "B. Braun"}},
		{"equal strength: higher confidence", dhcp(ubuntuParams, "", ""), want{OS: "Linux (Ubuntu/NetworkManager)"}},
		{"manufacturer only from rules that agree with the class",
			merge(mac(t, "00:09:fb"), hl7(ackFrom("A"), ackFrom("B"), ackFrom("C"))),
			want{Class: model.ClassHL7InterfaceEngine}},
		{"annotation manufacturer fills in",
			merge(mac(t, "fc:fc:48"), dhcp(macParams, "", "")), want{Class: model.ClassWorkstation, Manufacturer: "Apple", OS: "macOS"}},
		{"modality rule with an OUI manufacturer",
			merge(mac(t, "00:1d:4a"), dicom(scu(sopDX), scu(sopMWL))),
			want{Class: model.ClassImagingModality, Modality: "DX", Manufacturer: "Carestream", Confidence: 91}},
		{"nothing known", Facts{Hostname: "x"}, want{Confidence: 0, Strength: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.Classify(&tt.f)
			check(t, got, tt.w)
			if got.Class == model.ClassUnknown && (got.Confidence != 0 || got.Strength != 0) {
				t.Errorf("unknown with confidence %d strength %d", got.Confidence, got.Strength)
			}
		})
	}
}

// TestCaptures classifies the DHCP fingerprints of the shared third-party
// captures (shared/pcaps/INDEX.md), as the store would see them.
func TestCaptures(t *testing.T) {
	e := defaultEngine(t)
	tests := []struct {
		capture string
		f       Facts
		w       want
	}{
		{"arkime/arkime_synthetic.pcap", dhcp(win10Params, "MSFT 5.0", "testclient"), want{Class: model.ClassWorkstation, OS: "Windows 10+"}},
		{"ndpi/1kxun.pcap Joanna-PC", dhcp("1,15,3,6,44,46,47,31,33,121,249,43,252", "MSFT 5.0", "Joanna-PC"), want{Class: model.ClassWorkstation, OS: "Windows 7/8"}},
		{"ndpi/1kxun.pcap MacBook-Air", dhcp("1,3,6,15,119,95,252,44,46", "", "MacBook-Air"), want{Class: model.ClassWorkstation, OS: "macOS"}},
		{"ndpi/1kxun.pcap iOS", dhcp("1,121,3,6,15,119,252", "", ""), want{Class: model.ClassMobile, OS: "iOS"}},
		{"ndpi/1kxun.pcap android", dhcp("1,33,3,6,15,28,51,58,59", "dhcpcd-5.5.6", "android-f7ca0f571270c52d"), want{Class: model.ClassMobile, OS: "Android"}},
		{"ndpi/1kxun.pcap sanji-LIFEBOOK", dhcp("1,28,2,3,15,6,119,12,44,47,26,121,42,121,249,252,42", "", "sanji-LIFEBOOK-LH531"), want{OS: "Linux (Ubuntu/NetworkManager)"}},
		{"ndpi/alexa-app.pcapng", dhcp("1,33,3,6,15,26,28,51,58,59", "dhcpcd-5.5.6", "android-1c1335ec95a27318"), want{Class: model.ClassMobile, OS: "Android"}},
		{"ndpi/android.pcap android", dhcp(android9Param, "android-dhcp-9", ""), want{Class: model.ClassMobile, OS: "Android 9", Strength: StrengthOSImplied}},
		{"ndpi/android.pcap Lucas-iMac", dhcp(macParams, "", "Lucas-iMac"), want{Class: model.ClassWorkstation, OS: "macOS"}},
		{"ndpi/capwap.pcap kawai-iPad3", dhcp("1,3,6,15,119,252", "", "kawai-iPad3"), want{Class: model.ClassMobile, OS: "iOS"}},
		{"suricata-verify dhcp-eve-extended-option-60", dhcp("1,15,3,6,44,46,47,31,33,121,249,43", "MSFT 5.0", "NicksMacBook"), want{Class: model.ClassWorkstation, OS: "Windows 7/8"}},
		{"suricata-verify dhcp-eve-extended nas1", dhcp(debianParams, "", "nas1"), want{OS: "Linux"}},
		{"suricata-verify dhcp-option-52-overload", dhcp(udhcpcParams, "udhcp 1.36.1", ""), want{OS: "Linux (BusyBox 1.36.1)"}},
		{"zeek/dhcp.pcap", dhcp("", "ArubaAP", "btest.is.cool"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Aruba"}},
		{"zeek/dhcp_time_and_nameserver.pcap", dhcp("1,28,2,3,15,6,119,12,44,47,26,121,42,4,5,249,33,252", "", "pop-os"), want{OS: "Linux (Ubuntu/NetworkManager)"}},
		{"zeek/hw-type0.pcap", dhcp("1,6,15,44,3,33,150,43", "", "R0"), want{Class: model.ClassNetworkInfrastructure}},
		{"chrissanders-packets ubuntu2", dhcp(ubuntuParams, "", "ubuntu2"), want{OS: "Linux (Ubuntu/NetworkManager)"}},
	}
	for _, tt := range tests {
		t.Run(tt.capture, func(t *testing.T) {
			check(t, e.Classify(&tt.f), tt.w)
		})
	}
}

func TestEvidenceOrderAndDeterminism(t *testing.T) {
	e := defaultEngine(t)
	f := merge(mac(t, "00:09:fb"), dhcp(debianParams, "", "icu-pump1"), dicom(scu(sopCT)))
	got := e.Classify(&f)
	if got.Class != model.ClassImagingModality || got.Evidence[0].Rule != BuiltinDICOMModality {
		t.Fatalf("deciding rule's evidence not first: %+v", got)
	}
	for i := 1; i < len(got.Evidence); i++ {
		if got.Evidence[i].Strength > got.Evidence[i-1].Strength && got.Evidence[i-1].Rule != got.Evidence[i].Rule {
			t.Errorf("evidence not in rank order at %d: %+v", i, got.Evidence)
		}
	}
	wantEv := []Evidence{
		{Source: model.EvidenceDICOMSOPClass, Value: sopCT, Rule: BuiltinDICOMModality, Strength: 100, Sets: FieldClass | FieldModality},
		{Source: model.EvidenceDICOMAETitle, Value: "SCU", Rule: BuiltinDICOMPeer, Strength: 100},
		{Source: model.EvidenceDHCPParams, Value: debianParams, Rule: "dhcp55-linux-dhclient", Strength: 60, Sets: FieldOS},
		{Source: model.EvidenceHostname, Value: "icu-pump1", Rule: "host-infusion-pump", Strength: 40, Sets: FieldContradicts},
		{Source: model.EvidenceOUI, Value: "Philips Patient Monitoring", Rule: "oui-philips-monitoring", Strength: 20, Sets: FieldManufacturer | FieldContradicts},
	}
	if !reflect.DeepEqual(got.Evidence, wantEv) {
		t.Errorf("evidence\n got %+v\nwant %+v", got.Evidence, wantEv)
	}
	for range 20 {
		if again := e.Classify(&f); !reflect.DeepEqual(again, got) {
			t.Fatalf("not deterministic:\n%+v\n%+v", got, again)
		}
	}
}

func TestBetter(t *testing.T) {
	unknown := Result{Class: model.ClassUnknown}
	oui := Result{Class: model.ClassPatientMonitor, Confidence: 50, Strength: StrengthOUI}
	ouiHigh := Result{Class: model.ClassInfusionPump, Confidence: 70, Strength: StrengthOUI}
	windows := Result{Class: model.ClassWorkstation, Confidence: 70, Strength: StrengthDHCPVendorClass}
	ct := Result{Class: model.ClassImagingModality, Modality: "CT", Confidence: 85, Strength: StrengthApplication}
	pacs := Result{Class: model.ClassPACS, Confidence: 95, Strength: StrengthApplication}
	tests := []struct {
		name      string
		cur, cand Result
		want      bool
	}{
		{"anything beats unknown", unknown, oui, true},
		{"unknown never replaces", oui, unknown, false},
		{"stronger wins", oui, windows, true},
		{"stronger wins despite lower confidence", windows, Result{Class: model.ClassPACS, Confidence: 40, Strength: 100}, true},
		{"weaker never wins", ct, windows, false},
		{"weaker never wins despite higher confidence", windows, Result{Class: model.ClassPrinter, Confidence: 99, Strength: 60}, false},
		{"equal strength, higher confidence", oui, ouiHigh, true},
		{"equal strength, lower confidence", ouiHigh, oui, false},
		{"equal strength and confidence: keep", ct, Result{Class: model.ClassDICOMWorkstation, Confidence: 85, Strength: 100}, false},
		{"same result: keep", ct, ct, false},
		{"pacs over modality reading", ct, pacs, true},
	}
	for _, tt := range tests {
		if got := Better(tt.cur, tt.cand); got != tt.want {
			t.Errorf("%s: Better = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestModalities(t *testing.T) {
	for uid, m := range modalityStorage {
		if !IsModality(m) || ModalityOf(uid) != m {
			t.Errorf("ModalityOf(%s) = %q", uid, m)
		}
	}
	for _, m := range Modalities {
		if modalityBit(m) == 0 {
			t.Errorf("no bit for %s", m)
		}
	}
	if len(modalityPriority) != len(Modalities) {
		t.Error("modalityPriority misses a modality")
	}
}
