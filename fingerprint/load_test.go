package fingerprint

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// TestBadRuleFiles pairs each testdata/bad file with the exact error Load
// returns for it (one line per problem).
func TestBadRuleFiles(t *testing.T) {
	tests := map[string][]string{
		"unknown-key.yml":      {`line 5: rule "pump-by-name": unknown key "colour" in match`},
		"unknown-rule-key.yml": {`line 4: rule "printer": unknown key "clas" in rule`},
		"unknown-top-key.yml":  {`line 2: unknown key "rule" at the top level`},
		"bad-regex.yml":        {"line 8: rule \"broken\": dhcp_60: invalid regular expression: error parsing regexp: missing closing ): `^MSFT (5\\.0`"},
		"unknown-class.yml":    {`line 4: rule "alaris": unknown class "infusion_pump" (see model.Classes)`},
		"class-unknown.yml":    {`line 4: rule "nothing": class "unknown" cannot be assigned; leave class out for a rule that only sets manufacturer, model or os`},
		"modality.yml": {
			`line 5: rule "ct-by-name": modality needs class imaging-modality`,
			`line 9: rule "ot-by-name": unknown modality "OT" (one of CT, MR, US, CR, DX, MG, NM, PT, XA, RF)`,
		},
		"confidence.yml": {
			`line 5: rule "zero": confidence: "0" is not an integer 1..100`,
			`line 9: rule "words": confidence: "high" is not an integer 1..100`,
		},
		"missing-name.yml": {`line 2: missing name`},
		"bad-name.yml": {
			`line 2: rule "has space": invalid name: use letters, digits, '.', '_' and '-', starting with a letter or digit`,
			`line 5: rule "builtin/virtual-nic": a built-in rule can only be disabled (disabled: true)`,
		},
		"duplicate-name.yml": {`line 5: rule "twice": duplicate rule name (first at line 2)`},
		"no-matcher.yml": {
			`line 2: rule "empty": match: needs at least one matcher`,
			`line 5: rule "absent": match: needs at least one matcher`,
		},
		"sets-nothing.yml": {`line 2: rule "idle": sets nothing: needs class, or manufacturer, model, os, version or clinical`},
		"values.yml": {
			`line 3: rule "prefix": oui_prefix: "00:50": not a MAC prefix (6 to 12 hex digits)`,
			`line 6: rule "params": dhcp_55: "1,3,x": not a comma-separated list of option codes 0..255`,
			`line 9: rule "params-range": dhcp_55_prefix: "1,300": not a comma-separated list of option codes 0..255`,
			`line 12: rule "uid": dicom_sop_class: "1.2.840..2": not a DICOM UID (digits and dots, at most 64 characters)`,
			`line 15: rule "uid-letters": dicom_impl_class_uid: "GE.1.2": not a DICOM UID (digits and dots, at most 64 characters)`,
			`line 18: rule "command": dicom_command: "C-FETCH-RQ": not a DIMSE command such as C-STORE-RQ or C-FIND-RSP`,
			`line 21: rule "msgtype": hl7_message_type: "ORU^R01^ORU_R01": not an HL7 message type such as "ORU^R01" or "ORU"`,
			`line 24: rule "empty-regex": hostname: empty pattern`,
			`line 27: rule "served": serves: "sctp/80": not a served port such as "udp/53" or "tcp/9100"`,
			`line 30: rule "like": dhcp_55_like: "1,3,x": not a comma-separated list of option codes 0..255`,
			`line 33: rule "signal-key": unknown key "lldp_sysdescr" in match`,
			`line 35: rule "template": model: no matcher of the rule has a group (?P<model>...)`,
		},
		"roles.yml": {
			`line 3: rule "client": dicom_role: "client" is not scu or scp`,
			`line 6: rule "role-alone": dicom_role needs a dicom_* matcher`,
			`line 9: rule "hl7-role-alone": hl7_role needs an hl7_* matcher`,
			`line 12: rule "hl7-bad-role": hl7_role: "client" is not sender or receiver`,
		},
		"duplicate-key.yml": {`line 5: rule "twice": duplicate key "class" (first at line 4)`},
		"syntax.yml":        {`line 2: did not find expected ',' or '}'`},
		"version.yml":       {`line 1: unsupported version "2" (this build reads version 1)`},
		"two-documents.yml": {`line 2: more than one YAML document`},
		"wrong-type.yml": {
			`line 3: rule "list-for-regex": expected a string, got a list`,
			`line 6: rule "match-string": expected a mapping of matchers, got "hostname"`,
			`line 11: rule "bool": expected true or false, got "maybe"`,
		},
		"not-a-list.yml": {`line 2: expected a list of rules, got !!map`},
		"default-name.yml": {
			`line 3: rule "no-dollar": default_name: hostname must be anchored with ^ and $ (a default is a whole name)`,
			`line 7: rule "no-caret": default_name: hostname must be anchored with ^ and $ (a default is a whole name)`,
			`line 11: rule "one-alternative-loose": default_name: hostname must be anchored with ^ and $ (a default is a whole name)`,
			`line 15: rule "multiline": default_name: hostname must be anchored with ^ and $ (a default is a whole name)`,
			`line 21: rule "clinical-class": default_name: a clinical class never comes from a name`,
			`line 22: rule "clinical-flag": default_name: clinical: true never comes from a name`,
			`line 26: rule "no-hostname": default_name: needs a hostname matcher`,
			`line 30: rule "stronger-matcher": default_name: only hostname, oui_vendor and oui_prefix matchers (other evidence ranks by its own strength)`,
			`line 34: rule "other-name": default_name: only hostname, oui_vendor and oui_prefix matchers (other evidence ranks by its own strength)`,
			`line 42: rule "too-confident": default_name: confidence at most 60`,
		},
		"unless.yml": {
			`line 4: rule "not-a-signal": unless: "hostname" is not a signal matcher (only signal keys, like lldp_capabilities, may veto a rule)`,
			"line 8: rule \"bad-regex\": unless: lldp_med_class: invalid regular expression: error parsing regexp: missing closing ): `(endpoint`",
		},
		"toolkit.yml": {
			`line 4: rule "toolkit-class": toolkit: true is for rules without a class (a toolkit does not say what the device is)`,
			`line 6: rule "toolkit-maker": toolkit: sets a model or version, and nothing else (a toolkit names no maker, OS or device kind)`,
			`line 11: rule "toolkit-idle": toolkit: sets a model or version, and nothing else (a toolkit names no maker, OS or device kind)`,
		},
	}
	files, err := filepath.Glob("testdata/bad/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		base := filepath.Base(path)
		if _, ok := tests[base]; !ok {
			t.Errorf("%s has no expected error", path)
		}
	}
	for base, lines := range tests {
		t.Run(base, func(t *testing.T) {
			path := "testdata/bad/" + base
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]string, len(lines))
			for i, l := range lines {
				want[i] = path + ": " + l
			}
			e, err := Load(data, path, "")
			if err == nil {
				t.Fatalf("Load succeeded with %d rules", e.Rules())
			}
			if got := err.Error(); got != strings.Join(want, "\n") {
				t.Errorf("error\n got: %s\nwant: %s", got, strings.Join(want, "\n"))
			}
			var re *RuleError
			if !errors.As(err, &re) || re.File != path || re.Line == 0 {
				t.Errorf("not a *RuleError with file and line: %#v", err)
			}
		})
	}
}

