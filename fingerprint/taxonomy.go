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
// Every Result.Class is one of model.Classes (model.Class documents what each
// class means). The set is closed: site rules can map devices onto it but
// cannot add to it. An imaging-modality also gets a Result.Modality, one of
// Modalities.
//
// # Evidence strength
//
// Each kind of fact (model.EvidenceSource) has a fixed strength (the Strength* constants), in this
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
	StrengthOUI             = 20  // registered vendor or prefix of the MAC; a randomized MAC
	StrengthHostname        = 40  // DHCP option 12 / 81
	StrengthDHCPParams      = 60  // DHCP option 55 parameter request list
	StrengthDHCPVendorClass = 80  // DHCP option 60 vendor class identifier
	StrengthVirtualNIC      = 90  // a hypervisor's virtual-NIC prefix
	StrengthApplication     = 100 // DICOM and HL7 identifiers and behaviour
)
