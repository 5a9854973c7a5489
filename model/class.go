package model

// Class is a device class: what kind of device an asset is. The set is
// closed (Classes): it labels Prometheus series (wardwatch_assets{class}) and
// drives segmentation policy, so fingerprint rules (shipped and site ones)
// can map devices onto it but cannot add to it.
//
//	class                   what it is
//	infusion-pump           large-volume, syringe or PCA pump (BD Alaris, Baxter, B. Braun, ICU Medical, ...)
//	pump-gateway            pump fleet server / interoperability gateway (Alaris Systems Manager, ICU Medical MedNet, ...)
//	patient-monitor         bedside or transport vital-signs monitor, pulse oximeter
//	central-station         central monitoring station / surveillance (Philips PIIC, GE CIC, ...)
//	imaging-modality        device that produces images; the fingerprint's Modality says which (CT, MR, US, ...)
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
//	unknown                 nothing matched: every asset's class until it is classified
type Class string

// Device classes, in documentation order (see Class).
const (
	ClassInfusionPump          Class = "infusion-pump"
	ClassPumpGateway           Class = "pump-gateway"
	ClassPatientMonitor        Class = "patient-monitor"
	ClassCentralStation        Class = "central-station"
	ClassImagingModality       Class = "imaging-modality"
	ClassPACS                  Class = "pacs"
	ClassDICOMWorkstation      Class = "dicom-workstation"
	ClassHL7InterfaceEngine    Class = "hl7-interface-engine"
	ClassLabAnalyzer           Class = "lab-analyzer"
	ClassMedicalGateway        Class = "medical-gateway"
	ClassWorkstation           Class = "workstation"
	ClassServer                Class = "server"
	ClassPrinter               Class = "printer"
	ClassVoIPPhone             Class = "voip-phone"
	ClassNetworkInfrastructure Class = "network-infrastructure"
	ClassIoT                   Class = "iot"
	ClassMobile                Class = "mobile"
	ClassVirtualMachine        Class = "virtual-machine"
	ClassUnknown               Class = "unknown"
)

// Classes is the complete taxonomy, in documentation order. Treat it as
// read-only.
var Classes = []Class{
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

// Valid reports whether c is one of Classes.
func (c Class) Valid() bool {
	for _, k := range Classes {
		if k == c {
			return true
		}
	}
	return false
}

// ClassNames returns Classes as strings (for enumerations in user-facing
// messages and forms).
func ClassNames() []string {
	s := make([]string, len(Classes))
	for i, c := range Classes {
		s[i] = string(c)
	}
	return s
}

// OrUnknown returns c, or ClassUnknown when c is "" (a device not in the
// inventory, or not loaded with its class).
func (c Class) OrUnknown() Class {
	if c == "" {
		return ClassUnknown
	}
	return c
}
