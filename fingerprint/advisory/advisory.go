// Package advisory matches devices of the inventory to manufacturer security
// advisories published as CSAF 2.0 documents (for example CISA's ICS
// Medical Advisories, ICSMA).
//
//	directory of CSAF JSON files
//	   │ LoadDir: read (size-capped), decode with gocsaf/csaf/v3's document
//	   │ types, check with its Validate and the CSAF 2.0 JSON schema it
//	   │ embeds; every file loads or becomes a LoadError (file + cause)
//	   ▼
//	Set: advisories (id, title, CVEs, highest CVSS v3, remediations with the
//	   │ ports/services/addresses they name) and product leaves (vendor →
//	   │ product name → version or version range), each reduced to canonical
//	   │ vendors, words, model numbers and a parsed version range
//	   ▼
//	Set.Match(asset, identity): canonical vendors of the device (IEEE OUI
//	   organisation, manufacturer, DHCP vendor class, model, host name,
//	   DICOM implementation class UID / version name, HL7 application and
//	   equipment ids) → candidate product leaves of those vendors → model
//	   numbers and words compared field by field → version compared when
//	   both sides parse → verdict "affected" or "possibly affected", always
//	   with the evidence (device field, its value, the advisory text).
//
// Verdicts. A product leaf is "affected" only when the device's model names
// it (its model numbers agree and its words are on the device, or its whole
// name is), the vendor agrees, and the version condition holds: the advisory
// says all versions, or the device's version is known, both versions parse
// and it lies inside the range. Everything weaker that still names the
// product is "possibly affected", with the reasons (no model, matched from
// the DHCP vendor class or host name, model number not confirmed, version
// unknown or not machine-readable, a qualified range). A device without a
// model is never "affected". A device whose version is known and parses and
// lies outside every range of the product is not matched. Vendor strings,
// product names and their spellings are normalised through the alias and
// synonym tables in alias.go; docs/advisories.md describes the rules and
// their limits.
//
// Offline and hostile input: nothing here opens a network connection (the
// JSON schema and its CVSS references are embedded in gocsaf/csaf). A file
// is read up to MaxFileSize; a document that does not decode or validate is
// reported, never half-loaded; every string from a document or a device is
// bounded before it is tokenised, and nothing panics on any input (fuzz
// tests: FuzzLoad, FuzzParseRange).
//
// A Set is immutable after LoadDir and safe for concurrent use; Match
// results are sorted and deterministic.
package advisory

import (
	"time"
)

// Verdict is the outcome of matching a device to an advisory.
type Verdict string

const (
	Affected         Verdict = "affected"
	PossiblyAffected Verdict = "possibly affected"
)

// Severity is the CVSS v3 qualitative severity, lowercase.
type Severity string

