package model

// The DICOM SOP classes the inventory names (a vocabulary, like the event
// types): the sensor reports UIDs, people read names.

type sopClass struct {
	name     string
	modality string
}

// sopClasses is a small table of the SOP classes most often seen on
// hospital networks; names follow PS3.6 annex A.
var sopClasses = map[string]sopClass{
	"1.2.840.10008.1.1":                {"Verification", ""},
	"1.2.840.10008.5.1.4.1.1.1":        {"Computed Radiography Image Storage", "CR"},
	"1.2.840.10008.5.1.4.1.1.1.1":      {"Digital X-Ray Image Storage - For Presentation", "DX"},
	"1.2.840.10008.5.1.4.1.1.1.1.1":    {"Digital X-Ray Image Storage - For Processing", "DX"},
	"1.2.840.10008.5.1.4.1.1.1.2":      {"Digital Mammography X-Ray Image Storage - For Presentation", "MG"},
	"1.2.840.10008.5.1.4.1.1.1.2.1":    {"Digital Mammography X-Ray Image Storage - For Processing", "MG"},
	"1.2.840.10008.5.1.4.1.1.1.3":      {"Digital Intra-Oral X-Ray Image Storage - For Presentation", "IO"},
	"1.2.840.10008.5.1.4.1.1.1.3.1":    {"Digital Intra-Oral X-Ray Image Storage - For Processing", "IO"},
	"1.2.840.10008.5.1.4.1.1.2":        {"CT Image Storage", "CT"},
	"1.2.840.10008.5.1.4.1.1.2.1":      {"Enhanced CT Image Storage", "CT"},
	"1.2.840.10008.5.1.4.1.1.2.2":      {"Legacy Converted Enhanced CT Image Storage", "CT"},
	"1.2.840.10008.5.1.4.1.1.3.1":      {"Ultrasound Multi-frame Image Storage", "US"},
	"1.2.840.10008.5.1.4.1.1.4":        {"MR Image Storage", "MR"},
	"1.2.840.10008.5.1.4.1.1.4.1":      {"Enhanced MR Image Storage", "MR"},
	"1.2.840.10008.5.1.4.1.1.6.1":      {"Ultrasound Image Storage", "US"},
	"1.2.840.10008.5.1.4.1.1.6.2":      {"Enhanced US Volume Storage", "US"},
	"1.2.840.10008.5.1.4.1.1.7":        {"Secondary Capture Image Storage", ""},
	"1.2.840.10008.5.1.4.1.1.9.1.1":    {"12-lead ECG Waveform Storage", "ECG"},
	"1.2.840.10008.5.1.4.1.1.9.1.2":    {"General ECG Waveform Storage", "ECG"},
	"1.2.840.10008.5.1.4.1.1.11.1":     {"Grayscale Softcopy Presentation State Storage", "PR"},
	"1.2.840.10008.5.1.4.1.1.12.1":     {"X-Ray Angiographic Image Storage", "XA"},
	"1.2.840.10008.5.1.4.1.1.12.1.1":   {"Enhanced XA Image Storage", "XA"},
	"1.2.840.10008.5.1.4.1.1.12.2":     {"X-Ray Radiofluoroscopic Image Storage", "RF"},
	"1.2.840.10008.5.1.4.1.1.12.2.1":   {"Enhanced XRF Image Storage", "RF"},
	"1.2.840.10008.5.1.4.1.1.13.1.3":   {"Breast Tomosynthesis Image Storage", "MG"},
	"1.2.840.10008.5.1.4.1.1.20":       {"Nuclear Medicine Image Storage", "NM"},
	"1.2.840.10008.5.1.4.1.1.66.4":     {"Segmentation Storage", "SEG"},
	"1.2.840.10008.5.1.4.1.1.88.11":    {"Basic Text SR Storage", "SR"},
	"1.2.840.10008.5.1.4.1.1.88.22":    {"Enhanced SR Storage", "SR"},
	"1.2.840.10008.5.1.4.1.1.88.33":    {"Comprehensive SR Storage", "SR"},
	"1.2.840.10008.5.1.4.1.1.88.59":    {"Key Object Selection Document Storage", "KO"},
	"1.2.840.10008.5.1.4.1.1.88.67":    {"X-Ray Radiation Dose SR Storage", "SR"},
	"1.2.840.10008.5.1.4.1.1.104.1":    {"Encapsulated PDF Storage", "DOC"},
	"1.2.840.10008.5.1.4.1.1.128":      {"Positron Emission Tomography Image Storage", "PT"},
	"1.2.840.10008.5.1.4.1.1.130":      {"Enhanced PET Image Storage", "PT"},
	"1.2.840.10008.5.1.4.1.1.481.1":    {"RT Image Storage", "RTIMAGE"},
	"1.2.840.10008.5.1.4.1.1.481.2":    {"RT Dose Storage", "RTDOSE"},
	"1.2.840.10008.5.1.4.1.1.481.3":    {"RT Structure Set Storage", "RTSTRUCT"},
	"1.2.840.10008.5.1.4.1.1.481.5":    {"RT Plan Storage", "RTPLAN"},
	"1.2.840.10008.1.20.1":             {"Storage Commitment Push Model", ""},
	"1.2.840.10008.3.1.2.3.3":          {"Modality Performed Procedure Step", ""},
	"1.2.840.10008.5.1.4.31":           {"Modality Worklist Information Model - FIND", ""},
	"1.2.840.10008.5.1.4.1.2.1.1":      {"Patient Root Query/Retrieve Information Model - FIND", ""},
	"1.2.840.10008.5.1.4.1.2.1.2":      {"Patient Root Query/Retrieve Information Model - MOVE", ""},
	"1.2.840.10008.5.1.4.1.2.1.3":      {"Patient Root Query/Retrieve Information Model - GET", ""},
	"1.2.840.10008.5.1.4.1.2.2.1":      {"Study Root Query/Retrieve Information Model - FIND", ""},
	"1.2.840.10008.5.1.4.1.2.2.2":      {"Study Root Query/Retrieve Information Model - MOVE", ""},
	"1.2.840.10008.5.1.4.1.2.2.3":      {"Study Root Query/Retrieve Information Model - GET", ""},
	"1.2.840.10008.5.1.4.1.2.3.1":      {"Patient/Study Only Query/Retrieve Information Model - FIND (Retired)", ""},
	"1.2.840.10008.5.1.4.1.2.3.2":      {"Patient/Study Only Query/Retrieve Information Model - MOVE (Retired)", ""},
	"1.2.840.10008.5.1.4.1.2.3.3":      {"Patient/Study Only Query/Retrieve Information Model - GET (Retired)", ""},
	"1.2.840.10008.5.1.1.9":            {"Basic Grayscale Print Management Meta", ""},
	"1.2.840.10008.5.1.1.18":           {"Basic Color Print Management Meta", ""},
	"1.2.840.10008.5.1.4.34.6.1":       {"Unified Procedure Step - Push", ""},
	"1.2.840.10008.5.1.4.1.1.77.1.5.1": {"Ophthalmic Photography 8 Bit Image Storage", "OP"},
}

// SOPClassName returns the name of a well-known DICOM SOP class UID, or ""
// if the UID is not in the table.
func SOPClassName(uid string) string { return sopClasses[uid].name }

// SOPClassModality returns the modality (PS3.3 C.7.3.1.1.1 defined term, e.g.
// "CT", "MR", "US") implied by a storage SOP class UID, or "" when the class
// implies none (Secondary Capture, query/retrieve, worklist, ...) or is not
// in the table.
func SOPClassModality(sopClassUID string) string { return sopClasses[sopClassUID].modality }