// writeDir creates a site rules directory with the given files.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func loadWith(t *testing.T, dir string) (*Engine, error) {
	t.Helper()
	defaultEngine(t) // reads pack
	return Load(pack, "configs/fingerprints.yml", dir)
}

func TestSiteRules(t *testing.T) {
	base := defaultEngine(t)
	dir := writeDir(t, map[string]string{
		"10-override.yml": `
# B. Braun pumps on this site sit behind a Space station gateway
rules:
  - name: oui-b-braun
    match: {oui_vendor: '^B\.Braun'}
    manufacturer: B. Braun Melsungen
    model: SpaceStation
  - name: oui-hp
    disabled: true
  - {name: builtin/randomized-mac, disabled: true}
`,
		"20-add.yml": `
version: 1
rules:
  - name: site-ward-monitors
    description: ward monitors are named mon-<ward>-<bed> and send the site's vendor class
    match: {hostname: '^mon-[a-z0-9]+-[0-9]+$', dhcp_60: '^WARDMON$'}
    class: patient-monitor
    confidence: 80
  - name: site-ward-names
    description: a name alone is weak, no clinical class from it
    match: {hostname: '^bed-[0-9]+$'}
    class: patient-monitor
    confidence: 90
`,
		"30-empty.yml":      "# nothing yet\n",
		"README.md":         "not a rule file",
		"disabled.yml.orig": "rules: [oops",
		"old.yaml":          "rules: [oops", // only *.yml is read
		"sub/ignored.yml":   "rules: [oops", // nor subdirectories
	})
	e, err := loadWith(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.Rules(), base.Rules()-2+2; got != want {
		t.Errorf("Rules() = %d, want %d", got, want)
	}
	names := e.RuleNames()
	if i, j := slices.Index(names, "oui-b-braun"), slices.Index(base.RuleNames(), "oui-b-braun"); i != j {
		t.Errorf("override moved from %d to %d", j, i)
	}
	if names[len(names)-len(e.builtins)-2] != "site-ward-monitors" {
		t.Errorf("added rule not after the defaults: %v", names)
	}
	if slices.Contains(names, "oui-hp") || slices.Contains(names, BuiltinRandomizedMAC) {
		t.Errorf("disabled rules still in effect: %v", names)
	}

	braun := mac(t, "00:12:21")
	check(t, e.Classify(&braun), want{Manufacturer: "B. Braun Melsungen", Model: "SpaceStation"})
	hp := mac(t, "f8:0d:ac")
	if r := e.Classify(&hp); r.Manufacturer != "" {
		t.Errorf("disabled oui-hp still sets %q", r.Manufacturer)
	}
	random := mac(t, "da:a1:19")
	if r := e.Classify(&random); len(r.Evidence) != 0 {
		t.Errorf("disabled builtin/randomized-mac still flags: %+v", r.Evidence)
	}
	mon := dhcp("", "WARDMON", "mon-icu3-12")
	check(t, e.Classify(&mon), want{Class: model.ClassPatientMonitor, Confidence: 80})
	bed := dhcp("", "", "bed-12")
	check(t, e.Classify(&bed), want{})
	// The shipped engine is unaffected.
	check(t, base.Classify(&braun), want{Manufacturer: "B. Braun"})
}

func TestSiteRuleErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // %s is the directory
	}{
		{"builtin override", map[string]string{"a.yml": "rules:\n  - name: builtin/dicom-pacs\n    match: {hostname: x}\n    class: server\n"},
			`%s/a.yml: line 2: rule "builtin/dicom-pacs": a built-in rule can only be disabled (disabled: true)`},
		{"unknown builtin", map[string]string{"a.yml": "rules:\n  - {name: builtin/nope, disabled: true}\n"},
			`%s/a.yml: line 2: rule "builtin/nope": no such built-in rule`},
		{"disable missing", map[string]string{"a.yml": "rules:\n  - {name: oui-nope, disabled: true}\n"},
			`%s/a.yml: line 2: rule "oui-nope": disables a rule that does not exist`},
		{"two files, same new rule", map[string]string{
			"a.yml": "rules:\n  - {name: mine, match: {hostname: a}, class: server}\n",
			"b.yml": "\nrules:\n  - {name: mine, match: {hostname: b}, class: server}\n"},
			`%s/b.yml: line 3: rule "mine": also defined in %s/a.yml at line 2`},
		{"two files override one default", map[string]string{
			"a.yml": "rules:\n  - {name: oui-hp, disabled: true}\n",
			"b.yml": "rules:\n  - {name: oui-hp, match: {oui_vendor: HP}, class: printer}\n"},
			`%s/b.yml: line 2: rule "oui-hp": also defined in %s/a.yml at line 2`},
		{"bad site file", map[string]string{"pumps.yml": "rules:\n  - name: p\n    match: {hostname: '('}\n    class: infusion-pump\n"},
			"%s/pumps.yml: line 3: rule \"p\": hostname: invalid regular expression: error parsing regexp: missing closing ): `(`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDir(t, tt.files)
			_, err := loadWith(t, dir)
			want := strings.ReplaceAll(tt.want, "%s", dir)
			if err == nil || err.Error() != want {
				t.Errorf("error\n got: %v\nwant: %s", err, want)
			}
		})
	}
	t.Run("missing directory", func(t *testing.T) {
		_, err := loadWith(t, filepath.Join(t.TempDir(), "nope"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("error = %v, want not-exist", err)
		}
	})
}

