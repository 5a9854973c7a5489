package model

import "testing"

func TestSOPClassTable(t *testing.T) {
	for uid, want := range map[string][2]string{
		"1.2.840.10008.1.1":             {"Verification", ""},
		"1.2.840.10008.5.1.4.1.1.2":     {"CT Image Storage", "CT"},
		"1.2.840.10008.5.1.4.1.1.4":     {"MR Image Storage", "MR"},
		"1.2.840.10008.5.1.4.1.1.6.1":   {"Ultrasound Image Storage", "US"},
		"1.2.840.10008.5.1.4.1.1.1":     {"Computed Radiography Image Storage", "CR"},
		"1.2.840.10008.5.1.4.1.1.1.1":   {"Digital X-Ray Image Storage - For Presentation", "DX"},
		"1.2.840.10008.5.1.4.1.1.1.2":   {"Digital Mammography X-Ray Image Storage - For Presentation", "MG"},
		"1.2.840.10008.5.1.4.1.1.20":    {"Nuclear Medicine Image Storage", "NM"},
		"1.2.840.10008.5.1.4.1.1.128":   {"Positron Emission Tomography Image Storage", "PT"},
		"1.2.840.10008.5.1.4.1.1.12.1":  {"X-Ray Angiographic Image Storage", "XA"},
		"1.2.840.10008.5.1.4.1.1.12.2":  {"X-Ray Radiofluoroscopic Image Storage", "RF"},
		"1.2.840.10008.5.1.4.1.1.7":     {"Secondary Capture Image Storage", ""},
		"1.2.840.10008.1.20.1":          {"Storage Commitment Push Model", ""},
		"1.2.840.10008.5.1.4.1.2.2.2":   {"Study Root Query/Retrieve Information Model - MOVE", ""},
		"1.2.840.10008.5.1.4.1.2.1.3":   {"Patient Root Query/Retrieve Information Model - GET", ""},
		"1.2.840.10008.5.1.4.31":        {"Modality Worklist Information Model - FIND", ""},
		"1.2.840.10008.3.1.2.3.3":       {"Modality Performed Procedure Step", ""},
		"1.2.840.10008.5.1.4.1.1.2.999": {"", ""},
	} {
		if n, m := SOPClassName(uid), SOPClassModality(uid); n != want[0] || m != want[1] {
			t.Errorf("%s: %q %q, want %q", uid, n, m, want)
		}
	}
}
