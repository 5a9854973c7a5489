// Package fingerprint classifies devices from what the sensor saw about them:
// the MAC address's registered vendor, DHCP options 55, 60 and 12/81, DICOM
// associations and HL7 v2 messages. It is pure and table-driven (house style
// §2): the tables are YAML rules (configs/fingerprints.yml plus an optional
// directory of site rules) and a few structural rules written in Go, and
// Classify is a deterministic function of the Facts and the loaded rules. It
// performs no I/O after Load and keeps no state between calls, so it is safe
// for concurrent use.
//
// # Taxonomy
//
// Every Result.Class is one of the fixed classes below (Classes lists them in
// this order). The set is closed because it labels Prometheus series
// (wardwatch_assets{device_class}) and drives segmentation policy; site rules
// can map devices onto it but cannot add to it.
//
//	class                   what it is
//	infusion-pump           large-volume, syringe or PCA pump (BD Alaris, Baxter, B. Braun, ICU Medical, ...)
//	pump-gateway            pump fleet server / interoperability gateway (Alaris Systems Manager, ICU Medical MedNet, ...)
//	patient-monitor         bedside or transport vital-signs monitor, pulse oximeter
//	central-station         central monitoring station / surveillance (Philips PIIC, GE CIC, ...)
//	imaging-modality        device that produces images; Modality says which (CT, MR, US, CR, DX, MG, NM, PT, XA, RF)
//	pacs                    image archive: DICOM storage SCP with storage commitment or query/retrieve
//	dicom-workstation       viewer / reading station: queries and retrieves, does not acquire
//	hl7-interface-engine    HL7 v2 integration engine: receives from and acknowledges many applications
//	lab-analyzer            clinical laboratory analyser or its middleware
//	medical-gateway         other clinical device-integration gateway (monitor data to EHR)
//	workstation             general-purpose desktop or laptop computer
//	server                  general-purpose server (HIS/EHR/RIS, directory, ...)
//	printer                 printer or multifunction device, label printer
//	voip-phone              desk or wireless IP phone, clinical communications handset
//	network-infrastructure  switch, router, firewall, wireless access point or controller
//	iot                     embedded non-clinical device (single-board computer, sensor, building system)
//	mobile                  phone or tablet
//	virtual-machine         a hypervisor's virtual NIC (VMware, Hyper-V, KVM/QEMU, Xen, VirtualBox, Parallels)
//	unknown                 nothing matched (the store's default)
//
// # Evidence strength
//
// Each fact source has a fixed strength (the Strength* constants), in this
// order: DICOM and HL7 identifiers (100), a hypervisor's virtual-NIC prefix
// (90), DHCP option 60 vendor class (80), DHCP option 55 parameter list (60),
// DHCP host name (40), the MAC's registered vendor (20). What a device says
// about its application role outranks what its DHCP client says about its
// operating system, which outranks how it is named, which outranks who made
// its network card. A virtual NIC ranks just below the application layer: it
// says what the hardware is (nothing a DHCP client can contradict), while a
// virtual PACS is still a pacs.
//
// A rule's strength is that of its strongest matcher. Classify takes the class
// from the strongest matching rule that sets one; ties go to the higher rule
// confidence, then to the earlier rule (file order, site rules after the
// shipped ones, built-in structural rules last). See Classify for how
// modality, manufacturer, model and OS are filled in, and Better for how the
// store must use Strength and Confidence.
package fingerprint

// Device classes. See the package documentation for what each means.
const (
	ClassInfusionPump          = "infusion-pump"
	ClassPumpGateway           = "pump-gateway"
	ClassPatientMonitor        = "patient-monitor"
	ClassCentralStation        = "central-station"
	ClassImagingModality       = "imaging-modality"
	ClassPACS                  = "pacs"
	ClassDICOMWorkstation      = "dicom-workstation"
	ClassHL7InterfaceEngine    = "hl7-interface-engine"
	ClassLabAnalyzer           = "lab-analyzer"
	ClassMedicalGateway        = "medical-gateway"
	ClassWorkstation           = "workstation"
	ClassServer                = "server"
	ClassPrinter               = "printer"
	ClassVoIPPhone             = "voip-phone"
	ClassNetworkInfrastructure = "network-infrastructure"
	ClassIoT                   = "iot"
	ClassMobile                = "mobile"
	ClassVirtualMachine        = "virtual-machine"
	ClassUnknown               = "unknown"
)

// Classes is the complete taxonomy, in documentation order. Treat it as
// read-only.
var Classes = []string{
	ClassInfusionPump,
	ClassPumpGateway,
	ClassPatientMonitor,
	ClassCentralStation,
	ClassImagingModality,
	ClassPACS,
	ClassDICOMWorkstation,
	ClassHL7InterfaceEngine,
	ClassLabAnalyzer,
	ClassMedicalGateway,
	ClassWorkstation,
	ClassServer,
	ClassPrinter,
	ClassVoIPPhone,
	ClassNetworkInfrastructure,
	ClassIoT,
	ClassMobile,
	ClassVirtualMachine,
	ClassUnknown,
}

// Modalities are the DICOM modality codes (PS3.3 C.7.3.1.1.1) that
// Result.Modality can hold for an imaging-modality. Treat it as read-only.
var Modalities = []string{"CT", "MR", "US", "CR", "DX", "MG", "NM", "PT", "XA", "RF"}

// IsClass reports whether c is one of Classes.
func IsClass(c string) bool {
	for _, k := range Classes {
		if k == c {
			return true
		}
	}
	return false
}

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
	StrengthOUI             = 20  // registered vendor or prefix of the MAC; a randomized MAC
	StrengthHostname        = 40  // DHCP option 12 / 81
	StrengthDHCPParams      = 60  // DHCP option 55 parameter request list
	StrengthDHCPVendorClass = 80  // DHCP option 60 vendor class identifier
	StrengthVirtualNIC      = 90  // a hypervisor's virtual-NIC prefix
	StrengthApplication     = 100 // DICOM and HL7 identifiers and behaviour
)

// Evidence sources (Evidence.Source).
const (
	SourceOUI             = "oui"             // registered vendor (oui_vendor) or MAC prefix (oui_prefix)
	SourceRandomizedMAC   = "mac.randomized"  // locally administered address
	SourceDHCPParams      = "dhcp.opt55"      // parameter request list
	SourceDHCPVendorClass = "dhcp.opt60"      // vendor class identifier
	SourceHostname        = "dhcp.opt12"      // host name (option 12, or 81's domain name)
	SourceDICOMSOPClass   = "dicom.sop_class" // SOP class proposed (scu) or accepted (scp)
	SourceDICOMAETitle    = "dicom.ae_title"  // the asset's own AE title
	SourceDICOMImplVer    = "dicom.impl_version"
	SourceDICOMImplUID    = "dicom.impl_class_uid"
	SourceDICOMCommand    = "dicom.command" // DIMSE command sent
	SourceHL7SendingApp   = "hl7.msh3"      // the asset's application as sender (MSH-3)
	SourceHL7ReceivingApp = "hl7.msh5"      // the asset's application as receiver (MSH-5)
	SourceHL7Peers        = "hl7.peers"     // the applications the asset received from / acknowledged
	SourceHL7MessageType  = "hl7.msh9"      // message type
	SourceHL7Equipment    = "hl7.equipment" // equipment identifiers (OBX-18, PRT-10/16)
)