const (
	SeverityNone     Severity = "none"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// severityOf maps a CVSS v3 base score to its severity (CVSS v3.1
// specification, table 14).
func severityOf(score float64) Severity {
	switch {
	case score >= 9.0:
		return SeverityCritical
	case score >= 7.0:
		return SeverityHigh
	case score >= 4.0:
		return SeverityMedium
	case score > 0:
		return SeverityLow
	}
	return SeverityNone
}

// Field names the device field evidence comes from. The values follow the
// fingerprint package's evidence sources where one exists.
type Field string

const (
	FieldOUIVendor         Field = "oui"                  // model.Asset.Vendor: IEEE registry organisation
	FieldManufacturer      Field = "manufacturer"         // model.Asset.Manufacturer
	FieldModel             Field = "model"                // model.Asset.Model
	FieldOS                Field = "os"                   // model.Asset.OS
	FieldDHCPVendorClass   Field = "dhcp.opt60"           // model.Asset.DHCPVendorClass
	FieldHostname          Field = "dhcp.opt12"           // model.Asset.Hostname
	FieldDICOMImplClassUID Field = "dicom.impl_class_uid" // Identity.DICOMImplClassUID
	FieldDICOMImplVersion  Field = "dicom.impl_version"   // Identity.DICOMImplVersion
	FieldHL7Application    Field = "hl7.msh3"             // Identity.HL7Applications
	FieldHL7Equipment      Field = "hl7.equipment"        // Identity.HL7EquipmentIDs
	FieldFirmware          Field = "firmware"             // Identity.Firmware
)

// Identity is what the sensor learned about a device beyond model.Asset,
// from its clinical protocols. Every field is optional.
type Identity struct {
	// DICOMImplClassUID and DICOMImplVersion are the device's own DICOM
	// implementation class UID and version name (A-ASSOCIATE).
	DICOMImplClassUID string
	DICOMImplVersion  string
	// HL7Applications are the device's own HL7 application names (MSH-3 of
	// the messages it sent).
	HL7Applications []string
	// HL7EquipmentIDs are equipment identifiers (OBX-18, PRT-10/16) that
	// name this device itself. Ids a gateway reports for the pumps behind it
	// name those pumps, not the gateway: do not pass them for the gateway.
	HL7EquipmentIDs []string
	// Firmware is the device's software or firmware version when known.
	Firmware string
}

// Advisory is one loaded CSAF document, reduced to what matching and
// display need.
type Advisory struct {
	ID       string    `json:"id"`    // document.tracking.id, e.g. "ICSMA-23-194-01"
	Title    string    `json:"title"` // document.title
	File     string    `json:"file"`  // path relative to the loaded directory
	Version  string    `json:"version"`
	Released time.Time `json:"released,omitzero"` // tracking.initial_release_date
	Updated  time.Time `json:"updated,omitzero"`  // tracking.current_release_date
	URL      string    `json:"url,omitempty"`     // the "self" reference
	CVEs     []string  `json:"cves"`              // sorted, unique
	// CVSS is the highest CVSS v3 base score of the document (0 without
	// scores) and Severity its qualitative severity.
	CVSS         float64       `json:"cvss"`
	Severity     Severity      `json:"severity"`
	Products     []Product     `json:"products"`
	Remediations []Remediation `json:"remediations"`

	vulns []vuln
}

// Product is one leaf of the product tree: a vendor, a product name and a
// version or version range, as the advisory writes them.
type Product struct {
	ID       string   `json:"product_id"`
	Vendor   string   `json:"vendor"`            // vendor branch, as written
	Name     string   `json:"name"`              // product_name branch, as written
	Version  string   `json:"version"`           // product_version or product_version_range branch
	FullName string   `json:"full_name"`         // full_product_name.name
	Vendors  []string `json:"canonical_vendors"` // canonical vendors (alias table)
	Readable bool     `json:"version_readable"`  // Version parsed as a version range
	CVEs     []string `json:"cves"`              // CVEs whose product status lists it as affected
	CVSS     float64  `json:"cvss"`              // highest CVSS v3 base score of those
	// Affected: some vulnerability lists the product as known, first or last
	// affected, or none names it in any product status (CISA's trees list
	// the products in scope; icsma-17-215-01 names three of four only in
	// its scores). A product only listed as fixed or not affected is not.
	Affected bool `json:"affected"`

	tok    tokens // name words and model numbers
	altTok tokens // words of an unreadable version text ("Accu-Chek Inform II")
	excl   tokens // "not including ..." part of the name
	rng    versionRange
	osWord []string // the name as an operating-system phrase ("windows xp")
}

// Remediation is one remediation text of the document (deduplicated across
// vulnerabilities), with the ports, services and addresses it names.
type Remediation struct {
	Category   string    `json:"category"` // vendor_fix, mitigation, workaround, no_fix_planned, none_available
	Details    string    `json:"details"`
	URL        string    `json:"url,omitempty"`
	ProductIDs []string  `json:"product_ids,omitempty"` // empty: the whole document
	Mentions   []Mention `json:"mentions,omitempty"`
}

// vuln is what one vulnerability says about products.
type vuln struct {
	cve      string
	cvss     float64            // highest CVSS v3 base score of the vulnerability
	scored   map[string]float64 // highest score per product its scores name
	affected map[string]bool    // known, first or last affected
	notAff   map[string]bool    // fixed, first fixed, known not affected, recommended
}

// LoadError is a document that could not be loaded.
type LoadError struct {
	File string // path relative to the loaded directory (or the directory itself)
	Err  error
}

func (e LoadError) Error() string { return e.File + ": " + e.Err.Error() }
func (e LoadError) Unwrap() error { return e.Err }

// Match is one advisory that names a device.
type Match struct {
	Advisory *Advisory `json:"-"`
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Verdict  Verdict   `json:"verdict"`
	// CVEs, CVSS and Severity cover the vulnerabilities that affect the
	// matched products (the whole document when its product status names
	// none of them).
	CVEs     []string       `json:"cves"`
	CVSS     float64        `json:"cvss"`
	Severity Severity       `json:"severity"`
	Products []ProductMatch `json:"products"`
	// Remediations that apply to the matched products (or to the whole
	// document), with the ports and addresses they name.
	Remediations []Remediation `json:"remediations"`
}

// ProductMatch is one product leaf a device matched, with why.
type ProductMatch struct {
	ProductID string     `json:"product_id"`
	Vendor    string     `json:"vendor"`
	Product   string     `json:"product"`
	Version   string     `json:"version"`
	Verdict   Verdict    `json:"verdict"`
	Evidence  []Evidence `json:"evidence"`
	// Reasons say why the verdict is not "affected" (empty when it is).
	Reasons []string `json:"reasons,omitempty"`
}

// Evidence is one device field that matched one piece of advisory text.
type Evidence struct {
	Field    Field  `json:"field"`    // the device field
	Value    string `json:"value"`    // its value
	Advisory string `json:"advisory"` // the advisory text it matched
	Rule     string `json:"rule"`     // how they matched
}
