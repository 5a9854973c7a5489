package fingerprint

import (
	"sort"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// SOP classes used in the tests.
const (
	sopCT         = "1.2.840.10008.5.1.4.1.1.2"
	sopMR         = "1.2.840.10008.5.1.4.1.1.4"
	sopUS         = "1.2.840.10008.5.1.4.1.1.6.1"
	sopCR         = "1.2.840.10008.5.1.4.1.1.1"
	sopDX         = "1.2.840.10008.5.1.4.1.1.1.1"
	sopMG         = "1.2.840.10008.5.1.4.1.1.1.2"
	sopNM         = "1.2.840.10008.5.1.4.1.1.20"
	sopPT         = "1.2.840.10008.5.1.4.1.1.128"
	sopXA         = "1.2.840.10008.5.1.4.1.1.12.1"
	sopRF         = "1.2.840.10008.5.1.4.1.1.12.2"
	sopSC         = "1.2.840.10008.5.1.4.1.1.7"     // Secondary Capture
	sopSR         = "1.2.840.10008.5.1.4.1.1.88.67" // X-Ray Radiation Dose SR
	sopGSPS       = "1.2.840.10008.5.1.4.1.1.11.1"  // Grayscale Softcopy Presentation State
	sopCommit     = "1.2.840.10008.1.20.1"
	sopStudyFind  = "1.2.840.10008.5.1.4.1.2.2.1"
	sopStudyMove  = "1.2.840.10008.5.1.4.1.2.2.2"
	sopStudyGet   = "1.2.840.10008.5.1.4.1.2.2.3"
	sopMWL        = "1.2.840.10008.5.1.4.31"
	sopMPPS       = "1.2.840.10008.3.1.2.3.3"
	sopPrintGray  = "1.2.840.10008.5.1.1.9"
	sopVerify     = "1.2.840.10008.1.1"
	win10Params   = "1,3,6,15,31,33,43,44,46,47,119,121,249,252"
	win7Params    = "1,15,3,6,44,46,47,31,33,121,249,43,252"
	macParams     = "1,121,3,6,15,119,252,95,44,46"
	ubuntuParams  = "1,28,2,3,15,6,119,12,44,47,26,121,42"
	debianParams  = "1,28,2,3,15,6,12"
	udhcpcParams  = "1,3,6,12,15,28,42,54,66,67,119"
	android9Param = "1,3,6,15,26,28,51,58,59,43"
)

// ruleCases holds one named case per rule, keyed by rule name:
// TestEveryRuleHasACase fails for a rule without one, and TestRuleCases
// checks that the case's facts fire that rule and classify as expected.
func ruleCases(t *testing.T) map[string]struct {
	f Facts
	w want
} {
	type c = struct {
		f Facts
		w want
	}
	withImpl := func(uid, ver string) Facts {
		return dicom(DICOMFact{Role: model.RoleSCU, AETitle: "SCU", SOPClasses: []string{sopVerify}, ImplClassUID: uid, ImplVersion: ver})
	}
	ae := func(role, title string) Facts {
		return dicom(DICOMFact{Role: role, AETitle: title, SOPClasses: []string{sopVerify}})
	}
	app := func(role, name string, types ...string) Facts {
		return hl7(HL7Fact{Role: role, Application: name, PeerApplication: "PEER", MessageTypes: types})
	}
	oruWith := func(equipment string) Facts {
		return hl7(HL7Fact{Role: model.RoleSender, Application: "GW", PeerApplication: "EHR",
			MessageTypes: []string{"ORU^R01"}, EquipmentIDs: []string{equipment}})
	}
	return map[string]c{
		// DICOM
		"dicom-mwl-scu":         {dicom(scu(sopMWL)), want{Class: model.ClassImagingModality, Confidence: 60, Strength: 100}},
		"dicom-mpps-scu":        {dicom(scu(sopMPPS)), want{Class: model.ClassImagingModality, Confidence: 60}},
		"dicom-mwl-scp":         {dicom(scp(sopMWL)), want{Class: model.ClassServer}},
		"dicom-print-scp":       {dicom(scp(sopPrintGray)), want{Class: model.ClassPrinter, Model: "DICOM film printer"}},
		"dicom-ae-orthanc":      {ae(model.RoleSCP, "ORTHANC"), want{Class: model.ClassPACS, Model: "Orthanc"}},
		"dicom-ae-dcm4chee":     {ae(model.RoleSCP, "DCM4CHEE"), want{Class: model.ClassPACS, Model: "dcm4chee"}},
		"dicom-ae-archive":      {ae(model.RoleSCP, "MAIN_PACS"), want{Class: model.ClassPACS, Confidence: 55}},
		"dicom-ae-viewer":       {ae(model.RoleSCU, "HOROS"), want{Class: model.ClassDICOMWorkstation}},
		"dicom-impl-dcmtk":      {withImpl("", "OFFIS_DCMTK_364"), want{Model: "DCMTK-based"}},
		"dicom-uid-dcmtk":       {withImpl("1.2.276.0.7230010.3.0.3.6.4", ""), want{Model: "DCMTK-based"}},
		"dicom-impl-dcm4che":    {withImpl("", "dcm4che-1.4.35"), want{Model: "dcm4che-based"}},
		"dicom-uid-dcm4che":     {withImpl("1.2.40.0.13.1.1.1", ""), want{Model: "dcm4che-based"}},
		"dicom-impl-pynetdicom": {withImpl("", "PYNETDICOM_200"), want{Model: "pynetdicom-based"}},
		"dicom-uid-pynetdicom":  {withImpl("1.2.826.0.1.3680043.9.3811.2.0.0", ""), want{Model: "pynetdicom-based"}},
		"dicom-impl-fo-dicom":   {withImpl("", "fo-dicom 4.0.8"), want{Model: "fo-dicom-based"}},
		"dicom-uid-fo-dicom":    {withImpl("1.3.6.1.4.1.30071.8", ""), want{Model: "fo-dicom-based"}},
		"dicom-uid-ge":          {withImpl("1.2.840.113619.6.374", ""), want{Manufacturer: "GE Healthcare"}},
		"dicom-uid-siemens":     {withImpl("1.3.12.2.1107.5.2", ""), want{Manufacturer: "Siemens Healthineers"}},
		"dicom-uid-philips":     {withImpl("1.3.46.670589.11.0.0.51.4.56.1", ""), want{Manufacturer: "Philips"}},
		"dicom-uid-canon":       {withImpl("1.2.392.200036.9116.7.42", ""), want{Manufacturer: "Canon Medical Systems (Toshiba)"}},
		"dicom-uid-fujifilm":    {withImpl("1.2.392.200036.9125.0.19950720112207", ""), want{Manufacturer: "FUJIFILM"}},

		// HL7
		"hl7-pump-oru":        {oruWith("Alaris 8015^BD^00D0750000000001^EUI-64"), want{Class: model.ClassPumpGateway, Confidence: 85}},
		"hl7-pump-piv":        {app(model.RoleReceiver, "PUMPSERVER1", "RGV^O15"), want{Class: model.ClassPumpGateway}},
		"hl7-pump-server-app": {app(model.RoleSender, "MEDNET", "ACK^R01"), want{Class: model.ClassPumpGateway, Confidence: 70}},
		"hl7-monitor-oru":     {oruWith("IntelliVue MX800^Philips"), want{Class: model.ClassMedicalGateway}},
		"hl7-engine-app":      {app(model.RoleSender, "RHAPSODY^1.2.3^ISO", "ADT^A01"), want{Class: model.ClassHL7InterfaceEngine, Confidence: 70}},
		"hl7-philips-central": {app(model.RoleSender, "PIIC", "ORU^R01"), want{Class: model.ClassCentralStation, Manufacturer: "Philips"}},
		"hl7-ge-carescape":    {app(model.RoleSender, "CARESCAPE_GW", "ORU^R01"), want{Class: model.ClassMedicalGateway, Manufacturer: "GE Healthcare"}},
		"hl7-capsule":         {app(model.RoleSender, "Capsule", "ORU^R01"), want{Class: model.ClassMedicalGateway, Manufacturer: "Capsule"}},
		"hl7-lab-analyzer":    {app(model.RoleSender, "cobas", "OUL^R22"), want{Class: model.ClassLabAnalyzer}},
		"hl7-adt-source":      {app(model.RoleSender, "EPIC", "ADT^A01"), want{Class: model.ClassServer, Confidence: 40}},

		// DHCP option 60 (values from the shared captures where INDEX.md has them)
		"dhcp60-windows-10":     {dhcp(win10Params, "MSFT 5.0", "testclient"), want{Class: model.ClassWorkstation, OS: "Windows 10+", Confidence: 85, Strength: 80}},
		"dhcp60-windows-7":      {dhcp(win7Params, "MSFT 5.0", "Joanna-PC"), want{Class: model.ClassWorkstation, OS: "Windows 7/8", Confidence: 85}},
		"dhcp60-windows":        {dhcp("", "MSFT 5.0", ""), want{Class: model.ClassWorkstation, OS: "Windows", Confidence: 70}},
		"dhcp60-windows-legacy": {dhcp("", "MSFT 98", ""), want{Class: model.ClassWorkstation, OS: "Windows 98/ME"}},
		"dhcp60-android":        {dhcp("", "android-dhcp-9", ""), want{Class: model.ClassMobile, OS: "Android", Confidence: 90}},
		"dhcp60-android-dhcpcd": {dhcp("", "dhcpcd-5.5.6", ""), want{Class: model.ClassMobile, OS: "Android"}},
		"dhcp60-raspberry-pi":   {dhcp("", "dhcpcd-8.1.2:Linux-5.10.17-v7l+:armv7l:BCM2711", ""), want{Class: model.ClassIoT, Manufacturer: "Raspberry Pi", OS: "Linux"}},
		"dhcp60-dhcpcd-linux":   {dhcp("", "dhcpcd-9.4.1:Linux-6.1.0-13-amd64:x86_64:GenuineIntel", ""), want{OS: "Linux"}},
		"dhcp60-udhcp":          {dhcp(udhcpcParams, "udhcp 1.36.1", ""), want{OS: "Linux (BusyBox)"}},
		"dhcp60-aruba-ap":       {dhcp("", "ArubaAP", "btest.is.cool"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Aruba"}},
		"dhcp60-cisco-ap":       {dhcp("", "Cisco AP c2600", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco"}},
		"dhcp60-cisco-phone":    {dhcp("", "Cisco Systems, Inc. IP Phone CP-8841", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco"}},
		"dhcp60-polycom":        {dhcp("", "PolycomIPPhone", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Polycom"}},
		"dhcp60-yealink":        {dhcp("", "yealink", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Yealink"}},
		"dhcp60-avaya":          {dhcp("", "ccp.avaya.com", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Avaya"}},
		"dhcp60-hp-jetdirect":   {dhcp("", "Hewlett-Packard JetDirect", "NPI00030"), want{Class: model.ClassPrinter, Manufacturer: "HP", Strength: 80}},

		// DHCP option 55
		"dhcp55-windows-10":           {dhcp(win10Params, "", ""), want{Class: model.ClassWorkstation, OS: "Windows 10+", Strength: 60}},
		"dhcp55-windows-7":            {dhcp(win7Params, "", ""), want{Class: model.ClassWorkstation, OS: "Windows 7/8"}},
		"dhcp55-macos":                {dhcp(macParams, "", "Lucas-iMac"), want{Class: model.ClassWorkstation, OS: "macOS", Manufacturer: "Apple"}},
		"dhcp55-ios":                  {dhcp("1,3,6,15,119,252", "", "kawai-iPad3"), want{Class: model.ClassMobile, OS: "iOS"}},
		"dhcp55-android-dhcpcd":       {dhcp("1,33,3,6,15,26,28,51,58,59", "", ""), want{Class: model.ClassMobile, OS: "Android"}},
		"dhcp55-android-9":            {dhcp(android9Param, "", ""), want{Class: model.ClassMobile, OS: "Android"}},
		"dhcp55-linux-networkmanager": {dhcp(ubuntuParams, "", "ubuntu2"), want{OS: "Linux (Ubuntu/NetworkManager)"}},
		"dhcp55-linux-dhclient":       {dhcp(debianParams, "", "nas1"), want{OS: "Linux"}},
		"dhcp55-linux-sorted":         {dhcp(udhcpcParams, "", ""), want{OS: "Linux"}},
		"dhcp55-cisco-ap":             {dhcp("1,6,15,44,3,33,150,43", "", "R0"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco"}},

		// host names
		"host-windows-default": {dhcp("", "", "DESKTOP-4G7KQ2M"), want{Class: model.ClassWorkstation, OS: "Windows 10+", Strength: 40}},
		"host-windows-user-pc": {dhcp("", "", "kevin-PC"), want{Class: model.ClassWorkstation, OS: "Windows"}},
		"host-mac":             {dhcp("", "", "MacBook-Air"), want{Class: model.ClassWorkstation, OS: "macOS"}},
		"host-ios":             {dhcp("", "", "Annas-iPhone"), want{Class: model.ClassMobile, OS: "iOS"}},
		"host-android":         {dhcp("", "", "android-f7ca0f571270c52d"), want{Class: model.ClassMobile, OS: "Android"}},
		"host-raspberry-pi":    {dhcp("", "", "raspberrypi"), want{Class: model.ClassIoT, OS: "Linux"}},
		"host-linux-default":   {dhcp("", "", "pop-os"), want{OS: "Linux"}},
		"host-hp-printer":      {dhcp("", "", "hp24fee0"), want{Class: model.ClassPrinter, Manufacturer: "HP"}},
		"host-infusion-pump":   {dhcp("", "", "icu3-pump07"), want{Class: model.ClassInfusionPump}},
		"host-pacs":            {dhcp("", "", "pacs01.radiology.example"), want{Class: model.ClassPACS}},
		"host-hl7-engine":      {dhcp("", "", "rhapsody-prod1"), want{Class: model.ClassHL7InterfaceEngine}},

		// OUI vendors: the vendor is looked up in the embedded IEEE registry
		"oui-bd-alaris":           {mac(t, "00:d0:75"), want{Class: model.ClassInfusionPump, Manufacturer: "BD", Model: "Alaris", Strength: 20}},
		"oui-bd-carefusion":       {mac(t, "f8:c6:78"), want{Class: model.ClassInfusionPump, Manufacturer: "BD"}},
		"oui-baxter":              {mac(t, "58:42:e4"), want{Class: model.ClassInfusionPump, Manufacturer: "Baxter"}},
		"oui-b-braun":             {mac(t, "00:12:21"), want{Class: model.ClassInfusionPump, Manufacturer: "B. Braun"}},
		"oui-icu-medical":         {mac(t, "00:03:b1"), want{Class: model.ClassInfusionPump, Manufacturer: "ICU Medical"}},
		"oui-smiths-medical":      {mac(t, "00:1a:01"), want{Class: model.ClassInfusionPump, Manufacturer: "Smiths Medical"}},
		"oui-fresenius-vial":      {mac(t, "00:13:38"), want{Class: model.ClassInfusionPump, Manufacturer: "Fresenius Kabi"}},
		"oui-philips-monitoring":  {mac(t, "00:09:fb"), want{Class: model.ClassPatientMonitor, Manufacturer: "Philips"}},
		"oui-philips-healthcare":  {mac(t, "7c:94:b2"), want{Manufacturer: "Philips"}},
		"oui-ge-healthcare":       {mac(t, "00:40:97"), want{Class: model.ClassPatientMonitor, Manufacturer: "GE Healthcare"}},
		"oui-ge-medical":          {mac(t, "a0:f2:17"), want{Manufacturer: "GE Healthcare"}},
		"oui-siemens-diagnostics": {mac(t, "20:e7:91"), want{Class: model.ClassLabAnalyzer, Manufacturer: "Siemens Healthineers"}},
		"oui-mindray":             {mac(t, "00:a0:37"), want{Class: model.ClassPatientMonitor, Manufacturer: "Mindray"}},
		"oui-draeger":             {mac(t, "f0:e5:c3"), want{Class: model.ClassPatientMonitor, Manufacturer: "Dräger"}},
		"oui-nihon-kohden":        {mac(t, "00:a0:9a"), want{Class: model.ClassPatientMonitor, Manufacturer: "Nihon Kohden"}},
		"oui-spacelabs":           {mac(t, "00:a0:aa"), want{Class: model.ClassPatientMonitor, Manufacturer: "Spacelabs"}},
		"oui-masimo":              {mac(t, "08:09:b6"), want{Class: model.ClassPatientMonitor, Manufacturer: "Masimo"}},
		"oui-welch-allyn":         {mac(t, "00:1a:fa"), want{Class: model.ClassPatientMonitor, Manufacturer: "Welch Allyn"}},
		"oui-fujifilm-healthcare": {mac(t, "84:11:c2:3"), want{Class: model.ClassImagingModality, Manufacturer: "FUJIFILM"}},
		"oui-carestream":          {mac(t, "00:1d:4a"), want{Class: model.ClassImagingModality, Manufacturer: "Carestream"}},
		"oui-abbott":              {mac(t, "00:13:dd"), want{Class: model.ClassLabAnalyzer, Manufacturer: "Abbott"}},
		"oui-sysmex":              {mac(t, "00:06:6b"), want{Class: model.ClassLabAnalyzer, Manufacturer: "Sysmex"}},
		"oui-beckman":             {mac(t, "d0:d2:86"), want{Class: model.ClassLabAnalyzer, Manufacturer: "Beckman Coulter"}},
		"oui-biomerieux":          {mac(t, "d8:60:b0"), want{Class: model.ClassLabAnalyzer, Manufacturer: "bioMérieux"}},
		"oui-hp":                  {mac(t, "f8:0d:ac"), want{Class: model.ClassPrinter, Manufacturer: "HP"}},
		"oui-fujifilm-business":   {mac(t, "08:00:37"), want{Class: model.ClassPrinter, Manufacturer: "FUJIFILM"}},
		"oui-canon":               {mac(t, "00:00:85"), want{Class: model.ClassPrinter, Manufacturer: "Canon"}},
		"oui-lexmark":             {mac(t, "00:21:b7"), want{Class: model.ClassPrinter, Manufacturer: "Lexmark"}},
		"oui-xerox":               {mac(t, "9c:93:4e"), want{Class: model.ClassPrinter, Manufacturer: "Xerox"}},
		"oui-brother":             {mac(t, "00:80:77"), want{Class: model.ClassPrinter, Manufacturer: "Brother"}},
		"oui-ricoh":               {mac(t, "00:26:73"), want{Class: model.ClassPrinter, Manufacturer: "Ricoh"}},
		"oui-kyocera":             {mac(t, "00:22:94"), want{Class: model.ClassPrinter, Manufacturer: "Kyocera"}},
		"oui-epson":               {mac(t, "f8:d0:27"), want{Class: model.ClassPrinter, Manufacturer: "Epson"}},
		"oui-konica-minolta":      {mac(t, "00:20:6b"), want{Class: model.ClassPrinter, Manufacturer: "Konica Minolta"}},
		"oui-zebra":               {mac(t, "c8:1c:fe"), want{Class: model.ClassPrinter, Manufacturer: "Zebra"}},
		"oui-polycom":             {mac(t, "00:04:f2"), want{Class: model.ClassVoIPPhone, Manufacturer: "Polycom"}},
		"oui-yealink":             {mac(t, "80:5e:c0"), want{Class: model.ClassVoIPPhone, Manufacturer: "Yealink"}},
		"oui-avaya":               {mac(t, "fc:a8:41"), want{Class: model.ClassVoIPPhone, Manufacturer: "Avaya"}},
		"oui-spectralink":         {mac(t, "00:90:7a"), want{Class: model.ClassVoIPPhone, Manufacturer: "Spectralink"}},
		"oui-vocera":              {mac(t, "00:09:ef"), want{Class: model.ClassVoIPPhone, Manufacturer: "Vocera"}},
		"oui-grandstream":         {mac(t, "00:0b:82"), want{Class: model.ClassVoIPPhone, Manufacturer: "Grandstream"}},
		"oui-snom":                {mac(t, "00:04:13"), want{Class: model.ClassVoIPPhone, Manufacturer: "snom"}},
		"oui-mitel":               {mac(t, "14:00:e9"), want{Class: model.ClassVoIPPhone, Manufacturer: "Mitel"}},
		"oui-cisco":               {mac(t, "00:00:0c"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco"}},
		"oui-cisco-meraki":        {mac(t, "e0:55:3d"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco Meraki"}},
		"oui-aruba":               {mac(t, "fc:7f:f1"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Aruba"}},
		"oui-juniper":             {mac(t, "fc:96:43"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Juniper"}},
		"oui-arista":              {mac(t, "fc:bd:67"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Arista"}},
		"oui-extreme":             {mac(t, "f4:ea:b5"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Extreme Networks"}},
		"oui-ruckus":              {mac(t, "f8:e7:1e"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Ruckus"}},
		"oui-fortinet":            {mac(t, "e8:ed:d6"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Fortinet"}},
		"oui-palo-alto":           {mac(t, "fc:10:1a"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Palo Alto Networks"}},
		"oui-raspberry-pi":        {mac(t, "b8:27:eb"), want{Class: model.ClassIoT, Manufacturer: "Raspberry Pi"}},
		"oui-espressif":           {mac(t, "f4:cf:a2"), want{Class: model.ClassIoT, Manufacturer: "Espressif"}},
		"oui-apple":               {mac(t, "fc:fc:48"), want{Manufacturer: "Apple"}},

		// built-in structural rules
		BuiltinVirtualNIC:     {mac(t, "00:50:56"), want{Class: model.ClassVirtualMachine, Manufacturer: "VMware", Strength: StrengthVirtualNIC}},
		BuiltinRandomizedMAC:  {mac(t, "da:a1:19"), want{Class: model.ClassMobile, Confidence: 30, Strength: StrengthOUI}},
		BuiltinDICOMModality:  {dicom(scu(sopCT, sopSC, sopSR)), want{Class: model.ClassImagingModality, Modality: "CT", Confidence: 85}},
		BuiltinDICOMPACS:      {dicom(scp(sopCT, sopMR, sopSR, sopCommit)), want{Class: model.ClassPACS, Confidence: 95}},
		BuiltinDICOMStorage:   {dicom(scp(sopCT, sopMR, sopUS)), want{Class: model.ClassPACS, Confidence: 50}},
		BuiltinDICOMQR:        {dicom(scu(sopStudyFind, sopStudyMove)), want{Class: model.ClassDICOMWorkstation, Confidence: 80}},
		BuiltinHL7EngineAcks:  {hl7(ackFrom("LAB"), ackFrom("ADT"), ackFrom("RIS")), want{Class: model.ClassHL7InterfaceEngine, Confidence: 90}},
		BuiltinHL7EngineRecvs: {hl7(recvFrom("LAB"), recvFrom("ADT"), recvFrom("RIS")), want{Class: model.ClassHL7InterfaceEngine, Confidence: 75}},
	}
}

func recvFrom(app string) HL7Fact {
	return HL7Fact{Role: model.RoleReceiver, Application: "ENGINE", PeerApplication: app, MessageTypes: []string{"ORU^R01"}}
}

func ackFrom(app string) HL7Fact {
	h := recvFrom(app)
	h.SentAck = true
	return h
}

func TestEveryRuleHasACase(t *testing.T) {
	e := defaultEngine(t)
	cases := ruleCases(t)
	names := map[string]bool{}
	for _, n := range e.RuleNames() {
		names[n] = true
		if _, ok := cases[n]; !ok {
			t.Errorf("rule %q has no test case in ruleCases", n)
		}
	}
	for n := range cases {
		if !names[n] {
			t.Errorf("test case %q names no rule", n)
		}
	}
	if len(names) != e.Rules() {
		t.Errorf("Rules() = %d, but %d distinct names", e.Rules(), len(names))
	}
}

func TestRuleCases(t *testing.T) {
	e := defaultEngine(t)
	cases := ruleCases(t)
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		c := cases[name]
		t.Run(name, func(t *testing.T) {
			got := e.Classify(&c.f)
			if !usedRule(got, name) {
				t.Errorf("rule %q did not fire; evidence %+v", name, got.Evidence)
			}
			check(t, got, c.w)
		})
	}
}