func TestLoadEdgeCases(t *testing.T) {
	for _, src := range []string{"", "# only comments\n", "rules: []\n", "version: 1\n"} {
		e, err := Load([]byte(src), "x.yml", "")
		if err != nil || e.Rules() != len(builtins()) {
			t.Errorf("Load(%q) = %v, %v", src, e, err)
		}
	}
	// A disabled rule in the default file is dropped; a builtin name there is refused.
	e, err := Load([]byte("rules:\n  - {name: a, disabled: true}\n"), "x.yml", "")
	if err != nil || e.Rules() != len(builtins()) {
		t.Errorf("disabled default rule: %v, %v", e, err)
	}
	_, err = Load([]byte("rules:\n  - {name: builtin/dicom-pacs, disabled: true}\n"), "x.yml", "")
	if err == nil || err.Error() != `x.yml: line 2: rule "builtin/dicom-pacs": built-in rules can only be disabled from a site rule file` {
		t.Errorf("builtin in default file: %v", err)
	}
}

// TestMatcherSemantics exercises each matcher kind's edge cases with small
// inline rule sets.
func TestMatcherSemantics(t *testing.T) {
	e, err := Load([]byte(`
rules:
  - name: prefix-36
    match: {oui_prefix: ['70-B3-D5-4D', '001b.c5']}
    manufacturer: Block 4D
  - name: p55
    match: {dhcp_55_prefix: '1, 3, 6'}
    class: server
  - name: modality-hint
    match: {hostname: '^ct'}
    class: imaging-modality
    modality: CT
    confidence: 10
  - name: worklist
    match: {dicom_sop_class: 1.2.840.10008.5.1.4.31, dicom_ae_title: '^US'}
    class: imaging-modality
    confidence: 90
  - name: cmd
    match: {dicom_command: C-ECHO-RQ, dicom_impl_class_uid: '1.2.3.'}
    os: echo
  - name: msg-code
    match: {hl7_message_type: [MDM, 'ADT^A08']}
    os: hl7-os
  - name: bridge-unless
    match: {lldp_capabilities: bridge}
    unless: {lldp_capabilities: telephone, lldp_med_class: '^endpoint-'}
    class: network-infrastructure
`), "inline.yml", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    Facts
		w    want
		not  bool // the rule must not fire
		rule string
	}{
		{name: "36-bit prefix", f: mac(t, "70:b3:d5:4d:00"), w: want{Manufacturer: "Block 4D"}, rule: "prefix-36"},
		{name: "36-bit prefix, next block", f: mac(t, "70:b3:d5:4e:00"), w: want{}, not: true, rule: "prefix-36"},
		{name: "second prefix", f: mac(t, "00:1b:c5"), w: want{Manufacturer: "Block 4D"}, rule: "prefix-36"},
		{name: "55 prefix whole options", f: dhcp("1,3,6,15", "", ""), w: want{Class: model.ClassServer}, rule: "p55"},
		{name: "55 prefix exact", f: dhcp("1,3,6", "", ""), w: want{Class: model.ClassServer}, rule: "p55"},
		{name: "55 prefix not mid-option", f: dhcp("1,3,61", "", ""), not: true, rule: "p55"},
		{name: "modality from a weaker imaging rule",
			f: merge(dhcp("", "", "ct-room2"), dicom(DICOMFact{Role: model.RoleSCU, AETitle: "US1", SOPClasses: []string{sopMWL}})),
			// the weak host name agrees and raises the confidence from 90
			w: want{Class: model.ClassImagingModality, Modality: "CT", Confidence: 91}, rule: "worklist"},
		{name: "dicom matchers need the same association",
			f:   dicom(DICOMFact{Role: model.RoleSCU, AETitle: "US1", SOPClasses: []string{sopVerify}}, DICOMFact{Role: model.RoleSCU, AETitle: "CT1", SOPClasses: []string{sopMWL}}),
			not: true, rule: "worklist"},
		{name: "command with SOP class, UID prefix with trailing dot",
			f: dicom(DICOMFact{Role: model.RoleSCU, ImplClassUID: "1.2.3.4", Commands: []model.DICOMCommand{cmd("C-ECHO-RQ", "1.2.840.10008.1.1")}}),
			w: want{OS: "echo"}, rule: "cmd"},
		{name: "UID prefix is whole components",
			f:   dicom(DICOMFact{Role: model.RoleSCU, ImplClassUID: "1.2.34", Commands: []model.DICOMCommand{cmd("C-ECHO-RQ", "")}}),
			not: true, rule: "cmd"},
		{name: "message code only", f: hl7(HL7Fact{Role: model.RoleSender, MessageTypes: []string{"MDM^T02^MDM_T01"}}), w: want{OS: "hl7-os"}, rule: "msg-code"},
		{name: "message code and trigger", f: hl7(HL7Fact{Role: model.RoleSender, MessageTypes: []string{"ADT^A08"}}), w: want{OS: "hl7-os"}, rule: "msg-code"},
		{name: "other trigger", f: hl7(HL7Fact{Role: model.RoleSender, MessageTypes: []string{"ADT^A01"}}), not: true, rule: "msg-code"},
		{name: "unless absent", f: sig(model.EvidenceLLDPCapabilities, "bridge"), w: want{Class: model.ClassNetworkInfrastructure}, rule: "bridge-unless"},
		{name: "unless on the same signal", f: sig(model.EvidenceLLDPCapabilities, "bridge,telephone"), not: true, rule: "bridge-unless"},
		{name: "unless on another signal", f: merge(sig(model.EvidenceLLDPCapabilities, "bridge"), sig(model.EvidenceLLDPMEDClass, "endpoint-3")), not: true, rule: "bridge-unless"},
		{name: "unless not matching", f: merge(sig(model.EvidenceLLDPCapabilities, "bridge"), sig(model.EvidenceLLDPMEDClass, "network-connectivity")), w: want{Class: model.ClassNetworkInfrastructure}, rule: "bridge-unless"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.Classify(&tt.f)
			if fired := usedRule(got, tt.rule); fired == tt.not {
				t.Errorf("rule %s fired = %v; evidence %+v", tt.rule, fired, got.Evidence)
			}
			if !tt.not {
				check(t, got, tt.w)
			}
		})
	}
}

// FuzzLoad: Load never panics, and what it accepts classifies without
// panicking.
func FuzzLoad(f *testing.F) {
	if data, err := os.ReadFile(packPath); err == nil {
		f.Add(data)
	}
	files, _ := filepath.Glob("testdata/bad/*.yml")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Load(data, "fuzz.yml", "")
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("not a *RuleError: %v", err)
			}
			return
		}
		facts := Facts{Hostname: string(data), DHCPVendorClass: string(data), DHCPParamList: "1,3,6",
			DICOM: []DICOMFact{{Role: model.RoleSCU, AETitle: string(data)}}, HL7: []HL7Fact{{Role: model.RoleSender, Application: string(data)}},
			Signals: []Signal{{Source: model.EvidenceLLDPSysDesc, Value: string(data)}, {Source: model.EvidenceNBNSName, Value: string(data)}},
			Served:  []Served{{Proto: 17, Port: 53, Clients: 3}}, Clients: []ClassCount{{Proto: 6, Port: 443, Class: model.ClassPatientMonitor, Count: 2}}}
		r := e.Classify(&facts)
		if !r.Class.Valid() {
			t.Fatalf("class %q", r.Class)
		}
	})
}
