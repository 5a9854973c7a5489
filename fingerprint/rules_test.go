package fingerprint

import (
	"sort"
	"strings"
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
	// dhcpcd 9.4.1 without a configuration file (netns)
	dhcpcdBareParams = "1,3,28,33,51,58,59"
)

// ruleCases holds one named case per rule, keyed by rule name:
// TestEveryRuleHasACase fails for a rule without one, and TestRuleCases
// checks that the case's facts fire that rule and classify as expected.
// A weak rule's case alone classifies as unknown (weak evidence alone sets
// no class); TestFusion shows them corroborated.
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
		"dicom-mwl-scu":                    {dicom(scu(sopMWL)), want{Class: model.ClassImagingModality, Confidence: 60, Strength: 100}},
		"dicom-mpps-scu":                   {dicom(scu(sopMPPS)), want{Class: model.ClassImagingModality, Confidence: 60, Strength: 100}},
		"dicom-mwl-scp":                    {dicom(scp(sopMWL)), want{Class: model.ClassServer, Confidence: 60, Strength: 100}},
		"dicom-print-scp":                  {dicom(scp(sopPrintGray)), want{Class: model.ClassPrinter, Model: "DICOM film printer", Confidence: 85, Strength: 100}},
		"dicom-ae-orthanc":                 {ae(model.RoleSCP, "ORTHANC"), want{Class: model.ClassPACS, Model: "Orthanc", Confidence: 65, Strength: 100}},
		"dicom-ae-dcm4chee":                {ae(model.RoleSCP, "DCM4CHEE"), want{Class: model.ClassPACS, Model: "dcm4chee", Confidence: 65, Strength: 100}},
		"dicom-ae-archive":                 {ae(model.RoleSCP, "MAIN_PACS"), want{Class: model.ClassPACS, Confidence: 55, Strength: 100}},
		"dicom-ae-viewer":                  {ae(model.RoleSCU, "HOROS"), want{Class: model.ClassDICOMWorkstation, Confidence: 60, Strength: 100}},
		"dicom-ae-modality":                {ae(model.RoleSCU, "CT_SCANNER1"), want{Class: model.ClassImagingModality, Confidence: 55, Strength: 100}},
		"dicom-ae-us":                      {ae(model.RoleSCU, "US_LOGIQ1"), want{Class: model.ClassImagingModality, Modality: "US", Manufacturer: "GE Healthcare", Model: "LOGIQ", Confidence: 65, Strength: 100}},
		"dicom-ae-ge-us":                   {ae(model.RoleSCU, "VOLUSON_E10"), want{Class: model.ClassImagingModality, Modality: "US", Manufacturer: "GE Healthcare", Model: "VOLUSON", Confidence: 65, Strength: 100}},
		"dicom-impl-dcmtk":                 {withImpl("", "OFFIS_DCMTK_364"), want{Model: "DCMTK-based", Version: "DCMTK 364"}},
		"dicom-uid-dcmtk":                  {withImpl("1.2.276.0.7230010.3.0.3.6.4", ""), want{Model: "DCMTK-based"}},
		"dicom-impl-dcm4che":               {withImpl("", "dcm4che-5.29.0"), want{Model: "dcm4che-based", Version: "dcm4che 5.29.0"}},
		"dicom-uid-dcm4che":                {withImpl("1.2.40.0.13.1.1.1", ""), want{Model: "dcm4che-based"}},
		"dicom-impl-pynetdicom":            {withImpl("", "PYNETDICOM_200"), want{Model: "pynetdicom-based", Version: "pynetdicom 200"}},
		"dicom-uid-pynetdicom":             {withImpl("1.2.826.0.1.3680043.9.3811.2.0.0", ""), want{Model: "pynetdicom-based"}},
		"dicom-uid-pydicom":                {withImpl("1.2.826.0.1.3680043.8.498.1", ""), want{Model: "pydicom-based"}},
		"dicom-impl-fo-dicom":              {withImpl("", "fo-dicom 4.0.8"), want{Model: "fo-dicom-based", Version: "fo-dicom 4.0.8"}},
		"dicom-uid-fo-dicom":               {withImpl("1.3.6.1.4.1.30071.8", ""), want{Model: "fo-dicom-based"}},
		"dicom-impl-gdcm":                  {withImpl("", "GDCM 3.0.10"), want{Model: "GDCM-based", Version: "GDCM 3.0.10"}},
		"dicom-uid-gdcm":                   {withImpl("1.2.826.0.1.3680043.2.1143.107.104.103.115.3.0.10", ""), want{Model: "GDCM-based"}},
		"dicom-impl-godicom":               {withImpl("", "GODICOM_1_1"), want{Model: "go-dicom-based"}},
		"dicom-uid-godicom":                {withImpl("1.2.826.0.1.3680043.9.7133.1.1", ""), want{Model: "go-dicom-based"}},
		"dicom-impl-gonetdicom":            {withImpl("", "GONETDICOM_1_1"), want{Model: "go-netdicom-based"}},
		"dicom-uid-gonetdicom":             {withImpl("1.2.826.0.1.3680043.10.786.1.1", ""), want{Model: "go-netdicom-based"}},
		"dicom-impl-dicom-rs":              {withImpl("2.25.262086406829110419931297894772577063974", "DICOM-rs 0.8.1"), want{Model: "DICOM-rs-based", Version: "DICOM-rs 0.8.1"}},
		"dicom-impl-dicomobjects":          {withImpl("", "DCMOBJ5.2.1.0"), want{Model: "DicomObjects-based", Version: "DicomObjects 5.2.1.0"}},
		"dicom-impl-mergecom":              {withImpl("", "MergeCOM3_410"), want{Model: "MergeCOM-3-based", Version: "MergeCOM-3 410"}},
		"dicom-uid-mergecom":               {withImpl("2.16.840.1.113669.2.1.1", ""), want{Model: "MergeCOM-3-based"}},
		"dicom-uid-leadtools":              {withImpl("1.2.840.114257.1123456", "1"), want{Model: "LEADTOOLS-based"}},
		"dicom-impl-leadtools-pacsf":       {withImpl("1.2.840.114257.1123456", "LTPACSF V19"), want{Model: "LEADTOOLS-based", Version: "LEADTOOLS PACS Framework 19"}},
		"dicom-impl-dcmjs-dimse":           {withImpl("", "DCMJS-DIMSE-V0.1"), want{Model: "dcmjs-dimse-based"}},
		"dicom-uid-dcmjs-dimse":            {withImpl("1.2.826.0.1.3680043.10.854", ""), want{Model: "dcmjs-dimse-based"}},
		"dicom-uid-clearcanvas":            {withImpl("1.3.6.1.4.1.25403.1.1.1", "Dicom 0.1"), want{Model: "ClearCanvas-based"}},
		"dicom-uid-conquest":               {withImpl("1.2.826.0.1.3680043.2.135.1066.101", "1.5.0/WIN32"), want{Class: model.ClassPACS, Model: "Conquest DICOM server", Version: "1.5.0/WIN32", Confidence: 70, Strength: 100}},
		"dicom-uid-ge":                     {withImpl("1.2.840.113619.6.374", ""), want{Manufacturer: "GE Healthcare"}},
		"dicom-uid-siemens":                {withImpl("1.3.12.2.1107.5.2", ""), want{Manufacturer: "Siemens Healthineers"}},
		"dicom-uid-philips":                {withImpl("1.3.46.670589.11.0.0.51.4.56.1", ""), want{Manufacturer: "Philips"}},
		"dicom-uid-canon":                  {withImpl("1.2.392.200036.9116.7.42", ""), want{Manufacturer: "Canon Medical Systems (Toshiba)"}},
		"dicom-uid-fujifilm":               {withImpl("1.2.392.200036.9125.0.19950720112207", ""), want{Manufacturer: "FUJIFILM"}},
		"dicom-uid-agfa":                   {withImpl("1.3.51.0.1.3", "AGFA DTF1.0.95"), want{Manufacturer: "Agfa"}},
		"dicom-uid-hologic":                {withImpl("1.2.840.113681.2.1", ""), want{Manufacturer: "Hologic"}},
		"dicom-uid-varian":                 {withImpl("1.2.246.352.70.2.1.120.1", "MergeCOM3_410"), want{Manufacturer: "Varian", Model: "MergeCOM-3-based"}},
		"dicom-uid-samsung-medison":        {withImpl("1.2.410.200001.101.11.801", "V8"), want{Manufacturer: "Samsung Medison"}},
		"dicom-impl-philips-epiq-affiniti": {merge(withImpl("1.3.46.670589.14.10000.705", "EPIQ-AFFIN_7.05"), dicom(scu(sopUS))), want{Class: model.ClassImagingModality, Modality: "US", Manufacturer: "Philips", Model: "EPIQ/Affiniti", Version: "7.05", Confidence: 85, Strength: 100}},
		"dicom-impl-ge-logiq":              {withImpl("1.2.840.113619.6.323", "LOGIQS8_1"), want{Class: model.ClassImagingModality, Modality: "US", Manufacturer: "GE Healthcare", Model: "LOGIQS8", Confidence: 80, Strength: 100}},
		"dicom-impl-siemens-syngo":         {merge(withImpl("1.3.12.2.1107.5.1.4", "SIEMENS_SWF_VB20A"), dicom(scu(sopCT))), want{Class: model.ClassImagingModality, Modality: "CT", Manufacturer: "Siemens Healthineers", Version: "VB20A", Confidence: 85, Strength: 100}},

		// HL7
		"hl7-pump-oru":                       {oruWith("Alaris 8015^BD^00D0750000000001^EUI-64"), want{Class: model.ClassPumpGateway, Manufacturer: "BD", Confidence: 85, Strength: 100}},
		"hl7-pump-piv":                       {app(model.RoleReceiver, "PUMPSERVER1", "RGV^O15"), want{Class: model.ClassPumpGateway, Confidence: 80, Strength: 100}},
		"hl7-pump-server-app":                {app(model.RoleSender, "MEDNET", "ACK^R01"), want{Class: model.ClassPumpGateway, Confidence: 70, Strength: 100}},
		"hl7-app-alaris":                     {app(model.RoleSender, "ALARIS_GW", "ORU^R01"), want{Class: model.ClassPumpGateway, Manufacturer: "BD", Model: "Alaris Systems Manager", Confidence: 70, Strength: 100}},
		"hl7-monitor-oru":                    {oruWith("IntelliVue MX800^Philips"), want{Class: model.ClassMedicalGateway, Manufacturer: "Philips", Confidence: 70, Strength: 100}},
		"hl7-equipment-plum":                 {oruWith("Hospira Plum A+"), want{Class: model.ClassPumpGateway, Manufacturer: "ICU Medical", Confidence: 85, Strength: 100}},
		"hl7-equipment-alaris":               {hl7(HL7Fact{Role: model.RoleSender, Application: "DOC", PeerApplication: "EHR", MessageTypes: []string{"MDM^T02"}, EquipmentIDs: []string{"ALARIS8015-SN12345678^ALARIS_GW^00122104170000FF^EUI-64"}}), want{Manufacturer: "BD", Model: "Alaris 8015"}},
		"hl7-equipment-sigma":                {oruWith("Sigma Spectrum 35700"), want{Class: model.ClassPumpGateway, Manufacturer: "Baxter", Confidence: 85, Strength: 100}},
		"hl7-equipment-intellivue":           {hl7(HL7Fact{Role: model.RoleSender, Application: "MON", PeerApplication: "EHR", MessageTypes: []string{"ORU^R01"}, EquipmentIDs: []string{"IntelliVue MX800^Philips"}}), want{Class: model.ClassMedicalGateway, Manufacturer: "Philips", Confidence: 70, Strength: 100}},
		"hl7-engine-app":                     {app(model.RoleSender, "RHAPSODY^1.2.3^ISO", "ADT^A01"), want{Class: model.ClassHL7InterfaceEngine, Confidence: 70, Strength: 100}},
		"hl7-philips-central":                {app(model.RoleSender, "PIIC", "ORU^R01"), want{Class: model.ClassCentralStation, Manufacturer: "Philips", Model: "IntelliVue Information Center", Confidence: 60, Strength: 100}},
		"hl7-ge-carescape":                   {app(model.RoleSender, "CARESCAPE_GW", "ORU^R01"), want{Class: model.ClassMedicalGateway, Manufacturer: "GE Healthcare", Model: "CARESCAPE Gateway", Confidence: 60, Strength: 100}},
		"hl7-capsule":                        {app(model.RoleSender, "Capsule", "ORU^R01"), want{Class: model.ClassMedicalGateway, Manufacturer: "Capsule", Confidence: 60, Strength: 100}},
		"hl7-app-ge-vsp":                     {hl7(HL7Fact{Role: model.RoleSender, Application: "VSP^080019FFFE134535^EUI-64", PeerApplication: "HIS", MessageTypes: []string{"ORU^R01"}, EquipmentIDs: []string{"080019FFFE0B4020^B40_GE"}}), want{Class: model.ClassPatientMonitor, Manufacturer: "GE Healthcare", Model: "B40", Confidence: 70, Strength: 100}},
		"hl7-equipment-ge-b-series":          {oruWith("080019FFFE0B4020^B40_GE"), want{Manufacturer: "GE Healthcare", Model: "B40"}},
		"hl7-app-philips-efficia":            {app(model.RoleSender, "^EfficiaCM", "ORF^R04"), want{Class: model.ClassPatientMonitor, Manufacturer: "Philips", Model: "Efficia CM series", Confidence: 70, Strength: 100}},
		"hl7-app-mindray-egateway":           {app(model.RoleSender, "MINDRAY_EGATEWAY^00A037EB2175780F^EUI64", "ORU^R01"), want{Class: model.ClassMedicalGateway, Manufacturer: "Mindray", Model: "eGateway", Confidence: 60, Strength: 100}},
		"hl7-app-mindray":                    {app(model.RoleSender, "MINDRAY_VS900^00A03700980057A1^EUI-64", "ORU^R40"), want{Manufacturer: "Mindray", Model: "VS900"}},
		"hl7-eui64-equipment-mindray":        {oruWith("BeneVision N12^Mindray^00A0370000ABCDEF^EUI-64"), want{Manufacturer: "Mindray"}},
		"hl7-eui64-equipment-philips":        {oruWith("0009FB0000ABCDEF^EUI-64"), want{Manufacturer: "Philips"}},
		"hl7-eui64-equipment-draeger":        {oruWith("MON1^VENDOR^F0E5C30000ABCDEF^EUI64"), want{Manufacturer: "Dräger"}},
		"hl7-eui64-equipment-ge":             {oruWith("MON^GE^444B5D0000ABCDEF^EUI-64"), want{Manufacturer: "GE Healthcare"}},
		"hl7-eui64-equipment-nihon-kohden":   {oruWith("MON1^VENDOR^00A09A0000ABCDEF^EUI64"), want{Manufacturer: "Nihon Kohden"}},
		"hl7-eui64-equipment-spacelabs":      {oruWith("MON1^VENDOR^00A0AA0000ABCDEF^EUI64"), want{Manufacturer: "Spacelabs"}},
		"hl7-eui64-equipment-bd":             {oruWith("MON1^VENDOR^F8C6780000ABCDEF^EUI64"), want{Manufacturer: "BD"}},
		"hl7-eui64-equipment-baxter":         {oruWith("MON1^VENDOR^5846E10000ABCDEF^EUI64"), want{Manufacturer: "Baxter"}},
		"hl7-eui64-equipment-b-braun":        {oruWith("MON1^VENDOR^0012210000ABCDEF^EUI64"), want{Manufacturer: "B. Braun"}},
		"hl7-eui64-equipment-icu-medical":    {oruWith("MON1^VENDOR^0003B10000ABCDEF^EUI64"), want{Manufacturer: "ICU Medical"}},
		"hl7-eui64-equipment-fresenius-kabi": {oruWith("MON1^VENDOR^8833BE0000ABCDEF^EUI64"), want{Manufacturer: "Fresenius Kabi"}},
		"hl7-lab-analyzer":                   {app(model.RoleSender, "cobas", "OUL^R22"), want{Class: model.ClassLabAnalyzer, Confidence: 60, Strength: 100}},
		"hl7-app-dymind":                     {app(model.RoleSender, "Dymind", "ORU^R01"), want{Class: model.ClassLabAnalyzer, Manufacturer: "Dymind", Confidence: 70, Strength: 100}},
		"hl7-adt-source":                     {app(model.RoleSender, "EPIC", "ADT^A01"), want{Class: model.ClassServer, Confidence: 40, Strength: 100}},

		// DHCP option 60
		"dhcp60-bd-alaris":            {dhcp(udhcpcParams, "BD Alaris PC 8015", "ALARIS-PC-0042"), want{Class: model.ClassInfusionPump, Manufacturer: "BD", Model: "Alaris PC 8015", OS: "Linux", Confidence: 94, Strength: 80}},
		"dhcp60-bd-alaris-server":     {dhcp("", "BD-Alaris-SystemsManager", "pumpgw01"), want{Class: model.ClassPumpGateway, Manufacturer: "BD", Model: "Alaris SystemsManager"}},
		"dhcp60-ge-gems":              {merge(mac(t, "44:4b:5d"), dhcp("", "GEMS_CT_Revolution", "ct-ward3-01")), want{Class: model.ClassImagingModality, Manufacturer: "GE Healthcare", Model: "CT_Revolution"}},
		"dhcp60-baxter-pump":          {dhcp("", "Baxter Spectrum IQ", ""), want{Class: model.ClassInfusionPump, Manufacturer: "Baxter", Model: "Spectrum IQ", Confidence: 90, Strength: 80}},
		"dhcp60-icu-medical-pump":     {dhcp("", "ICU Medical Plum 360", ""), want{Class: model.ClassInfusionPump, Manufacturer: "ICU Medical", Model: "Plum 360", Confidence: 90, Strength: 80}},
		"dhcp60-bbraun-pump":          {dhcp("", "BBraun-SpaceCom2", ""), want{Class: model.ClassInfusionPump, Manufacturer: "B. Braun", Model: "SpaceCom2", Confidence: 90, Strength: 80}},
		"dhcp60-philips-central":      {dhcp("", "Philips IntelliVue Information Center iX", ""), want{Class: model.ClassCentralStation, Manufacturer: "Philips", Model: "IntelliVue Information Center iX", Confidence: 90, Strength: 80}},
		"dhcp60-philips-monitor":      {dhcp("", "Philips IntelliVue MX800", ""), want{Class: model.ClassPatientMonitor, Manufacturer: "Philips", Model: "IntelliVue MX800", Confidence: 90, Strength: 80}},
		"dhcp60-mindray-monitor":      {dhcp("", "Mindray BeneVision N17", ""), want{Class: model.ClassPatientMonitor, Manufacturer: "Mindray", Model: "BeneVision N17", Confidence: 90, Strength: 80}},
		"dhcp60-draeger-monitor":      {dhcp("", "Draeger Infinity M540", ""), want{Class: model.ClassPatientMonitor, Manufacturer: "Dräger", Model: "Infinity M540", Confidence: 90, Strength: 80}},
		"dhcp60-draeger-ventilator":   {dhcp("", "Draeger Evita V800", ""), want{Class: model.ClassPatientMonitor, Manufacturer: "Dräger", Model: "Evita V800", Confidence: 70, Strength: 80}},
		"dhcp60-nihon-kohden-central": {dhcp("", "Nihon Kohden CNS-6201", ""), want{Class: model.ClassCentralStation, Manufacturer: "Nihon Kohden", Model: "CNS-6201", Confidence: 90, Strength: 80}},
		"dhcp60-nihon-kohden-monitor": {dhcp("", "NIHON KOHDEN BSM-6701", ""), want{Class: model.ClassPatientMonitor, Manufacturer: "Nihon Kohden", Model: "BSM-6701", Confidence: 90, Strength: 80}},
		"dhcp60-spacelabs-monitor":    {dhcp("", "Spacelabs xprezzon", ""), want{Class: model.ClassPatientMonitor, Manufacturer: "Spacelabs", Model: "xprezzon", Confidence: 90, Strength: 80}},
		"dhcp60-ge-central":           {dhcp("", "GE Healthcare CARESCAPE Central Station", ""), want{Class: model.ClassCentralStation, Manufacturer: "GE Healthcare", Model: "CARESCAPE Central Station", Confidence: 90, Strength: 80}},
		"dhcp60-ge-monitor":           {dhcp("", "GE Healthcare CARESCAPE B450", ""), want{Class: model.ClassPatientMonitor, Manufacturer: "GE Healthcare", Model: "CARESCAPE B450", Confidence: 90, Strength: 80}},
		"dhcp60-fujifilm-cr":          {dhcp("", "FUJIFILM FCR PRIMA", ""), want{Class: model.ClassImagingModality, Modality: "CR", Manufacturer: "FUJIFILM", Model: "FCR PRIMA", Confidence: 90, Strength: 80}},
		"dhcp60-fujifilm-dr":          {dhcp("", "FUJIFILM FDR D-EVO II", ""), want{Class: model.ClassImagingModality, Modality: "DX", Manufacturer: "FUJIFILM", Model: "FDR D-EVO II", Confidence: 90, Strength: 80}},
		"dhcp60-hp-jetdirect":         {dhcp("", "Hewlett-Packard JetDirect", "NPI00030"), want{Class: model.ClassPrinter, Manufacturer: "HP", Confidence: 90, Strength: 80}},
		"dhcp60-hp-printer":           {dhcp("", "HP LaserJet", ""), want{Class: model.ClassPrinter, Manufacturer: "HP", Model: "LaserJet", Confidence: 90, Strength: 80}},
		"dhcp60-canon-printer":        {dhcp("", "Canon iR-ADV C5850", ""), want{Class: model.ClassPrinter, Manufacturer: "Canon", Model: "iR-ADV C5850", Confidence: 90, Strength: 80}},
		"dhcp60-xerox":                {dhcp("", "Mfg=Xerox;Typ=MFP;Mod=WorkCentre 7855;Ser=ABC123", ""), want{Class: model.ClassPrinter, Manufacturer: "Xerox", Model: "WorkCentre 7855", Confidence: 90, Strength: 80}},
		"dhcp60-printer-vendors":      {dhcp("", "Lexmark MS610de", ""), want{Class: model.ClassPrinter, Manufacturer: "Lexmark", Model: "MS610de", Confidence: 85, Strength: 80}},
		"dhcp60-zebra-printer":        {dhcp("", "Zebra Technologies ZD510", ""), want{Class: model.ClassPrinter, Manufacturer: "Zebra", Model: "ZD510", Confidence: 90, Strength: 80}},
		"dhcp60-cisco-phone":          {dhcp("", "Cisco System, Inc. IP Phone CP-8945", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco", Model: "CP-8945", Confidence: 95, Strength: 80}},
		"dhcp60-mitel":                {dhcp("", "ipphone.mitel.com", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Mitel", Confidence: 90, Strength: 80}},
		"dhcp60-aastra":               {dhcp("", "AastraIPPhone6737i", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Aastra (Mitel)", Model: "6737i", Confidence: 90, Strength: 80}},
		"dhcp60-mitel-system-phone":   {dhcp("", "Aamadeus IP phone", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Mitel", Model: "MiVoice 5300 IP", Confidence: 90, Strength: 80}},
		"dhcp60-mitel-openmobility":   {dhcp("", "OpenMobility", ""), want{Manufacturer: "Mitel", Model: "OpenMobility RFP (DECT base station)"}},
		"dhcp60-aastra-dbc":           {dhcp("", "Aastra IP-Phone", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Aastra (Mitel)", Confidence: 85, Strength: 80}},
		"dhcp60-nortel":               {dhcp("", "Nortel-i2004-A", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Nortel", Model: "i2004", Confidence: 90, Strength: 80}},
		"dhcp60-polycom":              {dhcp("", "Polycom-VVX410", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Polycom", Model: "VVX410", Confidence: 90, Strength: 80}},
		"dhcp60-yealink":              {dhcp("", "yealink", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Yealink", Confidence: 90, Strength: 80}},
		"dhcp60-avaya":                {dhcp("", "ccp.avaya.com", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Avaya", Confidence: 90, Strength: 80}},
		"dhcp60-grandstream":          {dhcp("", "Grandstream GXP2160 dslforum.org", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Grandstream", Model: "GXP2160", Confidence: 90, Strength: 80}},
		"dhcp60-snom":                 {dhcp("", "snomD785", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "snom", Model: "D785", Confidence: 90, Strength: 80}},
		"dhcp60-ale-phone":            {dhcp("", "alcatel.noe.0", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Alcatel-Lucent Enterprise", Confidence: 90, Strength: 80}},
		"dhcp60-unify-phone":          {dhcp("", "OptiIpPhone", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Unify (Siemens)", Confidence: 90, Strength: 80}},
		"dhcp60-cisco-spa":            {dhcp("", "LINKSYS SPA-942", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco", Model: "SPA-942", Confidence: 90, Strength: 80}},
		"dhcp60-cisco-wireless-phone": {dhcp("", "Cisco Systems Inc. Wireless Phone 7921", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco", Model: "7921", Confidence: 90, Strength: 80}},
		"dhcp60-cisco-bare":           {dhcp("", "Cisco Systems, Inc.", ""), want{Manufacturer: "Cisco"}},
		"dhcp60-cisco-bare-sep":       {merge(mac(t, "00:1b:54"), dhcp("", "Cisco Systems, Inc.", "SEP001B548C4322")), want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco", Confidence: 92, Strength: 80}},
		"dhcp60-gigaset":              {dhcp("", "Gigaset_N720_DM_PRO", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Gigaset", Model: "N720 DM PRO", Confidence: 90, Strength: 80}},
		"dhcp60-digium":               {dhcp("", "digium_D40_1_0_5_46476", ""), want{Class: model.ClassVoIPPhone, Manufacturer: "Digium", Model: "D40", Confidence: 90, Strength: 80}},
		"dhcp60-cisco-ap-legacy":      {dhcp("", "Cisco AP.LAP1510", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", Model: "access point LAP1510", Confidence: 90, Strength: 80}},
		"dhcp60-aerohive":             {dhcp("", "AEROHIVE", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Aerohive (Extreme Networks)", Model: "access point", Confidence: 85, Strength: 80}},
		"dhcp60-apple-bsdp":           {dhcp("", "AAPLBSDPC/i386", ""), want{Class: model.ClassWorkstation, Manufacturer: "Apple", Model: "NetBoot (i386)", OS: "macOS", Confidence: 60, Strength: 30}},
		"dhcp60-aruba-ap":             {dhcp("", "ArubaAP", "btest.is.cool"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Aruba", Model: "access point", Confidence: 90, Strength: 80}},
		"dhcp60-cisco-ap":             {dhcp("", "Cisco AP c2600", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", Model: "access point c2600", Confidence: 90, Strength: 80}},
		"dhcp60-fortinet":             {dhcp("", "FortiGate-60F", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Fortinet", Model: "FortiGate-60F", OS: "FortiOS", Confidence: 90, Strength: 80}},
		"dhcp60-ubiquiti":             {dhcp("", "ubnt", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Ubiquiti", Confidence: 85, Strength: 80}},
		"dhcp60-aruba-instant":        {dhcp("", "ArubaInstantAP", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Aruba", Model: "Instant access point", Confidence: 90, Strength: 80}},
		"dhcp60-ruckus-ap":            {dhcp("", "Ruckus CPE", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Ruckus", Model: "access point", Confidence: 90, Strength: 80}},
		"dhcp60-cisco-pnp":            {dhcp("", "ciscopnp", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", OS: "Cisco IOS-XE", Confidence: 90, Strength: 80}},
		"dhcp60-juniper-ztp":          {dhcp("", "Juniper-ex4100-h-12mp-PE3714340006", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Juniper", Model: "ex4100-h-12mp", OS: "Junos", Confidence: 90, Strength: 80}},
		"dhcp60-onie":                 {dhcp("", "onie_vendor:x86_64-accton_as7326_56x-r0", ""), want{Class: model.ClassNetworkInfrastructure, Model: "x86_64-accton_as7326_56x-r0", OS: "network OS (ONIE installer)", Confidence: 90, Strength: 80}},
		"dhcp60-idrac":                {dhcp("", "iDRAC", ""), want{Class: model.ClassServer, Manufacturer: "Dell", Model: "iDRAC (BMC)", OS: "embedded (iDRAC firmware)", Confidence: 85, Strength: 80}},
		"dhcp60-idrac-lifecycle":      {dhcp("", "LifecycleController", ""), want{Class: model.ClassServer, Manufacturer: "Dell", Model: "iDRAC (BMC)", OS: "embedded (iDRAC firmware)", Confidence: 85, Strength: 80}},
		"dhcp60-apc":                  {dhcp("", "APC", ""), want{Class: model.ClassIoT, Manufacturer: "APC", Model: "Network Management Card", OS: "embedded (APC NMC firmware)", Confidence: 80, Strength: 80}},
		"dhcp60-openbmc":              {dhcp("", "OpenBMC:model=MINIPACK-SMB:serial=1234", ""), want{Class: model.ClassServer, Model: "OpenBMC BMC MINIPACK-SMB", OS: "Linux (OpenBMC)", Confidence: 80, Strength: 80}},
		"dhcp60-edgecore-switch":      {dhcp("", "ECS4110-28T", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Edgecore", Model: "ECS4110-28T", OS: "network OS (Edgecore)", Confidence: 80, Strength: 80}},
		"dhcp60-nokia-ap":             {dhcp("", "Nokia A03x", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Nokia", Model: "access point", Confidence: 75, Strength: 80}},
		"dhcp60-mikrotik-routerboot":  {dhcp("1,3", "Mips_boot", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "MikroTik", Model: "RouterBOARD (RouterBOOT)", OS: "firmware (RouterBOOT)", Confidence: 70, Strength: 80}},
		"dhcp60-hp-ilo":               {dhcp("", "CPQRIB3", ""), want{Class: model.ClassServer, Manufacturer: "HPE", Model: "iLO (BMC)", OS: "embedded (iLO firmware)", Confidence: 85, Strength: 80}},
		"dhcp60-pxe":                  {dhcp("", "PXEClient:Arch:00007:UNDI:003016", ""), want{Class: model.ClassWorkstation, Model: "PXE boot (arch 00007)", Confidence: 45, Strength: 30}},
		"dhcp60-uefi-http-boot":       {dhcp("", "HTTPClient:Arch:00016:UNDI:003001", ""), want{Class: model.ClassWorkstation, Model: "UEFI HTTP boot (arch 00016)", Confidence: 45, Strength: 30}},
		"dhcp60-u-boot":               {dhcp("", "U-Boot.armv8", ""), want{Model: "U-Boot (armv8)", OS: "firmware (U-Boot)"}},
		"dhcp60-anaconda":             {dhcp("", "anaconda-Linux 2.6.32-431.el6.x86_64 x86_64", ""), want{Model: "Anaconda installer", OS: "Linux 2.6.32-431.el6.x86_64"}},
		"dhcp60-playstation":          {dhcp("", "PS4", ""), want{Class: model.ClassIoT, Manufacturer: "Sony", Model: "PlayStation 4", OS: "PlayStation system software", Confidence: 90, Strength: 80}},
		"dhcp60-xbox":                 {dhcp("", "MSFT 5.0 XBOX", ""), want{Class: model.ClassIoT, Manufacturer: "Microsoft", Model: "Xbox", OS: "Xbox OS", Confidence: 90, Strength: 80}},
		"dhcp60-brightsign":           {dhcp("", "BrightSign", ""), want{Class: model.ClassIoT, Manufacturer: "BrightSign", OS: "BrightSignOS", Confidence: 90, Strength: 80}},
		"dhcp60-windows-10":           {dhcp(win10Params, "MSFT 5.0", "testclient"), want{Class: model.ClassWorkstation, OS: "Windows 10+", Confidence: 75, Strength: 30}},
		"dhcp60-windows-7":            {dhcp(win7Params, "MSFT 5.0", "Joanna-PC"), want{Class: model.ClassWorkstation, OS: "Windows 7/8", Confidence: 88, Strength: 40}},
		"dhcp60-windows":              {dhcp("", "MSFT 5.0", ""), want{Class: model.ClassWorkstation, OS: "Windows", Confidence: 70, Strength: 30}},
		"dhcp60-windows-legacy":       {dhcp("1,15,3,6,44,46,47,43,77", "MSFT 98", ""), want{OS: "Windows 98/ME"}},
		"dhcp60-android":              {dhcp("", "android-dhcp-9", ""), want{Class: model.ClassMobile, OS: "Android 9", Confidence: 75, Strength: 30}},
		"dhcp60-android-dhcpcd":       {dhcp("", "dhcpcd-5.5.6", ""), want{Class: model.ClassMobile, OS: "Android", Confidence: 60, Strength: 30}},
		"dhcp60-android-dhcpcd4":      {dhcp("1,121,33,3,6,15,28,51,58,59,119", "dhcpcd 4.0.15", ""), want{Class: model.ClassMobile, OS: "Android", Confidence: 50, Strength: 30}},
		"dhcp60-raspberry-pi":         {dhcp("", "dhcpcd-8.1.2:Linux-5.10.17-v7l+:armv7l:BCM2711", ""), want{Class: model.ClassIoT, Manufacturer: "Raspberry Pi", OS: "Linux 5.10.17-v7l+", Confidence: 70, Strength: 80}},
		"dhcp60-dhcpcd-linux":         {dhcp(dhcpcdBareParams, "dhcpcd-9.4.1:Linux-6.18.44-fc-v1045:x86_64:AuthenticAMD", ""), want{OS: "Linux 6.18.44-fc-v1045"}},
		"dhcp60-dhcpcd-bsd":           {dhcp("", "dhcpcd-10.1.0:FreeBSD-14.1-RELEASE-p5:amd64:amd64", ""), want{OS: "FreeBSD 14.1-RELEASE-p5"}},
		"dhcp60-udhcp":                {dhcp(udhcpcParams, "udhcp 1.36.1", ""), want{OS: "Linux (BusyBox 1.36.1)"}},

		// DHCP option 55
		"dhcp55-windows-10":                {dhcp(win10Params, "", ""), want{Class: model.ClassWorkstation, OS: "Windows 10+", Confidence: 70, Strength: 30}},
		"dhcp55-windows-7":                 {dhcp(win7Params, "", ""), want{Class: model.ClassWorkstation, OS: "Windows 7/8", Confidence: 70, Strength: 30}},
		"dhcp55-windows-like":              {dhcp("1,15,3,6,44,46,47,31,33,249,43,252", "", ""), want{Class: model.ClassWorkstation, OS: "Windows", Confidence: 59, Strength: 30}},
		"dhcp55-macos":                     {dhcp(macParams, "", "Lucas-iMac"), want{Class: model.ClassWorkstation, Manufacturer: "Apple", OS: "macOS", Confidence: 88, Strength: 40}},
		"dhcp55-macos-like":                {dhcp("1,121,3,6,15,108,114,119,252,95,44,46", "", ""), want{Class: model.ClassWorkstation, Manufacturer: "Apple", OS: "macOS", Confidence: 53, Strength: 30}},
		"dhcp55-ios":                       {dhcp("1,3,6,15,119,252", "", "kawai-iPad3"), want{Class: model.ClassMobile, Manufacturer: "Apple", OS: "iOS", Confidence: 88, Strength: 40}},
		"dhcp55-ios-like":                  {dhcp("1,121,3,6,15,108,114,119,252", "", ""), want{Class: model.ClassMobile, Manufacturer: "Apple", OS: "iOS", Confidence: 50, Strength: 30}},
		"dhcp55-android-dhcpcd":            {dhcp("1,33,3,6,15,26,28,51,58,59", "", ""), want{Class: model.ClassMobile, OS: "Android", Confidence: 65, Strength: 30}},
		"dhcp55-android":                   {dhcp(android9Param+",114,108", "", ""), want{Class: model.ClassMobile, OS: "Android", Confidence: 65, Strength: 30}},
		"dhcp55-linux-networkmanager":      {dhcp(ubuntuParams, "", "ubuntu2"), want{OS: "Linux (Ubuntu/NetworkManager)"}},
		"dhcp55-linux-dhclient":            {dhcp(debianParams, "", "nas1"), want{OS: "Linux"}},
		"dhcp55-linux-dhcpcd":              {dhcp("1,121,3,6,12,15,26,28,33,51,54,58,59,119", "", ""), want{OS: "Linux"}},
		"dhcp55-linux-sorted":              {dhcp("1,3,6,12,15,28,42", "udhcp 1.35.0", ""), want{OS: "Linux (BusyBox 1.35.0)"}},
		"dhcp55-systemd-networkd":          {dhcp("1,3,6,12,15,33,42,120,121", "", "vm"), want{OS: "Linux (systemd-networkd)"}},
		"dhcp55-networkmanager-internal":   {dhcp("1,2,6,12,15,26,28,121,3,33,40,41,42,119,249,252", "", ""), want{OS: "Linux (NetworkManager)"}},
		"dhcp55-connman":                   {dhcp("252,3,42,15,6,1,12", "", ""), want{OS: "Linux (ConnMan)"}},
		"dhcp55-freebsd-dhclient":          {dhcp("1,28,2,121,3,15,6,12,119,26", "", ""), want{OS: "FreeBSD"}},
		"dhcp55-openbsd-dhcpleased":        {dhcp("1,3,6,12,15,28,119,121,108", "", ""), want{OS: "OpenBSD"}},
		"dhcp55-wicked":                    {dhcp("58,59,1,28,26,121,249,33,3,12,119,15,6,42", "", ""), want{OS: "Linux (SUSE wicked)"}},
		"dhcp60-chromeos":                  {dhcp("", "chromeos", ""), want{Class: model.ClassWorkstation, OS: "ChromeOS", Confidence: 75, Strength: 30}},
		"dhcp55-lwip":                      {dhcp("1,3,28,6", "", "espressif"), want{OS: "embedded (lwIP)"}},
		"dhcp55-cyclonetcp":                {dhcp("1,3,6,26,51,58,59", "", ""), want{OS: "embedded (CycloneTCP)"}},
		"dhcp55-picotcp":                   {dhcp("1,2,3,12,58,59,6", "", ""), want{OS: "embedded (picoTCP)"}},
		"dhcp55-brother-printserver":       {dhcp("1,3,6,12,15,28,42,40,44,46", "", "brothermfc"), want{Class: model.ClassPrinter, Manufacturer: "Brother", OS: "embedded (Brother print server)", Confidence: 60, Strength: 60}},
		"dhcp55-hirschmann-switch":         {dhcp("1,2,3,4,12,61,66,67", "", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Hirschmann", OS: "network OS (Hirschmann Classic)", Confidence: 65, Strength: 60}},
		"dhcp55-vyos":                      {dhcp("1,28,3,6,121,15,26", "", "vyos"), want{Class: model.ClassNetworkInfrastructure, OS: "Linux (VyOS)", Confidence: 65, Strength: 60}},
		"dhcp55-insomniacslk":              {dhcp("1,3,15,6", "", ""), want{OS: "Linux"}},
		"dhcp55-embedded-minimal":          {dhcp("1,3,6", "", ""), want{OS: "embedded (uIP, FreeRTOS+TCP, NetX Duo or Zephyr)"}},
		"dhcp55-arduino-ethernet":          {dhcp("1,3,6,15,58,59", "", "WIZnet1A2B3C"), want{OS: "embedded (Arduino Ethernet)"}},
		"host-arduino-wiznet":              {dhcp("", "", "WIZnet1A2B3C"), want{OS: "embedded (Arduino Ethernet)"}},
		"dhcp55-microchip-tcpip":           {dhcp("1,3,6,12", "", ""), want{OS: "embedded (Microchip TCP/IP)"}},
		"dhcp55-android-dhcpclient-legacy": {dhcp("1,3,6,15,26,28,51,58,59", "", ""), want{Class: model.ClassMobile, OS: "Android", Confidence: 65, Strength: 30}},
		"dhcp55-openbsd-dhclient":          {dhcp("1,28,2,121,3,15,119,6,12,67,66", "", ""), want{OS: "OpenBSD"}},
		"dhcp55-bsd-dhclient-legacy":       {dhcp("1,28,2,121,3,15,6,12", "", ""), want{OS: "BSD (dhclient)"}},
		"dhcp55-macos-legacy":              {dhcp("1,3,6,15,112,113,78,79,95,252", "", ""), want{Class: model.ClassWorkstation, Manufacturer: "Apple", OS: "Mac OS X", Confidence: 65, Strength: 30}},
		"dhcp55-juniper-ztp":               {dhcp("3,51,1,15,6,66,67,120,44,43,150,12,7,42", "", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Juniper", OS: "Junos", Confidence: 70, Strength: 60}},
		"dhcp55-cisco-ap":                  {dhcp("1,6,15,44,3,33,150,43", "", "R0"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", Confidence: 60, Strength: 60}},

		// combined
		"windows-medical-oem": {merge(mac(t, "7c:94:b2"), dhcp(win10Params, "MSFT 5.0", "DR-DIGDIAG-01")), want{Class: model.ClassImagingModality, Modality: "DX", Manufacturer: "Philips", Model: "DigitalDiagnost", OS: "Windows 10+", Confidence: 60, Strength: 40}},
		"windows-server-name": {dhcp(win10Params, "MSFT 5.0", "WIN-4KD2JQ9LP0A"), want{Class: model.ClassServer, OS: "Windows Server", Confidence: 89, Strength: 80}},

		// NetBIOS services: a domain controller or PDC sends the Windows client DHCP fingerprint too
		"nbns-domain-controller": {merge(dhcp(win10Params, "MSFT 5.0", "DC01"), sig(model.EvidenceNBNSService, "domain-controller")), want{Class: model.ClassServer, OS: "Windows Server", Confidence: 85, Strength: 60}},
		"nbns-pdc":               {merge(dhcp(win10Params, "MSFT 5.0", "DC01"), sig(model.EvidenceNBNSService, "pdc")), want{Class: model.ClassServer, OS: "Windows Server", Confidence: 80, Strength: 60}},

		// flows
		"network-vendor-serves-infrastructure": {merge(mac(t, "00:00:0c"), serves(17, 67, "dhcp", 14)), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", Confidence: 86, Strength: 60}},

		// host names (weak: a class only with corroboration)
		"host-windows-default":         {dhcp("", "", "DESKTOP-4G7KQ2M"), want{Class: model.ClassWorkstation, OS: "Windows 10+", Confidence: 60, Strength: 50}},
		"host-windows-server-default":  {dhcp("", "", "WIN-4KD2JQ9LP0A"), want{Class: model.ClassServer, OS: "Windows Server", Confidence: 55, Strength: 50}},
		"host-windows-user-pc":         {dhcp("", "", "kevin-PC"), want{OS: "Windows"}},
		"host-mac":                     {merge(mac(t, "fc:fc:48"), dhcp("", "", "MacBook-Air")), want{Manufacturer: "Apple", OS: "macOS"}},
		"host-ios":                     {dhcp("", "", "Annas-iPhone"), want{OS: "iOS"}},
		"host-android":                 {dhcp("", "", "android-f7ca0f571270c52d"), want{Class: model.ClassMobile, OS: "Android", Confidence: 60, Strength: 50}},
		"host-android-legacy":          {dhcp("", "", "android_9f3b2c6d1e0a4b57"), want{Class: model.ClassMobile, OS: "Android", Confidence: 60, Strength: 50}},
		"host-galaxy":                  {dhcp("", "", "Galaxy-S23"), want{Class: model.ClassMobile, Manufacturer: "Samsung", OS: "Android", Confidence: 60, Strength: 50}},
		"host-raspberry-pi":            {dhcp("", "", "raspberrypi"), want{Class: model.ClassIoT, Manufacturer: "Raspberry Pi", OS: "Linux", Confidence: 60, Strength: 50}},
		"host-linux-default":           {dhcp("", "", "pop-os"), want{OS: "Linux"}},
		"host-hp-printer":              {dhcp("", "", "NPI24FEE0"), want{Class: model.ClassPrinter, Manufacturer: "HP", Confidence: 60, Strength: 50}},
		"host-brother-printer":         {dhcp("", "", "BRN008077A1B2C3"), want{Class: model.ClassPrinter, Manufacturer: "Brother", Confidence: 60, Strength: 50}},
		"host-arubaos-switch-default":  {dhcp("", "", "Aruba-2930F-48G-PoEP"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "HPE", Confidence: 60, Strength: 50}},
		"host-epson-printer":           {dhcp("", "", "EPSON1A2B3C"), want{Class: model.ClassPrinter, Manufacturer: "Epson", Confidence: 60, Strength: 50}},
		"host-lenovo-imm":              {dhcp("", "", "IMM-5CF3FC5EAAD0"), want{Class: model.ClassServer, Manufacturer: "Lenovo", Model: "IMM (BMC)", OS: "embedded (IMM firmware)", Confidence: 50, Strength: 50}},
		"host-cisco-phone":             {dhcp("", "", "SEP001B548C4322"), want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco", Confidence: 60, Strength: 50}},
		"host-dell-idrac":              {dhcp("", "", "idrac-7XK2Q93"), want{Class: model.ClassServer, Manufacturer: "Dell", Model: "iDRAC (BMC)", OS: "embedded (iDRAC firmware)", Confidence: 55, Strength: 50}},
		"host-axis-camera":             {dhcp("", "", "axis-accc8e1a2b3c"), want{Class: model.ClassIoT, Manufacturer: "Axis", OS: "Linux (AXIS OS)", Confidence: 60, Strength: 50}},
		"host-esp-idf-default":         {dhcp("", "", "espressif"), want{Manufacturer: "Espressif", OS: "embedded (ESP-IDF)"}},
		"host-avaya-sip-phone":         {dhcp("", "", "AVB5E21C0"), want{Class: model.ClassVoIPPhone, Manufacturer: "Avaya", Confidence: 60, Strength: StrengthDefaultName}},
		"host-avaya-1200-sip":          {dhcp("", "", "T001765A0B1C2"), want{Class: model.ClassVoIPPhone, Manufacturer: "Avaya", Confidence: 50, Strength: StrengthDefaultName}},
		"host-shelly":                  {dhcp("", "", "shellyplus1pm-80646fe1a2b4"), want{Class: model.ClassIoT, Manufacturer: "Shelly", Confidence: 60, Strength: StrengthDefaultName}},
		"host-evolis-printer":          {dhcp("", "", "EVO_PR1_0001234"), want{Class: model.ClassPrinter, Manufacturer: "Evolis", Confidence: 60, Strength: 50}},
		"host-wyse-thinlinux":          {dhcp("", "", "LWT008064c18b14"), want{Class: model.ClassWorkstation, Manufacturer: "Dell Wyse", Model: "ThinLinux thin client", OS: "Linux (Wyse ThinLinux)", Confidence: 60, Strength: 50}},
		"host-openwrt":                 {dhcp("", "", "OpenWrt"), want{Class: model.ClassNetworkInfrastructure, OS: "Linux (OpenWrt)", Confidence: 55, Strength: 50}},
		"dhcp60-docsis-cable-modem":    {dhcp("1,2,3,4,7,6,122", "docsis3.0:", ""), want{Class: model.ClassNetworkInfrastructure, Model: "DOCSIS 3.0 cable modem", OS: "embedded (DOCSIS cable modem)", Confidence: 85, Strength: 80}},
		"dhcp60-docsis-erouter":        {dhcp("", "eRouter1.0", ""), want{Class: model.ClassNetworkInfrastructure, Model: "cable gateway (eRouter)", Confidence: 85, Strength: 80}},
		"dhcp60-packetcable-mta":       {dhcp("", "pktc1.5:051f0101010201020301010401010501010601010901010b01060c010f0d01010e01010f0101100109120100130101", ""), want{Class: model.ClassVoIPPhone, Model: "PacketCable 1.5 telephone adapter (MTA)", Confidence: 80, Strength: 80}},
		"dhcp60-debian-installer":      {dhcp("1,28,2,3,15,6,12,42", "d-i", ""), want{OS: "Linux (Debian installer)"}},
		"dhcp60-klibc-ipconfig":        {dhcp("", "Linux ipconfig", ""), want{OS: "Linux (initramfs)"}},
		"dhcp55-linux-kernel-ipconfig": {dhcp("1,3,6,12,15,17,26,40,42", "", ""), want{OS: "Linux (kernel ip=dhcp)"}},
		"host-infusion-pump":           {dhcp("", "", "icu3-pump07"), want{}},
		"host-pacs":                    {dhcp("", "", "pacs01.radiology.example"), want{}},
		"host-hl7-engine":              {dhcp("", "", "rhapsody-prod1"), want{}},
		"host-central-station":         {dhcp("", "", "CENTRAL-MON01"), want{}},
		"host-modality-prefix":         {merge(dicom(scu(sopVerify)), dhcp("", "", "CT-ROOM2")), want{Class: model.ClassImagingModality, Confidence: 60, Strength: 40}},
		"host-ge-ultrasound":           {merge(dicom(scu(sopVerify)), dhcp("", "", "US-LOGIQE10-01")), want{Class: model.ClassImagingModality, Modality: "US", Manufacturer: "GE Healthcare", Model: "LOGIQ E10", Confidence: 60, Strength: 40}},
		"host-siemens-ct":              {merge(dicom(scu(sopVerify)), dhcp("", "", "CT-SOMATOM-01")), want{Class: model.ClassImagingModality, Modality: "CT", Manufacturer: "Siemens Healthineers", Model: "SOMATOM", Confidence: 60, Strength: 40}},
		"host-siemens-mr":              {merge(dicom(scu(sopVerify)), dhcp("", "", "MAGNETOM-VIDA")), want{Class: model.ClassImagingModality, Modality: "MR", Manufacturer: "Siemens Healthineers", Model: "MAGNETOM", Confidence: 60, Strength: 40}},
		"host-philips-dr":              {merge(mac(t, "7c:94:b2"), dhcp(win10Params, "MSFT 5.0", "DR-DIGDIAG-01")), want{Class: model.ClassImagingModality, Modality: "DX", Manufacturer: "Philips", Model: "DigitalDiagnost", OS: "Windows 10+", Confidence: 60, Strength: 40}},

		// OUI vendors: the vendor is looked up in the embedded IEEE registry
		"oui-bd-alaris":           {mac(t, "00:d0:75"), want{Manufacturer: "BD"}},
		"oui-bd-carefusion":       {mac(t, "f8:c6:78"), want{Manufacturer: "BD"}},
		"oui-baxter":              {mac(t, "58:42:e4"), want{Manufacturer: "Baxter"}},
		"oui-b-braun":             {mac(t, "00:12:21"), want{Manufacturer: "B. Braun"}},
		"oui-icu-medical":         {mac(t, "00:03:b1"), want{Manufacturer: "ICU Medical"}},
		"oui-smiths-medical":      {mac(t, "00:1a:01"), want{Manufacturer: "Smiths Medical"}},
		"oui-fresenius-vial":      {mac(t, "00:13:38"), want{Manufacturer: "Fresenius Kabi"}},
		"oui-philips-monitoring":  {mac(t, "00:09:fb"), want{Manufacturer: "Philips"}},
		"oui-philips-healthcare":  {mac(t, "7c:94:b2"), want{Manufacturer: "Philips"}},
		"oui-ge-healthcare":       {mac(t, "00:40:97"), want{Manufacturer: "GE Healthcare"}},
		"oui-ge-medical":          {mac(t, "a0:f2:17"), want{Manufacturer: "GE Healthcare"}},
		"oui-siemens-diagnostics": {mac(t, "20:e7:91"), want{Manufacturer: "Siemens Healthineers"}},
		"oui-mindray":             {mac(t, "00:a0:37"), want{Manufacturer: "Mindray"}},
		"oui-draeger":             {mac(t, "f0:e5:c3"), want{Manufacturer: "Dräger"}},
		"oui-nihon-kohden":        {mac(t, "00:a0:9a"), want{Manufacturer: "Nihon Kohden"}},
		"oui-spacelabs":           {mac(t, "00:a0:aa"), want{Manufacturer: "Spacelabs"}},
		"oui-masimo":              {mac(t, "08:09:b6"), want{Manufacturer: "Masimo"}},
		"oui-welch-allyn":         {mac(t, "00:1a:fa"), want{Manufacturer: "Welch Allyn"}},
		"oui-fujifilm-healthcare": {mac(t, "84:11:c2:3"), want{Manufacturer: "FUJIFILM"}},
		"oui-carestream":          {mac(t, "00:1d:4a"), want{Manufacturer: "Carestream"}},
		"oui-abbott":              {mac(t, "00:13:dd"), want{Manufacturer: "Abbott"}},
		"oui-sysmex":              {mac(t, "00:06:6b"), want{Manufacturer: "Sysmex"}},
		"oui-beckman":             {mac(t, "d0:d2:86"), want{Manufacturer: "Beckman Coulter"}},
		"oui-biomerieux":          {mac(t, "d8:60:b0"), want{Manufacturer: "bioMérieux"}},
		"oui-hp":                  {mac(t, "f8:0d:ac"), want{Manufacturer: "HP"}},
		"oui-fujifilm-business":   {mac(t, "08:00:37"), want{Manufacturer: "FUJIFILM"}},
		"oui-canon":               {mac(t, "00:00:85"), want{Manufacturer: "Canon"}},
		"oui-lexmark":             {mac(t, "00:21:b7"), want{Manufacturer: "Lexmark"}},
		"oui-xerox":               {mac(t, "9c:93:4e"), want{Manufacturer: "Xerox"}},
		"oui-brother":             {mac(t, "00:80:77"), want{Manufacturer: "Brother"}},
		"oui-ricoh":               {mac(t, "00:26:73"), want{Manufacturer: "Ricoh"}},
		"oui-kyocera":             {mac(t, "00:22:94"), want{Manufacturer: "Kyocera"}},
		"oui-epson":               {mac(t, "f8:d0:27"), want{Manufacturer: "Epson"}},
		"oui-konica-minolta":      {mac(t, "00:20:6b"), want{Manufacturer: "Konica Minolta"}},
		"oui-zebra":               {mac(t, "c8:1c:fe"), want{Manufacturer: "Zebra"}},
		"oui-polycom":             {mac(t, "00:04:f2"), want{Manufacturer: "Polycom"}},
		"oui-yealink":             {mac(t, "80:5e:c0"), want{Manufacturer: "Yealink"}},
		"oui-avaya":               {mac(t, "fc:a8:41"), want{Manufacturer: "Avaya"}},
		"oui-spectralink":         {mac(t, "00:90:7a"), want{Manufacturer: "Spectralink"}},
		"oui-vocera":              {mac(t, "00:09:ef"), want{Manufacturer: "Vocera"}},
		"oui-grandstream":         {mac(t, "00:0b:82"), want{Manufacturer: "Grandstream"}},
		"oui-snom":                {mac(t, "00:04:13"), want{Manufacturer: "snom"}},
		"oui-mitel":               {mac(t, "14:00:e9"), want{Manufacturer: "Mitel"}},
		"oui-gigaset":             {mac(t, "7c:2f:80"), want{Manufacturer: "Gigaset"}},
		"oui-fanvil":              {mac(t, "0c:38:3e"), want{Manufacturer: "Fanvil"}},
		"oui-htek":                {mac(t, "00:1f:c1"), want{Manufacturer: "Htek"}},
		"oui-cisco":               {mac(t, "00:00:0c"), want{Manufacturer: "Cisco"}},
		"oui-cisco-meraki":        {mac(t, "e0:55:3d"), want{Manufacturer: "Cisco Meraki"}},
		"oui-aruba":               {mac(t, "fc:7f:f1"), want{Manufacturer: "Aruba"}},
		"oui-juniper":             {mac(t, "fc:96:43"), want{Manufacturer: "Juniper"}},
		"oui-arista":              {mac(t, "fc:bd:67"), want{Manufacturer: "Arista"}},
		"oui-extreme":             {mac(t, "f4:ea:b5"), want{Manufacturer: "Extreme Networks"}},
		"oui-ruckus":              {mac(t, "f8:e7:1e"), want{Manufacturer: "Ruckus"}},
		"oui-fortinet":            {mac(t, "e8:ed:d6"), want{Manufacturer: "Fortinet"}},
		"oui-palo-alto":           {mac(t, "fc:10:1a"), want{Manufacturer: "Palo Alto Networks"}},
		"oui-procurve":            {mac(t, "00:25:61"), want{Manufacturer: "HP"}},
		"oui-hpe":                 {mac(t, "4c:ae:a3"), want{Manufacturer: "HPE"}},
		"oui-ubiquiti":            {mac(t, "74:83:c2"), want{Manufacturer: "Ubiquiti"}},
		"oui-mikrotik":            {mac(t, "b8:69:f4"), want{Manufacturer: "MikroTik"}},
		"oui-brocade":             {mac(t, "08:00:88"), want{Manufacturer: "Brocade"}},
		"oui-smc":                 {mac(t, "00:22:2d"), want{Manufacturer: "SMC"}},
		"oui-home-network":        {mac(t, "38:94:ed"), want{}},
		"oui-raspberry-pi":        {mac(t, "b8:27:eb"), want{Manufacturer: "Raspberry Pi"}},
		"oui-espressif":           {mac(t, "f4:cf:a2"), want{Manufacturer: "Espressif"}},
		"oui-apple":               {mac(t, "fc:fc:48"), want{Manufacturer: "Apple"}},
		"oui-ip-camera":           {mac(t, "b8:a4:4f"), want{Manufacturer: "Axis"}},
		"oui-camera-hikvision":    {mac(t, "44:47:cc"), want{Manufacturer: "Hikvision"}},
		"oui-camera-dahua":        {mac(t, "08:ed:ed"), want{Manufacturer: "Dahua"}},
		"oui-camera-axis":         {mac(t, "b8:a4:4f"), want{Manufacturer: "Axis"}},
		"oui-consumer-iot":        {mac(t, "54:2a:1b"), want{}},
		"oui-game-console":        {mac(t, "00:1f:a7"), want{}},
		"oui-amazon":              {mac(t, "68:db:f5"), want{Manufacturer: "Amazon"}},
		"oui-supermicro":          {mac(t, "0c:c4:7a"), want{Manufacturer: "Supermicro"}},
		"oui-pc-makers":           {mac(t, "98:e7:43"), want{Manufacturer: "Dell"}},
		"oui-sonosite":            {mac(t, "00:08:fb"), want{Manufacturer: "FUJIFILM SonoSite"}},
		"oui-hill-rom":            {mac(t, "00:14:b8"), want{Manufacturer: "Hill-Rom"}},
		"oui-nortel":              {mac(t, "00:1f:46"), want{Manufacturer: "Nortel"}},
		"oui-aastra":              {mac(t, "00:10:bc"), want{Manufacturer: "Aastra (Mitel)"}},

		// passive signals (decoded by sensor/*; see docs/identification.md for the wiring)
		"lldp-network-capabilities":    {sig(model.EvidenceLLDPCapabilities, "bridge,router"), want{Class: model.ClassNetworkInfrastructure, Confidence: 85, Strength: 80}},
		"lldp-bridge-capabilities":     {sig(model.EvidenceLLDPCapabilities, "bridge"), want{Class: model.ClassNetworkInfrastructure, Confidence: 70, Strength: 80}},
		"lldp-telephone":               {sig(model.EvidenceLLDPCapabilities, "telephone"), want{Class: model.ClassVoIPPhone, Confidence: 90, Strength: 80}},
		"lldp-siemens-scalance":        {sig(model.EvidenceLLDPSysDesc, "Siemens, SIMATIC NET, SCALANCE XC208, 6GK5 208-0BA00-2AC2, HW: Version 1, FW: Version V04.01.00"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Siemens", Model: "SCALANCE XC208", Confidence: 90, Strength: 80}},
		"snmp-siemens-scalance":        {sig(model.EvidenceSNMPSysDescr, "Siemens, SIMATIC NET, SCALANCE X204-2, 6GK5 204-2BB10-2AA3, HW: Version 7, FW: Version V05.04.02"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Siemens", Model: "SCALANCE X204-2", Confidence: 90, Strength: 80}},
		"lldp-siemens-simatic":         {sig(model.EvidenceLLDPSysDesc, "Siemens, SIMATIC S7, CPU 1516-3 PN/DP, 6ES7 516-3AN01-0AB0, HW: 3, FW: V2.9.4"), want{Class: model.ClassIoT, Manufacturer: "Siemens", Model: "SIMATIC S7 CPU 1516-3 PN/DP", Confidence: 85, Strength: 80}},
		"snmp-siemens-simatic":         {sig(model.EvidenceSNMPSysDescr, "Siemens, SIMATIC NET, CP 1616, 6GK1 161-6AA02, HW: 4, FW: V2.8.0"), want{Class: model.ClassIoT, Manufacturer: "Siemens", Model: "SIMATIC NET CP 1616", Confidence: 85, Strength: 80}},
		"cdp-network-capabilities":     {sig(model.EvidenceCDPCapabilities, "router,switch,igmp"), want{Class: model.ClassNetworkInfrastructure, Confidence: 85, Strength: 80}},
		"cdp-phone":                    {sig(model.EvidenceCDPCapabilities, "host,phone"), want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco", Confidence: 90, Strength: 80}},
		"cdp-cisco-ap":                 {sig(model.EvidenceCDPPlatform, "cisco AIR-CAP2602I-Q-K9"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", Model: "AIR-CAP2602I-Q-K9", Confidence: 90, Strength: 80}},
		"cdp-cisco-phone":              {sig(model.EvidenceCDPPlatform, "Cisco IP Phone 8845"), want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco", Model: "8845", Confidence: 95, Strength: 80}},
		"cdp-cisco-platform":           {sig(model.EvidenceCDPPlatform, "cisco CSR1000V"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", Model: "CSR1000V", Confidence: 85, Strength: 80}},
		"cisco-ios-version":            {sig(model.EvidenceCDPSoftware, "Cisco IOS Software, IOS-XE Software (X86_64_LINUX_IOSD-ADVENTERPRISEK9-M), Version 15.3(2)S0a, RELEASE SOFTWARE (fc1)"), want{Manufacturer: "Cisco", OS: "Cisco IOS", Version: "15.3(2)S0a"}},
		"lldp-cisco-ios":               {sig(model.EvidenceLLDPSysDesc, "Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", OS: "Cisco IOS", Version: "17.9.4", Confidence: 85, Strength: 80}},
		"lldp-procurve":                {sig(model.EvidenceLLDPSysDesc, "ProCurve J8762A Switch 2600-8-PWR, revision H.08.89, ROM H.08.5X (/sw/code/build/fish(ts_08_5))"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "HP", Model: "ProCurve J8762A Switch 2600-8-PWR", OS: "ProCurve", Version: "H.08.89", Confidence: 90, Strength: 80}},
		"lldp-extreme":                 {sig(model.EvidenceLLDPSysDesc, "Summit300-48 - Version 7.4e.1 (Build 5) by Release_Master 05/27/05 04:53:11"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Extreme Networks", Model: "Summit300-48", OS: "ExtremeXOS", Version: "7.4e.1", Confidence: 90, Strength: 80}},
		"lldp-smc":                     {sig(model.EvidenceLLDPSysDesc, "SMCGS8P-Smart - SMCGS8P-Smart v3.20"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "SMC", Model: "SMCGS8P-Smart", Version: "3.20", Confidence: 90, Strength: 80}},
		"lldp-juniper":                 {sig(model.EvidenceLLDPSysDesc, "Juniper Networks, Inc. ex2300-24p Ethernet Switch, kernel JUNOS 21.4R3, Build date: 2023-01-01"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Juniper", Model: "ex2300-24p", OS: "Junos", Version: "21.4R3", Confidence: 90, Strength: 80}},
		"lldp-med-phone":               {sig(model.EvidenceLLDPMEDModel, "CP-8845"), want{Class: model.ClassVoIPPhone, Model: "CP-8845", Confidence: 85, Strength: 80}},
		"snmp-cisco-ios":               {sig(model.EvidenceSNMPSysDescr, "Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 15.0(2)SE11, RELEASE SOFTWARE (fc3)"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", OS: "Cisco IOS", Version: "15.0(2)SE11", Confidence: 85, Strength: 80}},
		"lldp-arubaos-switch":          {sig(model.EvidenceLLDPSysDesc, "Aruba JL256A 2930F-48G-PoE+-4SFP+ Switch, revision WC.16.10.0009, ROM WC.16.01.0008"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "HPE Aruba", Model: "JL256A 2930F-48G-PoE+-4SFP+", OS: "ArubaOS-Switch", Version: "WC.16.10.0009", Confidence: 90, Strength: 80}},
		"snmp-arubaos-switch":          {sig(model.EvidenceSNMPSysDescr, "HP J9772A 2530-48G-PoEP Switch, revision YA.16.10.0026, ROM YA.15.20"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "HPE Aruba", Model: "J9772A 2530-48G-PoEP", OS: "ArubaOS-Switch", Version: "YA.16.10.0026", Confidence: 90, Strength: 80}},
		"snmp-arubaos":                 {sig(model.EvidenceSNMPSysDescr, "ArubaOS (MODEL: Aruba7010-US), Version 8.6.0.4"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "HPE Aruba", Model: "Aruba7010-US", OS: "ArubaOS", Version: "8.6.0.4", Confidence: 90, Strength: 80}},
		"snmp-arista-eos":              {sig(model.EvidenceSNMPSysDescr, "Arista Networks EOS version 4.28.3M running on an Arista Networks DCS-7050SX3-48YC8"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Arista", Model: "DCS-7050SX3-48YC8", OS: "EOS", Version: "4.28.3M", Confidence: 90, Strength: 80}},
		"snmp-juniper":                 {sig(model.EvidenceSNMPSysDescr, "Juniper Networks, Inc. ex2300-24t Ethernet Switch, kernel JUNOS 23.4R2-S2.1, Build date: 2024-05-01"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Juniper", Model: "ex2300-24t", OS: "Junos", Version: "23.4R2-S2.1", Confidence: 90, Strength: 80}},
		"snmp-mikrotik":                {sig(model.EvidenceSNMPSysDescr, "RouterOS RB4011iGS+"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "MikroTik", Model: "RB4011iGS+", OS: "RouterOS", Confidence: 85, Strength: 80}},
		"snmp-brocade-icx":             {sig(model.EvidenceSNMPSysDescr, "Brocade ICX7250-24 , ICX Routing, Version 08.0.95"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Ruckus (Brocade)", Model: "ICX7250-24", OS: "FastIron", Version: "08.0.95", Confidence: 90, Strength: 80}},
		"snmp-hp-printer":              {sig(model.EvidenceSNMPSysDescr, "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI23900012"), want{Class: model.ClassPrinter, Manufacturer: "HP", Confidence: 90, Strength: 80}},
		"snmp-windows":                 {sig(model.EvidenceSNMPSysDescr, "Hardware: Intel64 Family 6 Model 85 - Software: Windows Version 6.3 (Build 17763 Multiprocessor Free)"), want{OS: "Windows 6.3"}},
		"snmp-linux":                   {sig(model.EvidenceSNMPSysDescr, "Linux nas1 6.1.0-13-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 x86_64"), want{OS: "Linux 6.1.0-13-amd64"}},
		"snmp-bsd":                     {sig(model.EvidenceSNMPSysDescr, "FreeBSD fw1.example.org 14.1-RELEASE-p5 FreeBSD 14.1-RELEASE-p5 GENERIC amd64"), want{OS: "FreeBSD"}},
		"snmp-dragonfly":               {sig(model.EvidenceSNMPSysDescr, "DragonFly df1 6.4-RELEASE DragonFly v6.4.0-RELEASE x86_64"), want{OS: "DragonFly BSD"}},
		"snmp-darwin":                  {sig(model.EvidenceSNMPSysDescr, "Darwin mini.example.org 23.1.0 Darwin Kernel Version 23.1.0: Mon Oct  9 21:27:24 PDT 2023 x86_64"), want{OS: "macOS"}},
		"snmp-firewall-distribution":   {sig(model.EvidenceSNMPSysDescr, "OPNsense 24.1 FreeBSD 13.2-RELEASE-p9 amd64"), want{Class: model.ClassNetworkInfrastructure, Model: "OPNsense", OS: "FreeBSD", Confidence: 85, Strength: 80}},
		"snmp-vmware-esxi":             {sig(model.EvidenceSNMPSysDescr, "VMware ESXi 8.0.2 build-22380479 VMware, Inc. x86_64"), want{Class: model.ClassServer, Manufacturer: "VMware", OS: "VMware ESXi 8.0.2", Confidence: 85, Strength: 80}},
		"snmp-descr-printer":           {sig(model.EvidenceSNMPSysDescr, "Network Printer NP-200 firmware 2.1"), want{Class: model.ClassPrinter, Confidence: 65, Strength: 80}},
		"snmp-descr-camera":            {sig(model.EvidenceSNMPSysDescr, "HD Network Camera, firmware 5.1"), want{Class: model.ClassIoT, Confidence: 65, Strength: 80}},
		"snmp-descr-network":           {sig(model.EvidenceSNMPSysDescr, "Managed Gigabit Ethernet Switch, firmware 1.0.3"), want{Class: model.ClassNetworkInfrastructure, Confidence: 65, Strength: 80}},
		"snmp-oid-xerox":               {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.253.1.2"), want{Class: model.ClassPrinter, Manufacturer: "Xerox", Confidence: 75, Strength: 80}},
		"snmp-oid-ricoh":               {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.367.1.2"), want{Class: model.ClassPrinter, Manufacturer: "Ricoh", Confidence: 75, Strength: 80}},
		"snmp-oid-lexmark":             {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.641.1.2"), want{Class: model.ClassPrinter, Manufacturer: "Lexmark", Confidence: 75, Strength: 80}},
		"snmp-oid-epson":               {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.1248.1.2"), want{Class: model.ClassPrinter, Manufacturer: "Epson", Confidence: 65, Strength: 80}},
		"snmp-oid-kyocera":             {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.1347.1.2"), want{Class: model.ClassPrinter, Manufacturer: "Kyocera", Confidence: 75, Strength: 80}},
		"snmp-oid-canon":               {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.1602.1.2"), want{Class: model.ClassPrinter, Manufacturer: "Canon", Confidence: 65, Strength: 80}},
		"snmp-oid-oki":                 {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.2001.1.2"), want{Class: model.ClassPrinter, Manufacturer: "OKI", Confidence: 75, Strength: 80}},
		"snmp-oid-sharp":               {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.2385.1.2"), want{Class: model.ClassPrinter, Manufacturer: "Sharp", Confidence: 65, Strength: 80}},
		"snmp-oid-brother":             {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.2435.1.2"), want{Class: model.ClassPrinter, Manufacturer: "Brother", Confidence: 75, Strength: 80}},
		"snmp-oid-zebra":               {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.10642.1.2"), want{Class: model.ClassPrinter, Manufacturer: "Zebra", Confidence: 75, Strength: 80}},
		"snmp-oid-konica-minolta":      {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.18334.1.2"), want{Class: model.ClassPrinter, Manufacturer: "Konica Minolta", Confidence: 75, Strength: 80}},
		"snmp-oid-toshiba-tec":         {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.1129.1.2"), want{Class: model.ClassPrinter, Manufacturer: "Toshiba TEC", Confidence: 70, Strength: 80}},
		"snmp-oid-fortinet":            {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.12356.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Fortinet", Confidence: 80, Strength: 80}},
		"snmp-oid-palo-alto-networks":  {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.25461.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Palo Alto Networks", Confidence: 80, Strength: 80}},
		"snmp-oid-sonicwall":           {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.8741.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "SonicWall", Confidence: 80, Strength: 80}},
		"snmp-oid-check-point":         {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.2620.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Check Point", Confidence: 80, Strength: 80}},
		"snmp-oid-juniper":             {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.2636.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Juniper", Confidence: 80, Strength: 80}},
		"snmp-oid-hpe-aruba":           {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.14823.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "HPE Aruba", Confidence: 80, Strength: 80}},
		"snmp-oid-mikrotik":            {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.14988.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "MikroTik", Confidence: 80, Strength: 80}},
		"snmp-oid-aerohive":            {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.26928.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Aerohive", Confidence: 80, Strength: 80}},
		"snmp-oid-cisco-meraki":        {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.29671.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco Meraki", Confidence: 80, Strength: 80}},
		"snmp-oid-arista":              {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.30065.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Arista", Confidence: 80, Strength: 80}},
		"snmp-oid-ruckus":              {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.25053.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Ruckus", Confidence: 80, Strength: 80}},
		"snmp-oid-h-c":                 {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.25506.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "H3C", Confidence: 80, Strength: 80}},
		"snmp-oid-extreme-networks":    {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.1916.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Extreme Networks", Confidence: 80, Strength: 80}},
		"snmp-oid-ubiquiti":            {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.41112.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Ubiquiti", Confidence: 80, Strength: 80}},
		"snmp-oid-juniper-netscreen":   {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.3224.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Juniper (NetScreen)", Confidence: 80, Strength: 80}},
		"snmp-oid-watchguard":          {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.3097.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "WatchGuard", Confidence: 80, Strength: 80}},
		"snmp-oid-allied-telesis":      {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.207.1.2"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Allied Telesis", Confidence: 80, Strength: 80}},
		"snmp-oid-apc":                 {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.318.1.2"), want{Class: model.ClassIoT, Manufacturer: "APC", Confidence: 75, Strength: 80}},
		"snmp-oid-vertiv":              {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.476.1.2"), want{Class: model.ClassIoT, Manufacturer: "Vertiv (Liebert)", Confidence: 75, Strength: 80}},
		"snmp-oid-eaton":               {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.534.1.2"), want{Class: model.ClassIoT, Manufacturer: "Eaton", Confidence: 75, Strength: 80}},
		"snmp-oid-raritan":             {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.13742.1.2"), want{Class: model.ClassIoT, Manufacturer: "Raritan", Confidence: 75, Strength: 80}},
		"snmp-oid-cyberpower":          {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.3808.1.2"), want{Class: model.ClassIoT, Manufacturer: "CyberPower", Confidence: 75, Strength: 80}},
		"snmp-oid-akcp":                {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.3854.1.2"), want{Class: model.ClassIoT, Manufacturer: "AKCP", Confidence: 75, Strength: 80}},
		"snmp-oid-axis":                {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.368.1.2"), want{Class: model.ClassIoT, Manufacturer: "Axis", Confidence: 75, Strength: 80}},
		"snmp-oid-hikvision":           {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.39165.1.2"), want{Class: model.ClassIoT, Manufacturer: "Hikvision", Confidence: 75, Strength: 80}},
		"snmp-oid-vivotek":             {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.23465.1.2"), want{Class: model.ClassIoT, Manufacturer: "Vivotek", Confidence: 75, Strength: 80}},
		"snmp-oid-supermicro":          {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.10876.1.2"), want{Class: model.ClassServer, Manufacturer: "Supermicro", Confidence: 75, Strength: 80}},
		"snmp-oid-qnap":                {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.24681.1.2"), want{Class: model.ClassServer, Manufacturer: "QNAP", Confidence: 75, Strength: 80}},
		"snmp-oid-synology":            {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.6574.1.2"), want{Class: model.ClassServer, Manufacturer: "Synology", Confidence: 75, Strength: 80}},
		"snmp-oid-cisco":               {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.9.1.2"), want{Manufacturer: "Cisco"}},
		"snmp-oid-hp":                  {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.11.1.2"), want{Manufacturer: "HP"}},
		"snmp-oid-hpe-ilo":             {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.232.9.4.1.2"), want{Class: model.ClassServer, Manufacturer: "HPE", Model: "iLO (BMC)", Confidence: 85, Strength: 80}},
		"snmp-oid-compaq":              {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.232.1.2"), want{Class: model.ClassServer, Manufacturer: "HPE", Confidence: 70, Strength: 80}},
		"snmp-oid-dell-server":         {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.674.10892.1.2"), want{Class: model.ClassServer, Manufacturer: "Dell", Confidence: 80, Strength: 80}},
		"snmp-oid-ibm-imm":             {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.2.3.51.3.1.2"), want{Class: model.ClassServer, Manufacturer: "IBM/Lenovo", Model: "IMM (BMC)", Confidence: 85, Strength: 80}},
		"snmp-oid-vmware-esx":          {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.6876.4.1.2"), want{Class: model.ClassServer, Manufacturer: "VMware", OS: "VMware ESXi", Confidence: 85, Strength: 80}},
		"snmp-oid-netsnmp-netbsd":      {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.8072.3.2.7.1.2"), want{OS: "NetBSD"}},
		"snmp-oid-netsnmp-freebsd":     {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.8072.3.2.8.1.2"), want{OS: "FreeBSD"}},
		"snmp-oid-netsnmp-linux":       {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.8072.3.2.10.1.2"), want{OS: "Linux"}},
		"snmp-oid-netsnmp-openbsd":     {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.8072.3.2.12.1.2"), want{OS: "OpenBSD"}},
		"snmp-oid-netsnmp-macos":       {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.8072.3.2.16.1.2"), want{OS: "macOS"}},
		"snmp-oid-netsnmp-dragonfly":   {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.8072.3.2.17.1.2"), want{OS: "DragonFly BSD"}},
		"snmp-oid-openbsd":             {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.30155.1.2"), want{OS: "OpenBSD"}},
		"http-ua-android-phone":        {sig(model.EvidenceHTTPUserAgent, "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UD1A.230803.041)"), want{Class: model.ClassMobile, OS: "Android 14", Confidence: 60, Strength: StrengthOSImplied}},
		"http-ua-windows-components":   {sig(model.EvidenceHTTPUserAgent, "Microsoft-CryptoAPI/10.0"), want{Class: model.ClassWorkstation, OS: "Windows", Confidence: 55, Strength: StrengthOSImplied}},
		"http-ua-ncsi":                 {sig(model.EvidenceHTTPUserAgent, "Microsoft NCSI"), want{Class: model.ClassWorkstation, OS: "Windows", Confidence: 55, Strength: StrengthOSImplied}},
		"ssdp-hue-bridge":              {sig(model.EvidenceSSDPServer, "Hue/1.0 UPnP/1.0 IpBridge/1.60.0"), want{Class: model.ClassIoT, Manufacturer: "Signify (Philips Hue)", Model: "Hue Bridge", Version: "1.60.0", Confidence: 90, Strength: 80}},
		"sip-asterisk":                 {sig(model.EvidenceSIPUserAgent, "Asterisk PBX 20.5.0"), want{Class: model.ClassServer, Model: "Asterisk PBX", Version: "20.5.0", Confidence: 85, Strength: 80}},
		"sip-asterisk-server":          {sig(model.EvidenceSIPServer, "Asterisk PBX 18.20.0"), want{Class: model.ClassServer, Model: "Asterisk PBX", Version: "18.20.0", Confidence: 85, Strength: 80}},
		"sip-asterisk-distribution":    {sig(model.EvidenceSIPUserAgent, "Asterisk PBX 20.6.0~dfsg+~cs6.13.40431414-2"), want{Class: model.ClassServer, OS: "Linux", Version: "20.6.0", Confidence: 85, Strength: 80}},
		"lldp-arista-eos":              {sig(model.EvidenceLLDPSysDesc, "Arista Networks EOS version 4.30.1F running on an Arista Networks DCS-7280SR-48C6"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Arista", Model: "DCS-7280SR-48C6", OS: "EOS", Version: "4.30.1F", Confidence: 90, Strength: 80}},
		"lldp-nx-os":                   {sig(model.EvidenceLLDPSysDesc, "Cisco Nexus Operating System (NX-OS) Software 9.3(10)\nTAC support: http://www.cisco.com/tac\nCopyright (c) 2002-2022, Cisco Systems, Inc. All rights reserved."), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", OS: "Cisco NX-OS", Version: "9.3(10)", Confidence: 90, Strength: 80}},
		"cdp-nx-os":                    {sig(model.EvidenceCDPSoftware, "Cisco Nexus Operating System (NX-OS) Software, Version 9.3(10)"), want{Manufacturer: "Cisco", OS: "Cisco NX-OS", Version: "9.3(10)"}},
		"snmp-nx-os":                   {sig(model.EvidenceSNMPSysDescr, "Cisco NX-OS(tm) n9000, Software (n9000-dk9), Version 9.3(10), RELEASE SOFTWARE Copyright (c) 2002-2022 by Cisco Systems, Inc."), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", OS: "Cisco NX-OS", Version: "9.3(10)", Confidence: 90, Strength: 80}},
		"lldp-h3c-comware":             {sig(model.EvidenceLLDPSysDesc, "H3C Comware Software, Version 7.1.070, Release 3208P08"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "H3C", OS: "Comware", Confidence: 90, Strength: 80}},
		"snmp-h3c-comware":             {sig(model.EvidenceSNMPSysDescr, "H3C Comware Platform Software, Software Version 5.20.99, Release 1117"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "H3C", OS: "Comware", Confidence: 90, Strength: 80}},
		"lldp-lldpd-linux":             {sig(model.EvidenceLLDPSysDesc, "Debian GNU/Linux 12 (bookworm) Linux 6.1.0-13-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29) x86_64"), want{OS: "Linux 6.1.0-13-amd64"}},
		"lldp-lldpd-bsd":               {sig(model.EvidenceLLDPSysDesc, "FreeBSD 14.1-RELEASE FreeBSD 14.1-RELEASE releng/14.1-n267679-10e31f0946d8 GENERIC amd64"), want{OS: "FreeBSD"}},
		"cdp-linux":                    {sig(model.EvidenceCDPSoftware, "Linux 6.1.0-13-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29) x86_64"), want{OS: "Linux 6.1.0-13-amd64"}},
		"lldp-axis":                    {sig(model.EvidenceLLDPSysDesc, "AXIS M3106-L Mk II Network Camera 11.8.64"), want{Class: model.ClassIoT, Manufacturer: "Axis", Model: "M3106-L", OS: "Linux (AXIS OS)", Confidence: 90, Strength: 80}},
		"cdp-axis":                     {sig(model.EvidenceCDPSoftware, "AXIS A8207-VE Mk II Network Video Door Station 11.6.94"), want{Class: model.ClassIoT, Manufacturer: "Axis", Model: "A8207-VE", OS: "Linux (AXIS OS)", Confidence: 90, Strength: 80}},
		"snmp-arubaos-switch-revision": {sig(model.EvidenceSNMPSysDescr, "HPE Stack 2930M, revision WC.16.11.0015, ROM WC.17.02.0006 (/ws/swbuildm/rel_ukiah_qaoff/code/build/lvm(swbuildm_rel_ukiah_qaoff_rel_ukiah))"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "HPE Aruba", OS: "ArubaOS-Switch", Version: "WC.16.11.0015", Confidence: 85, Strength: 80}},
		"snmp-zebranet":                {sig(model.EvidenceSNMPSysDescr, "ZebraNet PrintServer ZT410"), want{Class: model.ClassPrinter, Manufacturer: "Zebra", Confidence: 85, Strength: 80}},
		"snmp-okilan":                  {sig(model.EvidenceSNMPSysDescr, "OkiLAN 8200e"), want{Class: model.ClassPrinter, Manufacturer: "OKI", Confidence: 85, Strength: 80}},
		"snmp-aix":                     {sig(model.EvidenceSNMPSysDescr, "IBM PowerPC CHRP Computer\nMachine Type: 0x0800004c Processor id: 00C5D2A44C00\nBase Operating System Runtime AIX version: 07.02.0005.0000"), want{Class: model.ClassServer, Manufacturer: "IBM", OS: "AIX 07.02.0005.0000", Confidence: 80, Strength: 80}},
		"snmp-hiveos":                  {sig(model.EvidenceSNMPSysDescr, "HiveOS 10.6r1 build-260000"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Aerohive (Extreme Networks)", OS: "HiveOS", Confidence: 85, Strength: 80}},
		"snmp-cisco-imc":               {sig(model.EvidenceSNMPSysDescr, "Cisco Integrated Management Controller(Cisco IMC) [UCS C240 M5SX], Firmware Version 4.1(3b)"), want{Class: model.ClassServer, Manufacturer: "Cisco", Model: "UCS IMC (BMC)", Confidence: 90, Strength: 80}},
		"snmp-truenas":                 {sig(model.EvidenceSNMPSysDescr, "TrueNAS-13.0-U6.1. Hardware: amd64. Software: FreeBSD 13.1-RELEASE-p9"), want{Class: model.ClassServer, Model: "TrueNAS", OS: "FreeBSD", Confidence: 85, Strength: 80}},
		"snmp-dahua":                   {sig(model.EvidenceSNMPSysDescr, "DH-IPC-HFW2431S-S-S2"), want{Class: model.ClassIoT, Manufacturer: "Dahua", Model: "IPC-HFW2431S-S-S2", Confidence: 85, Strength: 80}},
		"snmp-oid-huawei-ibmc":         {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.2011.2.235.1.1"), want{Class: model.ClassServer, Manufacturer: "Huawei", Model: "iBMC (BMC)", Confidence: 85, Strength: 80}},
		"dhcpv6-windows":               {sig(model.EvidenceDHCPv6VendorClass, "311:MSFT 5.0"), want{Class: model.ClassWorkstation, OS: "Windows", Confidence: 70, Strength: 30}},
		"dhcpv6-dhcpcd-bsd":            {sig(model.EvidenceDHCPv6VendorClass, "40712:dhcpcd-10.1.0:FreeBSD-14.1-RELEASE-p5:amd64:amd64"), want{OS: "FreeBSD 14.1-RELEASE-p5"}},
		"dhcpv6-dhcpcd-linux":          {sig(model.EvidenceDHCPv6VendorClass, "40712:dhcpcd-9.4.1:Linux-6.1.0-13-amd64:x86_64:GenuineIntel"), want{OS: "Linux 6.1.0-13-amd64"}},
		"http-ua-windows":              {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"), want{Class: model.ClassWorkstation, OS: "Windows NT 10.0", Strength: StrengthOSImplied}},
		"http-ua-ios":                  {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15"), want{Class: model.ClassMobile, Manufacturer: "Apple", OS: "iOS 17_0", Confidence: 65, Strength: 30}},
		"http-ua-macos":                {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15"), want{Class: model.ClassWorkstation, Manufacturer: "Apple", OS: "macOS", Confidence: 60, Strength: 30}},
		"http-ua-android":              {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36"), want{OS: "Android 14"}},
		"http-ua-darwin":               {sig(model.EvidenceHTTPUserAgent, "Wget/1.14 (darwin12.2.0)"), want{Class: model.ClassWorkstation, OS: "macOS", Strength: StrengthOSImplied}},
		"http-ua-freebsd":              {sig(model.EvidenceHTTPUserAgent, "Wget/1.21.4 (freebsd14.0)"), want{OS: "FreeBSD"}},
		"http-ua-netbsd":               {sig(model.EvidenceHTTPUserAgent, "curl/8.5.0 (x86_64-unknown-netbsd10.0) libcurl/8.5.0"), want{OS: "NetBSD"}},
		"http-ua-openbsd":              {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (X11; OpenBSD amd64; rv:121.0) Gecko/20100101 Firefox/121.0"), want{OS: "OpenBSD"}},
		"http-ua-linux":                {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9.1.8) Gecko/20100214 Ubuntu/9.10 (karmic) Firefox/3.5.8"), want{OS: "Linux"}},
		"http-ua-chromeos":             {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36"), want{Class: model.ClassWorkstation, OS: "ChromeOS", Confidence: 70, Strength: 30}},
		"http-server-hp-printer":       {sig(model.EvidenceHTTPServer, "HP HTTP Server; HP LaserJet M404dn - W1A53A; Serial Number: PHBXXXXXXX"), want{Class: model.ClassPrinter, Manufacturer: "HP", Model: "LaserJet M404dn", Confidence: 85, Strength: 80}},
		"http-server-hikvision":        {sig(model.EvidenceHTTPServer, "Hikvision-Webs"), want{Class: model.ClassIoT, Manufacturer: "Hikvision", Model: "IP camera", Confidence: 85, Strength: 80}},
		"http-server-dvr":              {sig(model.EvidenceHTTPServer, "DNVRS-Webs"), want{Class: model.ClassIoT, Model: "DVR/NVR", Confidence: 80, Strength: 80}},
		"http-server-hp-chaisoe":       {sig(model.EvidenceHTTPServer, "HP-ChaiSOE/1.0"), want{Class: model.ClassPrinter, Manufacturer: "HP", Confidence: 85, Strength: 80}},
		"http-server-epson":            {sig(model.EvidenceHTTPServer, "EPSON-HTTP/1.0"), want{Class: model.ClassPrinter, Manufacturer: "Epson", Confidence: 85, Strength: 80}},
		"http-server-canon":            {sig(model.EvidenceHTTPServer, "CANON HTTP Server"), want{Class: model.ClassPrinter, Manufacturer: "Canon", Confidence: 85, Strength: 80}},
		"http-server-kyocera":          {sig(model.EvidenceHTTPServer, "KM-MFP-http/V0.0.1"), want{Class: model.ClassPrinter, Manufacturer: "Kyocera", Confidence: 85, Strength: 80}},
		"http-server-hpe-ilo":          {sig(model.EvidenceHTTPServer, "HPE-iLO-Server/1.30"), want{Class: model.ClassServer, Manufacturer: "HPE", Model: "iLO (BMC)", OS: "embedded (iLO firmware)", Confidence: 85, Strength: 80}},
		"ssdp-epson-printer":           {sig(model.EvidenceSSDPServer, "EPSON_Linux UPnP/1.0 Epson UPnP SDK/1.0"), want{Class: model.ClassPrinter, Manufacturer: "Epson", OS: "Linux (Epson firmware)", Confidence: 80, Strength: 80}},
		"ssdp-windows":                 {sig(model.EvidenceSSDPServer, "Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0"), want{Class: model.ClassWorkstation, OS: "Windows NT 10.0", Strength: StrengthOSImplied}},
		"ssdp-linux":                   {sig(model.EvidenceSSDPServer, "Linux/3.14.0 UPnP/1.0 MiniDLNA/1.3.0"), want{OS: "Linux 3.14.0"}},
		"dhcp60-netgear-ap":            {dhcp("", "NETGEAR_WNC_AP", ""), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "NETGEAR", Model: "access point"}},
		"host-tplink-router-default":   {dhcp("", "", "TL-WR840N"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "TP-Link", Confidence: 60, Strength: 50}},
		"host-sonic-default":           {dhcp("", "", "sonic"), want{Class: model.ClassNetworkInfrastructure, OS: "network OS (SONiC)", Strength: 50}},
		"cdp-dell-powerconnect":        {sig(model.EvidenceCDPPlatform, "PCM6220"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Dell", Model: "PowerConnect PCM6220"}},
		"snmp-arubaos-cx":              {sig(model.EvidenceSNMPSysDescr, "Aruba JL635A 8325 GL.10.04.2000"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "HPE Aruba", Model: "CX 8325 (JL635A)", Version: "GL.10.04.2000", OS: "ArubaOS-CX GL.10.04.2000"}},
		"snmp-arubaos-controller":      {sig(model.EvidenceSNMPSysDescr, "ArubaOS Version 6.4.4.4-4.2.3.1"), want{Class: model.ClassNetworkInfrastructure, OS: "ArubaOS 6.4.4.4-4.2.3.1"}},
		"snmp-hpe-officeconnect":       {sig(model.EvidenceSNMPSysDescr, "HP 1820-8G Switch J9979A, PT.01.14, Linux 3.6.5-79c95a77, U-Boot 2012.10-00116-g3ab515c (Jul 30 2014 - 10:52:01)"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "HPE", Model: "OfficeConnect 1820-8G", OS: "Linux 3.6.5-79c95a77"}},
		"snmp-embedded-linux-release":  {sig(model.EvidenceSNMPSysDescr, "USW-24P-250, 3.3.15.3976, Linux 3.6.5"), want{Class: model.ClassNetworkInfrastructure, OS: "Linux 3.6.5"}},
		"snmp-unifi-switch":            {sig(model.EvidenceSNMPSysDescr, "UBNT US48PRO - 48 GE POE + 4 XE, 4.0.19.9951, Linux 3.6.5"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Ubiquiti", Model: "UniFi US48PRO", Version: "4.0.19.9951"}},
		"snmp-cisco-sb-wap":            {sig(model.EvidenceSNMPSysDescr, "Linux 2.6.21.5-lvl7-dev, Cisco Small Business WAP121 (WAP121-E-K9), Version 1.0.2.3 Wed Oct 17 00:19:29 EDT 2012"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", Model: "WAP121 access point", Version: "1.0.2.3"}},
		"snmp-hp-msm":                  {sig(model.EvidenceSNMPSysDescr, "MSM765 - Hardware revision 2 - Serial number XXXXXXX - Firmware version 6.6.0.0-"), want{Class: model.ClassNetworkInfrastructure, Model: "MSM765", Version: "6.6.0.0"}},
		"snmp-hirschmann":              {sig(model.EvidenceSNMPSysDescr, "Hirschmann BOBCAT"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Hirschmann", Model: "BOBCAT"}},
		"snmp-bdcom":                   {sig(model.EvidenceSNMPSysDescr, "BDCOM(tm) S2524C Software, Version 2.1.0A Build 5721\nCompiled: 2011-11-1 15:57:26 by SYS"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "BDCOM", Model: "S2524C", OS: "network OS (BDCOM) 2.1.0A"}},
		"snmp-enterasys-extreme":       {sig(model.EvidenceSNMPSysDescr, "Extreme Networks, Inc. B5G124-48 Rev 06.81.06.0002"), want{Class: model.ClassNetworkInfrastructure, Model: "B5G124-48", OS: "network OS (Enterasys) 06.81.06.0002"}},
		"snmp-zywall":                  {sig(model.EvidenceSNMPSysDescr, "ZyWALL USG 200"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "ZyXEL", Model: "ZyWALL USG 200"}},
		"snmp-tplink-jetstream":        {sig(model.EvidenceSNMPSysDescr, "JetStream 24-Port Gigabit L2 Managed Switch with 4 Combo SFP Slots"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "TP-Link"}},
		"snmp-fastpath":                {sig(model.EvidenceSNMPSysDescr, "FASTPATH Switching"), want{Class: model.ClassNetworkInfrastructure, OS: "network OS (FASTPATH)"}},
		"snmp-quanta-vxworks":          {sig(model.EvidenceSNMPSysDescr, "LB4M 48x1G 2x10G, 1.1.0.8, VxWorks 6.6"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Quanta", Model: "LB4M", OS: "network OS (Quanta, on VxWorks)"}},
		"snmp-dell-os10":               {sig(model.EvidenceSNMPSysDescr, "Dell EMC Networking OS10 Enterprise"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Dell", OS: "network OS (Dell OS10)"}},
		"snmp-huawei-vrp":              {sig(model.EvidenceSNMPSysDescr, "S5720-12TP-PWR-LI-AC \nHuawei Versatile Routing Platform Software \n VRP (R) software,Version 5.170 (S5720 V200R010C00SPC600) \n Copyright (C) 2007 Huawei Technologies Co., Ltd."), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Huawei", OS: "network OS (Huawei VRP 5.170)"}},
		"snmp-cisco-asa":               {sig(model.EvidenceSNMPSysDescr, "Cisco Adaptive Security Appliance Version 9.16(3)14"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", Model: "ASA", OS: "Cisco ASA 9.16(3)14"}},
		"snmp-samsung-printer":         {sig(model.EvidenceSNMPSysDescr, "Samsung SL-M4072FD; V4.00.02.09 MAY-18-2016;Engine V1.00.13;NIC V4.01.42 MAY-18-2016;S/N ZELLBJAH70000CJ"), want{Class: model.ClassPrinter, Manufacturer: "Samsung", Model: "SL-M4072FD", Version: "4.00.02.09"}},
		"snmp-xerox-workcentre":        {sig(model.EvidenceSNMPSysDescr, "Xerox WorkCentre 4260; System Software Version 30.103.51.000, Main Controller 2.50.03.51"), want{Class: model.ClassPrinter, Manufacturer: "Xerox", Model: "WorkCentre 4260", Version: "30.103.51.000"}},
		"snmp-descr-power":             {sig(model.EvidenceSNMPSysDescr, "Sentry Switched PDU"), want{Class: model.ClassIoT, Model: "power (UPS/PDU) management"}},
		"lldp-arubaos-cx":              {sig(model.EvidenceLLDPSysDesc, "Aruba JL635A  GL.10.04.2000"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "HPE Aruba", Model: "CX (JL635A)", OS: "ArubaOS-CX GL.10.04.2000"}},
		"lldp-vmware-esx":              {sig(model.EvidenceLLDPSysDesc, "VMware ESX Releasebuild-15160138"), want{Class: model.ClassServer, Manufacturer: "VMware", OS: "VMware ESXi"}},
		"lldp-cisco-ap":                {sig(model.EvidenceLLDPSysDesc, "Cisco AP Software, ap1g7-k9w8 Version: 17.9.5.47"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", Model: "access point (ap1g7-k9w8)", Version: "17.9.5.47"}},
		"lldp-polycom-desc":            {sig(model.EvidenceLLDPSysDesc, "Polycom;VVX-VVX_311;3111-48350-001,1;SIP/5.6.0.18519/15-Nov-17 23:08;UP/5.8.0.23953/15-Nov-17 23:29;"), want{Class: model.ClassVoIPPhone, Manufacturer: "Polycom", Model: "VVX_311", Version: "5.6.0.18519"}},
		"snmp-oid-hirschmann":          {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.248.11.2.1.15"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Hirschmann"}},
		"snmp-oid-enterasys":           {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.5624.2.1.136"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Extreme Networks (Enterasys)"}},
		"snmp-oid-zyxel":               {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.890.1.15"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "ZyXEL"}},
		"snmp-oid-tplink":              {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.11863.5.38"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "TP-Link"}},
		"snmp-oid-dell-powerconnect":   {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.674.10895.3017"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Dell", Model: "PowerConnect switch"}},
		"snmp-oid-huawei-switch":       {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.2011.2.23.343"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Huawei", Model: "S-series switch"}},
		"snmp-oid-huawei-ar":           {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.2011.2.224.279"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Huawei", Model: "AR router"}},
		"snmp-oid-brocade":             {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.1588.2.1.3"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Brocade"}},
		"snmp-oid-peplink":             {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.23695"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Peplink"}},
		"snmp-oid-colubris":            {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.8744.1.47"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "HPE (Colubris)"}},
		"snmp-oid-wyse":                {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.714.1.2.6"), want{Class: model.ClassWorkstation, Manufacturer: "Dell Wyse", Model: "thin client"}},
		"snmp-oid-power-cards":         {sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.5491.6"), want{Class: model.ClassIoT, Model: "power (UPS/PDU) management"}},
		"http-ua-tizen-tv":             {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (SMART-TV; Linux; Tizen 2.3) AppleWebkit/538.1 (KHTML, like Gecko) SamsungBrowser/1.0 TV Safari/538.1"), want{Class: model.ClassIoT, Manufacturer: "Samsung", Model: "smart TV (Tizen 2.3)"}},
		"http-ua-webos-tv":             {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.79 Safari/537.36 WebAppManager"), want{Class: model.ClassIoT, Manufacturer: "LG"}},
		"http-ua-tv-platforms":         {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (X11; Linux i686) AppleWebKit/534.24 (KHTML, like Gecko) Chrome/11.0.696.77 Large Screen Safari/534.24 GoogleTV/092754"), want{Class: model.ClassIoT, Model: "TV or streamer"}},
		"http-ua-fire-tv":              {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (Linux; Android 4.2.2; AFTB Build/JDQ39) AppleWebKit/537.22 (KHTML, like Gecko) Chrome/25.0.1364.173 Mobile Safari/537.22"), want{Class: model.ClassIoT, Manufacturer: "Amazon", Model: "Fire TV (AFTB)"}},
		"http-ua-kindle-fire":          {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (Linux; U; en-us; KFTT Build/IML74K) AppleWebKit/535.19 (KHTML, like Gecko) Silk/3.15 Safari/535.19 Silk-Accelerated=true"), want{Class: model.ClassMobile, Manufacturer: "Amazon", Model: "Fire tablet (KFTT)", OS: "Android (Fire OS)"}},
		"http-ua-consoles":             {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0; Xbox)"), want{Class: model.ClassIoT, Model: "games console"}},
		"http-ua-meta-quest":           {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (X11; Linux x86_64; Quest 3) AppleWebKit/537.36 (KHTML, like Gecko) OculusBrowser/39.2.0.0.56.754450099 Chrome/136.0.7103.177 VR Safari/537.36"), want{Class: model.ClassIoT, Manufacturer: "Meta"}},
		"http-ua-ios-first":            {sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (iPhone; U; CPU like Mac OS X; en) AppleWebKit/420+ (KHTML, like Gecko) Version/3.0 Mobile/1A543 Safari/419.3"), want{Class: model.ClassMobile, OS: "iOS", Strength: StrengthOSImplied}},
		"http-ua-cfnetwork-ios":        {sig(model.EvidenceHTTPUserAgent, "MobileSafari/604.1 CFNetwork/976 Darwin/18.2.0"), want{Class: model.ClassMobile, OS: "iOS", Strength: StrengthOSImplied}},
		"http-ua-cfnetwork-macos":      {sig(model.EvidenceHTTPUserAgent, "Safari/14610.4.3.1.7 CFNetwork/978.5 Darwin/18.7.0 (x86_64)"), want{Class: model.ClassWorkstation, OS: "macOS", Strength: StrengthOSImplied}},
		"ssdp-miniupnpd":               {sig(model.EvidenceSSDPServer, "RT-N56U/1.0.1.7f UPnP/1.0 MiniUPnPd/1.6"), want{Class: model.ClassNetworkInfrastructure}},
		"sip-linksys-spa":              {sig(model.EvidenceSIPUserAgent, "Linksys/SPA2102-5.2.3"), want{Class: model.ClassVoIPPhone, Manufacturer: "Linksys", Model: "SPA2102", Version: "5.2.3"}},
		"sip-bria-ios":                 {sig(model.EvidenceSIPUserAgent, "Bria iPhone 1.3.2"), want{Class: model.ClassMobile, OS: "iOS", Strength: StrengthOSImplied}},
		"sip-freepbx":                  {sig(model.EvidenceSIPUserAgent, "FPBX-13.0.11(13.5.0)"), want{Class: model.ClassServer, Model: "FreePBX (Asterisk 13.5.0)", Version: "13.0.11"}},
		"ssh-force10":                  {sig(model.EvidenceSSHServerBanner, "SSH-2.0-SSH_v2.0@force10networks.com"), want{Class: model.ClassNetworkInfrastructure, OS: "network OS (FTOS)"}},
		"snmp-windows-client-build":    {sig(model.EvidenceSNMPSysDescr, "Hardware: Intel64 Family 6 Model 122 Stepping 8 AT/AT COMPATIBLE - Software: Windows Version 6.3 (Build 19043 Multiprocessor Free)"), want{Class: model.ClassWorkstation, OS: "Windows 10 or 11 (build 19043)", Strength: StrengthOSImplied}},
		"snmp-windows-server-2022":     {sig(model.EvidenceSNMPSysDescr, "Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - Software: Windows Version 6.3 (Build 20348 Multiprocessor Free)"), want{Class: model.ClassServer, OS: "Windows Server 2022", Strength: StrengthOSImplied}},
		"snmp-linux-raspberry-pi":      {sig(model.EvidenceSNMPSysDescr, "Linux GenMonTest 6.1.0-rpi4-rpi-v8 #1 SMP PREEMPT Debian 1:6.1.54-1+rpt2 (2023-10-05) aarch64"), want{Class: model.ClassIoT, Manufacturer: "Raspberry Pi", OS: "Linux (Raspberry Pi OS)"}},
		"lldp-juniper-version":         {sig(model.EvidenceLLDPSysDesc, "Juniper Networks, Inc. mx480 , version 12.3R8.7 Build date: 2014-09-19 16:45:07 UTC"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Juniper", Model: "mx480", OS: "Junos", Version: "12.3R8.7"}},
		"snmp-comware-version":         {sig(model.EvidenceSNMPSysDescr, "1920-16G Switch Software Version 5.20.99, Release 1108\nCopyright(c)2010-2015 Hewlett-Packard Development Company, L.P."), want{Class: model.ClassNetworkInfrastructure, OS: "Comware 5.20.99"}},
		"dicom-siemens-syngo-mr":       {withImpl("1.3.12.2.1107.5.2", "MR_VD14A"), want{Class: model.ClassImagingModality, Modality: "MR", Manufacturer: "Siemens Healthineers", Model: "syngo MR", Version: "VD14A"}},
		"hl7-mindray-monitor-query":    {hl7(HL7Fact{Role: model.RoleSender, Application: "MINDRAY_^00A037000000^EUI-64", MessageTypes: []string{"QBP^ZV1"}}), want{Class: model.ClassPatientMonitor, Manufacturer: "Mindray"}},
		"lldp-med-mitel":               {merge(sig(model.EvidenceLLDPMEDManufacturer, "Mitel Corporation"), sig(model.EvidenceLLDPMEDModel, "MITEL 5320 IP")), want{Class: model.ClassVoIPPhone, Manufacturer: "Mitel", Model: "5320"}},
		"http-server-epson-printer":    {sig(model.EvidenceHTTPServer, "EPSON_Linux UPnP/2 Epson UPnP SDK/15565"), want{Class: model.ClassPrinter, Manufacturer: "Epson"}},
		"mdns-synology-model":          {sig(model.EvidenceMDNSTXTModel, "model=RS815+"), want{Class: model.ClassServer, Manufacturer: "Synology", Model: "RS815+ (NAS)"}},
		"sip-cisco-gateway":            {sig(model.EvidenceSIPUserAgent, "Cisco-SIPGateway/IOS-17.6.5"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", OS: "Cisco IOS 17.6.5"}},
		"sip-cisco-cucm":               {sig(model.EvidenceSIPUserAgent, "Cisco-CUCM12.5"), want{Class: model.ClassServer, Manufacturer: "Cisco", Version: "12.5"}},
		"sip-adtran":                   {sig(model.EvidenceSIPUserAgent, "ADTRAN_NetVanta_3140/R13.6.0"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "ADTRAN", Model: "NetVanta_3140"}},
		"sip-tandberg-movi":            {sig(model.EvidenceSIPUserAgent, "TANDBERG/772 (MCX 4.3.12.13351) - Mac OS X"), want{OS: "Mac OS X"}},
		"sip-avaya-vantage":            {sig(model.EvidenceSIPUserAgent, "Avaya Vantage Connect/3.1.1.2 (0001; K175CW0A; 409.0.0)"), want{Class: model.ClassVoIPPhone, Manufacturer: "Avaya", Model: "Vantage K175", OS: "Android"}},
		"ssdp-ua-chrome-windows":       {sig(model.EvidenceSSDPUserAgent, "Google Chrome/120.0.6099.130 Windows"), want{Class: model.ClassWorkstation, OS: "Windows", Strength: StrengthOSImplied}},
		"ssdp-ua-chrome-mac":           {sig(model.EvidenceSSDPUserAgent, "Google Chrome/120.0.6099.129 Mac OS X"), want{Class: model.ClassWorkstation, OS: "macOS", Strength: StrengthOSImplied}},
		"ssdp-ua-chrome-linux":         {sig(model.EvidenceSSDPUserAgent, "Chromium/119.0.6045.199 Linux"), want{OS: "Linux"}},
		"ssdp-ua-upnp-windows":         {sig(model.EvidenceSSDPUserAgent, "Microsoft-Windows/10.0 UPnP/1.0"), want{Class: model.ClassWorkstation, OS: "Windows NT 10.0", Strength: StrengthOSImplied}},
		"ssdp-ua-upnp-linux":           {sig(model.EvidenceSSDPUserAgent, "Linux/5.15.0 UPnP/1.0 GUPnP/1.6.3"), want{OS: "Linux 5.15.0"}},
		"ssdp-printer":                 {sig(model.EvidenceSSDPDeviceType, "urn:schemas-upnp-org:device:Printer:1"), want{Class: model.ClassPrinter, Confidence: 75, Strength: 60}},
		"ssdp-gateway":                 {sig(model.EvidenceSSDPDeviceType, "urn:schemas-upnp-org:device:InternetGatewayDevice:1"), want{Class: model.ClassNetworkInfrastructure, Confidence: 75, Strength: 60}},
		"ssdp-network-devices":         {sig(model.EvidenceSSDPDeviceType, "urn:schemas-wifialliance-org:device:WFADevice:1"), want{Class: model.ClassNetworkInfrastructure, Confidence: 75, Strength: 60}},
		"ssdp-dial-receiver":           {sig(model.EvidenceSSDPDeviceType, "urn:dial-multiscreen-org:device:dial:1"), want{Class: model.ClassIoT, Model: "DIAL media receiver", Confidence: 70, Strength: 60}},
		"ssdp-sonos":                   {sig(model.EvidenceSSDPDeviceType, "urn:schemas-upnp-org:device:ZonePlayer:1"), want{Class: model.ClassIoT, Manufacturer: "Sonos", Model: "ZonePlayer", Confidence: 85, Strength: 60}},
		"ssdp-sonos-server":            {sig(model.EvidenceSSDPServer, "Linux UPnP/1.0 Sonos/78.1-52020 (ZPS13)"), want{Class: model.ClassIoT, Manufacturer: "Sonos", OS: "Linux (Sonos)", Version: "78.1-52020", Confidence: 85, Strength: 80}},
		"ssdp-samsung-tv":              {sig(model.EvidenceSSDPDeviceType, "urn:samsung.com:device:RemoteControlReceiver:1"), want{Class: model.ClassIoT, Manufacturer: "Samsung", Model: "Smart TV", Confidence: 80, Strength: 60}},
		"sip-cisco":                    {sig(model.EvidenceSIPUserAgent, "Cisco-CP8845/14.1.1"), want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco", Model: "CP-8845", Version: "14.1.1", Confidence: 90, Strength: 80}},
		"sip-polycom":                  {sig(model.EvidenceSIPUserAgent, "PolycomVVX-VVX_410-UA/5.9.0.9373"), want{Class: model.ClassVoIPPhone, Manufacturer: "Polycom", Model: "VVX_410", Version: "5.9.0.9373", Confidence: 90, Strength: 80}},
		"sip-yealink":                  {sig(model.EvidenceSIPUserAgent, "Yealink SIP-T46S 66.86.0.15"), want{Class: model.ClassVoIPPhone, Manufacturer: "Yealink", Model: "SIP-T46S", Version: "66.86.0.15", Confidence: 90, Strength: 80}},
		"sip-grandstream":              {sig(model.EvidenceSIPUserAgent, "Grandstream GXP2160 1.0.9.127"), want{Class: model.ClassVoIPPhone, Manufacturer: "Grandstream", Model: "GXP2160", Version: "1.0.9.127", Confidence: 90, Strength: 80}},
		"sip-snom":                     {sig(model.EvidenceSIPUserAgent, "snomD785/10.1.46.16"), want{Class: model.ClassVoIPPhone, Manufacturer: "snom", Model: "D785", Version: "10.1.46.16", Confidence: 90, Strength: 80}},
		"http-ua-yealink":              {sig(model.EvidenceHTTPUserAgent, "Yealink SIP-T23G 44.80.0.60 00:15:65:93:70:f2"), want{Class: model.ClassVoIPPhone, Manufacturer: "Yealink", Model: "SIP-T23G", Version: "44.80.0.60", Confidence: 90, Strength: 80}},
		"http-ua-yealink-vp530":        {sig(model.EvidenceHTTPUserAgent, "VP530P 23.70.0.40 00:15:65:31:4b:c0"), want{Class: model.ClassVoIPPhone, Manufacturer: "Yealink", Model: "VP530P", Version: "23.70.0.40", Confidence: 90, Strength: 80}},
		"http-ua-polycom":              {sig(model.EvidenceHTTPUserAgent, "FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application"), want{Class: model.ClassVoIPPhone, Manufacturer: "Polycom", Model: "VVX_400", Version: "4.1.4.7430", Confidence: 90, Strength: 80}},
		"http-ua-snom":                 {sig(model.EvidenceHTTPUserAgent, "Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12 000413741767)"), want{Class: model.ClassVoIPPhone, Manufacturer: "snom", Model: "710", Version: "8.7.5.35", Confidence: 90, Strength: 80}},
		"http-ua-grandstream":          {sig(model.EvidenceHTTPUserAgent, "Grandstream Model HW GXV3240 V1.6B SW 1.0.1.27 DevId 000b82632815"), want{Class: model.ClassVoIPPhone, Manufacturer: "Grandstream", Model: "GXV3240", Version: "1.0.1.27", Confidence: 90, Strength: 80}},
		"http-ua-cisco-spa":            {sig(model.EvidenceHTTPUserAgent, "Cisco/SPA508G-7.4.8a (0002FDFF2103)(CBT141400UK)"), want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco", Model: "SPA508G", Version: "7.4.8a", Confidence: 90, Strength: 80}},
		"http-ua-aastra":               {sig(model.EvidenceHTTPUserAgent, "Aastra6737i MAC:00-08-5D-30-A6-CE V:3.2.2.6038-SIP"), want{Class: model.ClassVoIPPhone, Manufacturer: "Aastra (Mitel)", Model: "6737i", Version: "3.2.2.6038", Confidence: 90, Strength: 80}},
		"http-ua-mitel":                {sig(model.EvidenceHTTPUserAgent, "Mitel6867i MAC:08-00-0F-AA-BB-CC V:5.1.0.1024-SIP"), want{Class: model.ClassVoIPPhone, Manufacturer: "Mitel", Model: "6867i", Version: "5.1.0.1024", Confidence: 90, Strength: 80}},
		"http-ua-fanvil":               {sig(model.EvidenceHTTPUserAgent, "Fanvil X4 2.10.2.6887 0c383e07e16c"), want{Class: model.ClassVoIPPhone, Manufacturer: "Fanvil", Model: "X4", Version: "2.10.2.6887", Confidence: 90, Strength: 80}},
		"http-ua-gigaset":              {sig(model.EvidenceHTTPUserAgent, "Gigaset N720 DM PRO/70.089.00.000.000;7C2F80CA21E4"), want{Class: model.ClassVoIPPhone, Manufacturer: "Gigaset", Model: "N720 DM PRO", Version: "70.089.00.000.000", Confidence: 85, Strength: 80}},
		"http-ua-htek":                 {sig(model.EvidenceHTTPUserAgent, "Htek UC903 2.0.4.2 00:1f:c1:1c:22:a9"), want{Class: model.ClassVoIPPhone, Manufacturer: "Htek", Model: "UC903", Version: "2.0.4.2", Confidence: 90, Strength: 80}},
		"http-ua-panasonic":            {sig(model.EvidenceHTTPUserAgent, "Panasonic_KX-UT113/01.133 (0080f0c8c381)"), want{Class: model.ClassVoIPPhone, Manufacturer: "Panasonic", Model: "KX-UT113", Version: "01.133", Confidence: 90, Strength: 80}},
		"http-ua-ale-myriad":           {sig(model.EvidenceHTTPUserAgent, "ALE M3-CE 2.11.01.1604 3c28a620089e"), want{Class: model.ClassVoIPPhone, Manufacturer: "Alcatel-Lucent Enterprise", Model: "Myriad M3", Version: "2.11.01.1604", Confidence: 90, Strength: 80}},
		"http-ua-avaya-1200":           {sig(model.EvidenceHTTPUserAgent, "AVAYA/SIP12x0?/04.01.13.00"), want{Class: model.ClassVoIPPhone, Manufacturer: "Avaya", Model: "1200 series IP Deskphone", Version: "04.01.13.00", Confidence: 85, Strength: 80}},
		"http-ua-cisco-mpp":            {sig(model.EvidenceHTTPUserAgent, "Cisco-CP-7832-3PCC/11.0.1 (00562b043615)"), want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco", Model: "CP-7832-3PCC", Version: "11.0.1", Confidence: 90, Strength: 80}},
		"sip-cisco-mpp":                {sig(model.EvidenceSIPUserAgent, "Cisco-CP-8865-3PCC/12.0.3_dcf719f39350_d4e6994b"), want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco", Model: "CP-8865-3PCC", Version: "12.0.3", Confidence: 90, Strength: 80}},
		"sip-avaya-onex":               {sig(model.EvidenceSIPUserAgent, "Avaya one-X Deskphone 7.1.15.1.3 b4475ea2e9a0"), want{Class: model.ClassVoIPPhone, Manufacturer: "Avaya", Model: "one-X Deskphone", Version: "7.1.15.1.3", Confidence: 90, Strength: 80}},
		"sip-avaya-h100":               {sig(model.EvidenceSIPUserAgent, "Avaya H175 Collaboration Station H1xx_SIP-R1_0_2_3_3050.tar"), want{Class: model.ClassVoIPPhone, Manufacturer: "Avaya", Model: "H175", Confidence: 90, Strength: 80}},
		"sip-avaya-aura":               {sig(model.EvidenceSIPUserAgent, "Avaya-SM/7.1.3.0"), want{Class: model.ClassServer, Manufacturer: "Avaya", Model: "Aura SM", Version: "7.1.3.0", Confidence: 85, Strength: 80}},
		"sip-mitel":                    {sig(model.EvidenceSIPUserAgent, "Mitel-6920-SIP/6.4.0.140"), want{Class: model.ClassVoIPPhone, Manufacturer: "Mitel", Model: "6920", Version: "6.4.0.140", Confidence: 90, Strength: 80}},
		"sip-aastra":                   {sig(model.EvidenceSIPUserAgent, "Aastra 51i/2.5.1.41"), want{Class: model.ClassVoIPPhone, Manufacturer: "Aastra (Mitel)", Model: "51i", Version: "2.5.1.41", Confidence: 90, Strength: 80}},
		"sip-fanvil":                   {sig(model.EvidenceSIPUserAgent, "Fanvil X303 2.12.18.9 0c383e63963b"), want{Class: model.ClassVoIPPhone, Manufacturer: "Fanvil", Model: "X303", Version: "2.12.18.9", Confidence: 90, Strength: 80}},
		"ssh-ubuntu":                   {sig(model.EvidenceSSHServerBanner, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1"), want{OS: "Linux (Ubuntu)"}},
		"ssh-debian":                   {sig(model.EvidenceSSHServerBanner, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u1"), want{OS: "Linux (Debian)"}},
		"ssh-windows":                  {sig(model.EvidenceSSHServerBanner, "SSH-2.0-OpenSSH_for_Windows_8.1"), want{OS: "Windows"}},
		"ssh-freebsd":                  {sig(model.EvidenceSSHServerBanner, "SSH-2.0-OpenSSH_9.3 FreeBSD-20230719"), want{OS: "FreeBSD"}},
		"ssh-netbsd":                   {sig(model.EvidenceSSHServerBanner, "SSH-2.0-OpenSSH_9.6 NetBSD_Secure_Shell-20240104-hpn13v14-lpk"), want{OS: "NetBSD"}},
		"ssh-raspbian":                 {sig(model.EvidenceSSHServerBanner, "SSH-2.0-OpenSSH_7.9p1 Raspbian-10+deb10u2+rpt1"), want{OS: "Linux (Raspberry Pi OS)"}},
		"ssh-cisco":                    {sig(model.EvidenceSSHServerBanner, "SSH-2.0-Cisco-1.25"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", OS: "Cisco IOS", Confidence: 80, Strength: 80}},
		"ssh-mikrotik":                 {sig(model.EvidenceSSHServerBanner, "SSH-2.0-ROSSSH"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "MikroTik", OS: "RouterOS", Confidence: 85, Strength: 80}},
		"ssh-dropbear":                 {sig(model.EvidenceSSHServerBanner, "SSH-2.0-dropbear_2020.81"), want{OS: "Linux (embedded)"}},
		"ssh-client-ubuntu":            {sig(model.EvidenceSSHClientBanner, "SSH-2.0-OpenSSH_7.9p1 Ubuntu-10"), want{OS: "Linux (Ubuntu)"}},
		"ssh-client-debian":            {sig(model.EvidenceSSHClientBanner, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6"), want{OS: "Linux (Debian)"}},
		"ssh-client-raspbian":          {sig(model.EvidenceSSHClientBanner, "SSH-2.0-OpenSSH_7.9p1 Raspbian-10+deb10u2+rpt1"), want{OS: "Linux (Raspberry Pi OS)"}},
		"ssh-client-windows":           {sig(model.EvidenceSSHClientBanner, "SSH-2.0-OpenSSH_for_Windows_8.1"), want{OS: "Windows"}},
		"ssh-client-freebsd":           {sig(model.EvidenceSSHClientBanner, "SSH-2.0-OpenSSH_9.3 FreeBSD-20230719"), want{OS: "FreeBSD"}},
		"ssh-client-netbsd":            {sig(model.EvidenceSSHClientBanner, "SSH-2.0-OpenSSH_9.6 NetBSD_Secure_Shell-20240104-hpn13v14-lpk"), want{OS: "NetBSD"}},
		"mdns-printer":                 {sig(model.EvidenceMDNSService, "_ipp._tcp.local"), want{Class: model.ClassPrinter, Confidence: 70, Strength: 60}},
		"mdns-printer-model":           {merge(sig(model.EvidenceMDNSService, "_ipp._tcp.local"), sig(model.EvidenceMDNSTXTModel, "ty=HP LaserJet M404dn")), want{Class: model.ClassPrinter, Model: "HP LaserJet M404dn", Confidence: 70, Strength: 60}},
		"mdns-printer-usb-make":        {sig(model.EvidenceMDNSTXTModel, "usb_MFG=Brother"), want{Class: model.ClassPrinter, Manufacturer: "Brother", Confidence: 70, Strength: 80}},
		"mdns-printer-usb-model":       {sig(model.EvidenceMDNSTXTModel, "usb_MDL=HL-L2350DW series"), want{Class: model.ClassPrinter, Model: "HL-L2350DW series", Confidence: 70, Strength: 80}},
		"mdns-printer-product":         {sig(model.EvidenceMDNSTXTModel, "product=(HP LaserJet MFP M234sdw)"), want{Class: model.ClassPrinter, Model: "HP LaserJet MFP M234sdw", Confidence: 70, Strength: 80}},
		"mdns-apple-model":             {sig(model.EvidenceMDNSTXTModel, "model=MacBookPro18,3"), want{Class: model.ClassWorkstation, Manufacturer: "Apple", Model: "MacBookPro18,3", OS: "macOS", Confidence: 85, Strength: 80}},
		"mdns-apple-mobile-model":      {sig(model.EvidenceMDNSTXTModel, "model=iPhone14,2"), want{Class: model.ClassMobile, Manufacturer: "Apple", Model: "iPhone14,2", OS: "iOS", Confidence: 85, Strength: 80}},
		"mdns-apple-tv-model":          {sig(model.EvidenceMDNSTXTModel, "model=AppleTV11,1"), want{Class: model.ClassIoT, Manufacturer: "Apple", Model: "AppleTV11,1", OS: "embedded (tvOS/audioOS)", Confidence: 85, Strength: 80}},
		"mdns-chromecast":              {sig(model.EvidenceMDNSService, "_googlecast._tcp.local"), want{Class: model.ClassIoT, Manufacturer: "Google", Confidence: 75, Strength: 60}},
		"mdns-apple-tv":                {sig(model.EvidenceMDNSService, "_mediaremotetv._tcp.local"), want{Class: model.ClassIoT, Manufacturer: "Apple", Model: "Apple TV", Confidence: 75, Strength: 60}},
		"mdns-homekit":                 {sig(model.EvidenceMDNSService, "_hap._tcp.local"), want{Class: model.ClassIoT, Confidence: 70, Strength: 60}},
		"mdns-axis-camera":             {sig(model.EvidenceMDNSService, "_axis-video._tcp.local"), want{Class: model.ClassIoT, Manufacturer: "Axis", Model: "network camera", OS: "Linux (AXIS OS)", Confidence: 85, Strength: 60}},
		"mdns-scanner":                 {sig(model.EvidenceMDNSService, "_uscan._tcp.local"), want{Class: model.ClassPrinter, Confidence: 60, Strength: 60}},
		"mdns-hue-bridge":              {sig(model.EvidenceMDNSService, "_hue._tcp.local"), want{Class: model.ClassIoT, Manufacturer: "Signify (Philips Hue)", Model: "Hue Bridge", Confidence: 85, Strength: 60}},
		"mdns-esphome":                 {sig(model.EvidenceMDNSService, "_esphomelib._tcp.local"), want{Class: model.ClassIoT, OS: "embedded (ESPHome)", Confidence: 80, Strength: 60}},
		"mdns-matter-commissionable":   {sig(model.EvidenceMDNSService, "_matterc._udp.local"), want{Class: model.ClassIoT, Confidence: 70, Strength: 60}},
		"mdns-airplay":                 {sig(model.EvidenceMDNSService, "_airplay._tcp.local"), want{Class: model.ClassIoT, Confidence: 55, Strength: 60}},

		// TCP SYN and SYN+ACK signatures (the values seen in netns and the shared captures)
		"tcp-syn-linux":      {sig(model.EvidenceTCPSYNSig, "4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0"), want{OS: "Linux"}},
		"tcp-synack-linux":   {sig(model.EvidenceTCPSYNACKSig, "4:64+0:0:1460:mss*45,10:mss,sok,ts,nop,ws:df:0"), want{OS: "Linux"}},
		"tcp-syn-windows":    {sig(model.EvidenceTCPSYNSig, "4:128+0:0:1260:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0"), want{Class: model.ClassWorkstation, OS: "Windows", Confidence: 55, Strength: StrengthOSImplied}},
		"tcp-synack-windows": {sig(model.EvidenceTCPSYNACKSig, "4:128+0:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0"), want{OS: "Windows"}},
		"tcp-syn-darwin":     {sig(model.EvidenceTCPSYNSig, "4:64+0:0:1460:65535,5:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0"), want{Manufacturer: "Apple", OS: "Darwin (macOS or iOS)"}},
		"tcp-syn-freebsd":    {sig(model.EvidenceTCPSYNSig, "4:64+0:0:1460:65535,6:mss,nop,ws,sok,ts:df,id+:0"), want{OS: "FreeBSD"}},
		"tcp-synack-freebsd": {sig(model.EvidenceTCPSYNACKSig, "4:64+0:0:1460:65535,6:mss,nop,ws,sok,ts:df:0"), want{OS: "FreeBSD"}},
		"tcp-syn-openbsd":    {sig(model.EvidenceTCPSYNSig, "4:64+0:0:1460:16384,6:mss,nop,nop,sok,nop,ws,nop,nop,ts:df,id+:0"), want{OS: "BSD (OpenBSD or an older FreeBSD)"}},
		"tcp-syn-netbsd":     {sig(model.EvidenceTCPSYNSig, "4:64+0:0:1460:32768,3:mss,nop,ws,sok,nop,nop,nop,nop,ts:df,id+:0"), want{OS: "NetBSD"}},
		"tcp-syn-lwip":       {sig(model.EvidenceTCPSYNSig, "4:255+0:0:1152:mss*4,0:mss::0"), want{OS: "embedded (lwIP)"}},
		"tcp-synack-lwip":    {sig(model.EvidenceTCPSYNACKSig, "4:255+0:0:536:mss*4,0:mss::0"), want{OS: "embedded (lwIP)"}},

		// built-in structural rules
		BuiltinVirtualNIC:     {mac(t, "00:50:56"), want{Class: model.ClassVirtualMachine, Manufacturer: "VMware", Confidence: 90, Strength: 90}},
		BuiltinRandomizedMAC:  {mac(t, "da:a1:19"), want{}},
		BuiltinPlaceholderMAC: {mac(t, "00:00:00:00:aa:bb"), want{}},
		BuiltinDICOMModality:  {dicom(scu(sopCT, sopSC, sopSR)), want{Class: model.ClassImagingModality, Modality: "CT", Confidence: 85, Strength: 100}},
		BuiltinDICOMPACS:      {dicom(scp(sopCT, sopMR, sopSR, sopCommit)), want{Class: model.ClassPACS, Confidence: 95, Strength: 100}},
		BuiltinDICOMStorage:   {dicom(scp(sopCT, sopMR, sopUS)), want{Class: model.ClassPACS, Confidence: 50, Strength: 100}},
		BuiltinDICOMQR:        {dicom(scu(sopStudyFind, sopStudyMove)), want{Class: model.ClassDICOMWorkstation, Confidence: 80, Strength: 100}},
		BuiltinDICOMPeer:      {dicom(scu(sopVerify)), want{}},
		BuiltinDICOMVersion:   {withImpl("2.25.1", "DEMOUS_R3"), want{Version: "DEMOUS_R3"}},
		BuiltinHL7EngineAcks:  {hl7(ackFrom("LAB"), ackFrom("ADT"), ackFrom("RIS")), want{Class: model.ClassHL7InterfaceEngine, Confidence: 90, Strength: 100}},
		BuiltinHL7EngineRecvs: {hl7(recvFrom("LAB"), recvFrom("ADT"), recvFrom("RIS")), want{Class: model.ClassHL7InterfaceEngine, Confidence: 75, Strength: 100}},
		BuiltinServesInfra:    {merge(mac(t, "f8:bc:12"), serves(17, 53, "dns", 26), serves(17, 123, "ntp", 41)), want{Class: model.ClassServer, Manufacturer: "Dell", Confidence: 75, Strength: 60}},
		BuiltinServesPrinting: {merge(mac(t, "f8:0d:ac"), serves(6, 9100, "", 4)), want{Class: model.ClassPrinter, Manufacturer: "HP", Confidence: 85, Strength: 60}},
		BuiltinServesMany:     {merge(mac(t, "dc:4a:3e"), serves(6, 443, "https", 10)), want{Class: model.ClassServer, Manufacturer: "HP", Confidence: 50, Strength: StrengthOSImplied}},
		BuiltinMonitorClients: {merge(dhcp(win10Params, "MSFT 5.0", "CENTRAL-MON01"), serves(6, 443, "https", 9), clients(model.ClassPatientMonitor, 9)), want{Class: model.ClassCentralStation, OS: "Windows 10+", Confidence: 86, Strength: 60}},
		BuiltinPumpClients:    {merge(serves(6, 443, "https", 8), clients(model.ClassInfusionPump, 8)), want{Class: model.ClassPumpGateway, Confidence: 75, Strength: 60}},
		BuiltinRoutes:         {merge(mac(t, "00:00:0c"), Facts{RoutedIPs: 40}), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Cisco", Confidence: 86, Strength: 60}},
		BuiltinLLDPMED:        {merge(sig(model.EvidenceLLDPMEDManufacturer, "Polycom"), sig(model.EvidenceLLDPMEDModel, "VVX 410"), sig(model.EvidenceLLDPMEDSoftware, "5.9.0.9373"), sig(model.EvidenceLLDPCapabilities, "telephone")), want{Class: model.ClassVoIPPhone, Manufacturer: "Polycom", Model: "VVX 410", Version: "5.9.0.9373", Confidence: 90, Strength: 80}},
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

// TestDiscoveryCapabilities checks the LLDP and CDP capability rules
// together: a telephone or phone outranks the bridge or switch of its PC
// port, a bridge alone is less sure than a router or an access point, and
// an end station (station only, an LLDP-MED endpoint) is never network
// infrastructure by its capabilities; its own description decides.
func TestDiscoveryCapabilities(t *testing.T) {
	e := defaultEngine(t)
	lldpCaps := func(c string) Facts { return sig(model.EvidenceLLDPCapabilities, c) }
	medClass := func(c string) Facts { return sig(model.EvidenceLLDPMEDClass, c) }
	cdpCaps := func(c string) Facts { return sig(model.EvidenceCDPCapabilities, c) }
	const (
		net   = model.ClassNetworkInfrastructure
		phone = model.ClassVoIPPhone
	)
	checkCases(t, e, []classCase{
		{"LLDP phone with a PC port", lldpCaps("bridge,telephone"), want{Class: phone, Confidence: 90}},
		{"LLDP-MED phone with a PC port", merge(lldpCaps("bridge,telephone"), medClass("endpoint-3")), want{Class: phone, Confidence: 90}},
		{"LLDP phone without a PC port", lldpCaps("telephone"), want{Class: phone, Confidence: 90}},
		{"switch", lldpCaps("bridge"), want{Class: net, Confidence: 70}},
		{"switch with LLDP-MED network connectivity", merge(lldpCaps("bridge"), medClass("network-connectivity")), want{Class: net, Confidence: 70}},
		{"router", lldpCaps("bridge,router"), want{Class: net, Confidence: 85}},
		{"access point", lldpCaps("bridge,wlan-ap"), want{Class: net, Confidence: 85}},
		{"end station with an embedded switch", lldpCaps("bridge,station"), want{}},
		{"LLDP-MED endpoint with an embedded switch", merge(lldpCaps("bridge"), medClass("endpoint-1")), want{}},
		{"LLDP-MED media endpoint that routes", merge(lldpCaps("router"), medClass("endpoint-2")), want{}},
		{"station", lldpCaps("station"), want{}},
		{"PLC with a 2-port switch", merge(lldpCaps("bridge,station"), sig(model.EvidenceLLDPSysDesc, "Siemens, SIMATIC S7, CPU 1214C DC/DC/DC, 6ES7 214-1AG40-0XB0, HW: 5, FW: V4.5.0")),
			want{Class: model.ClassIoT, Manufacturer: "Siemens", Confidence: 85}},
		{"PLC that says bridge only", merge(lldpCaps("bridge"), sig(model.EvidenceLLDPSysDesc, "Siemens, SIMATIC ET200SP, IM155-6PN HF, 6ES7 155-6AU01-0CN0, HW: 2, FW: V4.2.0")),
			want{Class: model.ClassIoT, Manufacturer: "Siemens", Confidence: 85}},
		{"industrial switch", merge(lldpCaps("bridge"), sig(model.EvidenceLLDPSysDesc, "Siemens, SIMATIC NET, SCALANCE X308-2, 6GK5 308-2FL10-2AA3, HW: 5, FW: V04.00.02")),
			want{Class: net, Manufacturer: "Siemens", Model: "SCALANCE X308-2", Confidence: 90}},
		{"CDP phone with a PC port", cdpCaps("host,phone,mac-relay"), want{Class: phone, Manufacturer: "Cisco", Confidence: 90}},
		{"CDP phone that says switch", cdpCaps("switch,phone"), want{Class: phone, Manufacturer: "Cisco", Confidence: 90}},
		{"CDP desktop phone", cdpCaps("host,phone"), want{Class: phone, Manufacturer: "Cisco", Confidence: 90}},
		{"CDP switch", cdpCaps("router,switch,igmp"), want{Class: net, Confidence: 85}},
		{"CDP access point", cdpCaps("trans-bridge"), want{Class: net, Confidence: 85}},
		{"CDP host", cdpCaps("host"), want{}},
	})
}

// TestSelfDescriptionForms checks the SNMP, LLDP and HTTP self-description
// rules on more forms their sources give, and where they must stay out.
func TestSelfDescriptionForms(t *testing.T) {
	e := defaultEngine(t)
	checkCases(t, e, []classCase{
		{"NX-OS 6 banner", sig(model.EvidenceLLDPSysDesc, "Cisco NX-OS(tm) n7000, Software (n7000-s1-dk9), Version 6.2(8), RELEASE SOFTWARE Copyright (c) 2002-2013 by Cisco Systems, Inc."),
			want{Class: model.ClassNetworkInfrastructure, OS: "Cisco NX-OS", Version: "6.2(8)"}},
		{"Net-SNMP on Linux", sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.8072.3.2.10"), want{OS: "Linux"}},
		{"Net-SNMP on macOS", sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.8072.3.2.16"), want{OS: "macOS"}},
		{"another enterprise that starts alike", sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.2530.1"), want{}},
		{"iLO", sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.232.9.4.11"), want{Class: model.ClassServer, Manufacturer: "HPE", Model: "iLO (BMC)", Confidence: 85}},
		{"ProLiant agents", sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.232.1"), want{Class: model.ClassServer, Manufacturer: "HPE", Confidence: 70}},
		{"Dell switch is no Dell server: its PowerConnect branch says switch", sig(model.EvidenceSNMPSysObjectID, "1.3.6.1.4.1.674.10895.3031"), want{Class: model.ClassNetworkInfrastructure, Manufacturer: "Dell"}},
		{"a Linux host named router1", sig(model.EvidenceSNMPSysDescr, "Linux router1 5.10.0-26-amd64 #1 SMP Debian 5.10.197-1 x86_64"), want{OS: "Linux 5.10.0-26-amd64"}},
		{"pfSense with its FreeBSD", sig(model.EvidenceSNMPSysDescr, "pfSense fw.example.org 2.7.2-RELEASE FreeBSD 14.0-CURRENT amd64"),
			want{Class: model.ClassNetworkInfrastructure, Model: "pfSense", OS: "FreeBSD"}},
		{"Android tablet browser", sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"), want{OS: "Android 13"}},
		{"Android phone browser", sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"),
			want{Class: model.ClassMobile, OS: "Android 14", Confidence: 60}},
		{"Axis PoE switch is no camera", sig(model.EvidenceLLDPSysDesc, "AXIS T8508 PoE+ Network Switch 1.2.3"), want{}},
		{"a phone's default name as its CDP device ID", sig(model.EvidenceCDPDeviceID, "SEP00562B043615"), want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco", Strength: StrengthDefaultName}},
		{"a camera's default name as its LLDP system name", sig(model.EvidenceLLDPSysName, "axis-accc8e1a2b3c"), want{Class: model.ClassIoT, Manufacturer: "Axis", Strength: StrengthDefaultName}},
		{"an SNMP sysName's first label", sig(model.EvidenceSNMPSysName, "axis-accc8e1a2b3c.cams.example.org"), want{Class: model.ClassIoT, Manufacturer: "Axis", Strength: StrengthDefaultName}},
		{"an older Brother print server's node name", dhcp("", "", "BRN_31A7C4"), want{Class: model.ClassPrinter, Manufacturer: "Brother", Strength: StrengthDefaultName}},
		{"a Mac that receives AirPlay", merge(sig(model.EvidenceMDNSService, "_airplay._tcp.local"), sig(model.EvidenceMDNSTXTModel, "model=Mac14,2")),
			want{Class: model.ClassWorkstation, Manufacturer: "Apple", OS: "macOS"}},
		{"an MFP that prints and scans", merge(sig(model.EvidenceMDNSService, "_ipp._tcp.local"), sig(model.EvidenceMDNSService, "_uscan._tcp.local")), want{Class: model.ClassPrinter, Confidence: 70}},
		{"Asterisk from its upstream build", sig(model.EvidenceSIPUserAgent, "Asterisk PBX 18.20.0"), want{Class: model.ClassServer, Model: "Asterisk PBX", Version: "18.20.0"}},
	})
}

// TestPhoneUserAgents checks the provisioning User-Agent rules on more of
// the forms their sources quote, and that other clients' User-Agents
// leave them alone.
func TestPhoneUserAgents(t *testing.T) {
	e := defaultEngine(t)
	for _, c := range []struct {
		ua   string
		rule string // "" for none of the phone rules
		w    want
	}{
		{"Yealink W60B 77.83.0.10 80:5e:c0:11:22:33", "http-ua-yealink", want{Class: model.ClassVoIPPhone, Model: "W60B", Version: "77.83.0.10"}},
		{"Yealink SIP VP-T49G 51.80.0.100 00:15:65:11:22:33", "http-ua-yealink", want{Class: model.ClassVoIPPhone, Model: "SIP VP-T49G", Version: "51.80.0.100"}},
		// the BootROM's request: its version is not the phone's firmware
		{"FileTransport PolycomSoundPointIP-SPIP_335-UA/3.2.1.0078", "http-ua-polycom", want{Class: model.ClassVoIPPhone, Model: "SPIP_335"}},
		{"Grandstream Model HW HT801 V1.1A SW 1.0.17.5 DevId c074ad273a10", "http-ua-grandstream", want{Class: model.ClassVoIPPhone, Model: "HT801", Version: "1.0.17.5"}},
		{"Grandstream GXP2000 (gxp2000e.bin:1.2.5.3/boot55e.bin:1.1.6.9) DevId 000b822726c8", "http-ua-grandstream", want{Class: model.ClassVoIPPhone, Model: "GXP2000"}},
		{"Linksys/SPA-942-6.1.5(a) (88019FA42805)", "http-ua-cisco-spa", want{Class: model.ClassVoIPPhone, Manufacturer: "Cisco", Model: "SPA-942", Version: "6.1.5(a)"}},
		{"N510 IP PRO/42.245.00.000.000", "http-ua-gigaset", want{Class: model.ClassVoIPPhone, Model: "N510 IP PRO", Version: "42.245.00.000.000"}},
		{"N720-DM-PRO/70.040.00.000.000", "http-ua-gigaset", want{Class: model.ClassVoIPPhone, Model: "N720-DM-PRO"}},
		{"Maxwell 3 PRO/82.2.18.4-release;7C2F80E61AF4", "http-ua-gigaset", want{Class: model.ClassVoIPPhone, Model: "Maxwell 3 PRO", Version: "82.2.18.4"}},
		{"Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 2010.12-00004-g9ba52f5 000413922D24 SXM:0 UXM:0)", "http-ua-snom", want{Class: model.ClassVoIPPhone, Model: "D785", Version: "10.1.33.33"}},
		// not phones
		{"Grandstream Model HW GWN7610 SW 1.0.15.20 DevId 000b82aabbcc", "", want{}},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "", want{OS: "Linux"}},
		{"curl/8.5.0", "", want{}},
	} {
		t.Run(c.ua, func(t *testing.T) {
			f := sig(model.EvidenceHTTPUserAgent, c.ua)
			got := e.Classify(&f)
			for _, ev := range got.Evidence {
				if strings.HasPrefix(ev.Rule, "http-ua-") && ev.Rule != c.rule && !strings.HasPrefix(ev.Rule, "http-ua-linux") {
					t.Errorf("rule %s fired", ev.Rule)
				}
			}
			if c.rule != "" && !usedRule(got, c.rule) {
				t.Errorf("rule %s did not fire", c.rule)
			}
			check(t, got, c.w)
		})
	}
}

// TestVendorClassForms checks more of the vendor classes the phone and
// access point rules' sources quote.
func TestVendorClassForms(t *testing.T) {
	e := defaultEngine(t)
	for _, c := range []struct {
		vc, rule string
		w        want
	}{
		{"Cisco SPA525g", "dhcp60-cisco-spa", want{Class: model.ClassVoIPPhone, Model: "SPA525g"}},
		{"CISCO ATA190", "dhcp60-cisco-spa", want{Class: model.ClassVoIPPhone, Model: "ATA190"}},
		{"LINKSYS SPA8000", "dhcp60-cisco-spa", want{Class: model.ClassVoIPPhone, Model: "SPA8000"}},
		{"N510_IP_PRO", "dhcp60-gigaset", want{Class: model.ClassVoIPPhone, Manufacturer: "Gigaset", Model: "N510 IP PRO"}},
		{"digium_D70_1_1_0_0_48178", "dhcp60-digium", want{Class: model.ClassVoIPPhone, Model: "D70"}},
		{"Airespace.AP1200", "dhcp60-cisco-ap-legacy", want{Class: model.ClassNetworkInfrastructure, Model: "access point AP1200"}},
		{"Cisco AP.OAP1500", "dhcp60-cisco-ap-legacy", want{Class: model.ClassNetworkInfrastructure, Model: "access point OAP1500"}},
		{"Cisco AP c1130", "dhcp60-cisco-ap", want{Class: model.ClassNetworkInfrastructure, Model: "access point c1130"}},
		// the maker alone: no class
		{"Cisco Systems, Inc.", "dhcp60-cisco-bare", want{Manufacturer: "Cisco"}},
	} {
		t.Run(c.vc, func(t *testing.T) {
			f := dhcp("", c.vc, "")
			got := e.Classify(&f)
			if !usedRule(got, c.rule) {
				t.Errorf("rule %s did not fire; evidence %+v", c.rule, got.Evidence)
			}
			check(t, got, c.w)
		})
	}
}

// TestDefaultNamesWhole checks that the pack's default_name rules take
// only the generated names themselves: a name someone chose that merely
// starts or ends like a default stays weak.
func TestDefaultNamesWhole(t *testing.T) {
	e := defaultEngine(t)
	for _, name := range []string{"Galaxy-Kevin", "DESKTOP-4G7KQ2M-old", "my-raspberrypi", "android-f7ca0f57",
		"OpenWrt2", "idrac-server01", "axis-camera-lobby", "BRN-3rd-floor", "NPI-ward3", "SEP-test", "WIN-SERVER01",
		"LWT-kiosk", "EVO_PR1_lobby", "EPSON-ward3", "IMM-rack4", "shelly-kitchen", "shellyplug", "espressif-lab", "BRN_ward3", "BRN-3rd-floor2", "AVA-lobby", "Tablet001765A0B1C2"} {
		f := dhcp("", "", name)
		got := e.Classify(&f)
		for _, ev := range got.Evidence {
			if ev.Strength == StrengthDefaultName {
				t.Errorf("%q: rule %s took it for a default name", name, ev.Rule)
			}
		}
	}
}

// TestTCPSignatures checks the TCP stack rules on more of the signatures
// their sources give (other hop counts, IPv6, sysctl variants), that other
// stacks' signatures stay out, and that a stack names the kernel: another
// rule's Android, ChromeOS, macOS or iOS is the OS, however weak.
func TestTCPSignatures(t *testing.T) {
	e := defaultEngine(t)
	syn := func(v string) Facts { return sig(model.EvidenceTCPSYNSig, v) }
	const linuxSYN = "4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0"
	const darwinSYN = "4:64+0:0:1460:65535,6:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0"
	checkCases(t, e, []classCase{
		{"Linux three hops away", syn("4:61+3:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0"), want{OS: "Linux"}},
		{"Linux over IPv6", syn("6:64+0:0:1440:mss*45,10:mss,sok,ts,nop,ws:flow:0"), want{OS: "Linux"}},
		{"Linux without timestamps", syn("4:64+0:0:1460:mss*44,7:mss,nop,nop,sok,nop,ws:df,id+:0"), want{OS: "Linux"}},
		{"Linux without SACK", syn("4:64+0:0:1460:mss*44,7:mss,nop,nop,ts,nop,ws:df,id+:0"), want{OS: "Linux"}},
		{"Linux without window scaling", syn("4:64+0:0:1460:mss*44,0:mss,sok,ts:df,id+:0"), want{OS: "Linux"}},
		{"Linux with ECN", syn("4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+,ecn:0"), want{OS: "Linux"}},
		{"Linux 2.6 window", syn("4:64+0:0:1460:mss*4,7:mss,sok,ts,nop,ws:df,id+:0"), want{OS: "Linux"}},
		{"Android phone's SYN", syn("4:64+0:0:1460:65535,8:mss,sok,ts,nop,ws:df,id+:0"), want{OS: "Linux"}},
		{"Windows two hops away", syn("4:126+2:0:1460:mss*44,8:mss,nop,ws,nop,nop,sok:df,id+:0"), want{Class: model.ClassWorkstation, OS: "Windows"}},
		{"Windows 7", syn("4:128+0:0:1460:8192,2:mss,nop,ws,nop,nop,sok:df,id+:0"), want{Class: model.ClassWorkstation, OS: "Windows"}},
		{"Darwin two hops away", syn("4:62+2:0:1460:65535,4:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0"), want{Manufacturer: "Apple", OS: "Darwin (macOS or iOS)"}},
		// not these stacks
		{"Linux's options with an initial TTL of 255 (an appliance's tuning)", syn("4:255+0:0:1440:mss*4,7:mss,sok,ts,nop,ws:df,id+:0"), want{}},
		{"Windows' options with an initial TTL of 64", syn("4:64+0:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0"), want{}},
		{"Darwin's options with an initial TTL of 255", syn("4:255+0:0:1460:65535,1:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0"), want{}},
		{"a SYN that carries data (TCP Fast Open)", syn("4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws,?34:df,id+:+"), want{}},
		{"lwIP's MSS alone with another window", syn("4:255+0:0:536:4128,0:mss:id-:0"), want{}},
		{"lwIP's defaults with DF (another stack)", syn("4:255+0:0:536:mss*4,0:mss:df,id+:0"), want{}},
		{"no options (a synthetic packet)", syn("4:64+0:0:0:8192,0:::0"), want{}},
		{"an older Windows' options", syn("4:128+0:0:1440:mss*44,0:mss,nop,nop,sok:df,id+:0"), want{}},
		// the kernel, then the system
		{"Linux SYN and an Android default name", merge(syn(linuxSYN), dhcp("", "", "android-1c1335ec95a27318")), want{Class: model.ClassMobile, OS: "Android"}},
		{"Linux SYN and an Android vendor class", merge(syn(linuxSYN), dhcp("", "android-dhcp-13", "")), want{Class: model.ClassMobile, OS: "Android 13"}},
		{"Linux SYN and a ChromeOS User-Agent", merge(syn(linuxSYN), sig(model.EvidenceHTTPUserAgent, "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")), want{Class: model.ClassWorkstation, OS: "ChromeOS"}},
		{"Darwin SYN and an iPhone's request list", merge(syn(darwinSYN), dhcp("1,121,3,6,15,119,252", "", "")), want{Class: model.ClassMobile, Manufacturer: "Apple", OS: "iOS"}},
		{"Darwin SYN and a Mac's name", merge(syn(darwinSYN), dhcp("", "", "Kevins-MacBook-Pro")), want{Manufacturer: "Apple", OS: "macOS"}},
		{"Linux SYN and a Windows default name: Linux", merge(syn(linuxSYN), dhcp("", "", "DESKTOP-4G7KQ2M")), want{Class: model.ClassWorkstation, OS: "Linux"}},
	})
}

// TestClientSourceForms checks client rules on the other forms their
// source code gives.
func TestClientSourceForms(t *testing.T) {
	e := defaultEngine(t)
	checkCases(t, e, []classCase{
		{"FreeBSD 10 dhclient (no MTU)", dhcp("1,28,2,121,3,15,6,12,119", "", ""), want{OS: "FreeBSD"}},
		{"VyOS without a default route", dhcp("1,28,6,121,15,26", "", ""), want{Class: model.ClassNetworkInfrastructure, OS: "Linux (VyOS)"}},
		{"wicked with a minimal configuration", dhcp("58,59,1,28,3,6", "", ""), want{OS: "Linux (SUSE wicked)"}},
		{"wicked's INFORM (no 58, 59) is not told", dhcp("1,28,3,6", "", ""), want{}},
		{"Yealink VP530 without the P", sig(model.EvidenceHTTPUserAgent, "VP530 23.70.0.40 00:15:65:31:4b:c0"), want{Class: model.ClassVoIPPhone, Manufacturer: "Yealink", Model: "VP530"}},
		{"a name that merely starts like Android 2's", dhcp("", "", "android_phone"), want{}},
	})
}
