package fingerprint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The rule file format (configs/fingerprints.yml documents it for users).
type fileYAML struct {
	Version *scalar    `yaml:"version"`
	Rules   []ruleYAML `yaml:"rules"`
}

type ruleYAML struct {
	Name         scalar    `yaml:"name"`
	Description  string    `yaml:"description"`
	Disabled     bool      `yaml:"disabled"`
	Match        matchYAML `yaml:"match"`
	Class        scalar    `yaml:"class"`
	Modality     scalar    `yaml:"modality"`
	Manufacturer scalar    `yaml:"manufacturer"`
	Model        scalar    `yaml:"model"`
	OS           scalar    `yaml:"os"`
	Confidence   scalar    `yaml:"confidence"`
}

type matchYAML struct {
	OUIVendor         scalar  `yaml:"oui_vendor"`
	OUIPrefix         strList `yaml:"oui_prefix"`
	DHCP55            strList `yaml:"dhcp_55"`
	DHCP55Prefix      strList `yaml:"dhcp_55_prefix"`
	DHCP60            scalar  `yaml:"dhcp_60"`
	Hostname          scalar  `yaml:"hostname"`
	DICOMRole         scalar  `yaml:"dicom_role"`
	DICOMSOPClass     strList `yaml:"dicom_sop_class"`
	DICOMAETitle      scalar  `yaml:"dicom_ae_title"`
	DICOMImplVersion  scalar  `yaml:"dicom_impl_version"`
	DICOMImplClassUID strList `yaml:"dicom_impl_class_uid"`
	DICOMCommand      strList `yaml:"dicom_command"`
	HL7Role           scalar  `yaml:"hl7_role"`
	HL7Application    scalar  `yaml:"hl7_application"`
	HL7EquipmentID    scalar  `yaml:"hl7_equipment_id"`
	HL7MessageType    strList `yaml:"hl7_message_type"`
}

// scalar is a string value that remembers its line (0: absent).
type scalar struct {
	Value string
	Line  int
}

func (s *scalar) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, "a string")
	}
	s.Value, s.Line = n.Value, n.Line
	return nil
}

// strList is a string or a list of strings (any of which may match).
type strList struct {
	Values []string
	Line   int
}

func (l *strList) UnmarshalYAML(n *yaml.Node) error {
	l.Line = n.Line
	switch n.Kind {
	case yaml.ScalarNode:
		l.Values = []string{n.Value}
		return nil
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return typeError(c, "a string")
			}
			l.Values = append(l.Values, c.Value)
		}
		if len(l.Values) == 0 {
			return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: empty list", n.Line)}}
		}
		return nil
	}
	return typeError(n, "a string or a list of strings")
}

func typeError(n *yaml.Node, want string) error {
	got := "a mapping"
	if n.Kind == yaml.SequenceNode {
		got = "a list"
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: expected %s, got %s", n.Line, want, got)}}
}

// RuleError is an error in a rule file. File is the name given to Load or
// the path of the user rule file; Line is 0 when unknown; Rule is the rule's
// name when the error is inside a named rule.
type RuleError struct {
	File string
	Line int
	Rule string
	Err  error
}

// Error formats the error as "file: line N: rule "name": message".
func (e *RuleError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	b.WriteString(": ")
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Rule != "" {
		fmt.Fprintf(&b, "rule %q: ", e.Rule)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *RuleError) Unwrap() error { return e.Err }

// parseFile decodes one rule file strictly. It returns the rules in file
// order and, for each, the line of its mapping (for errors about a rule as a
// whole).
func parseFile(data []byte, file string) ([]ruleYAML, []int, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, nil // empty or comments only
		}
		return nil, nil, syntaxError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, nil, syntaxError(file, err)
		}
		return nil, nil, &RuleError{File: file, Line: line, Err: errors.New("more than one YAML document")}
	}
	rulesNode := findRules(&root)

	var f fileYAML
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(&f); err != nil {
		return nil, nil, decodeError(file, rulesNode, err)
	}
	if f.Version != nil && f.Version.Value != "1" {
		return nil, nil, &RuleError{File: file, Line: f.Version.Line,
			Err: fmt.Errorf("unsupported version %q (this build reads version 1)", f.Version.Value)}
	}
	lines := make([]int, len(f.Rules))
	if rulesNode != nil {
		for i := range lines {
			if i < len(rulesNode.Content) {
				lines[i] = rulesNode.Content[i].Line
			}
		}
	}
	return f.Rules, lines, nil
}

// findRules returns the sequence node under the top-level "rules" key.
func findRules(root *yaml.Node) *yaml.Node {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "rules" && n.Content[i+1].Kind == yaml.SequenceNode {
			return n.Content[i+1]
		}
	}
	return nil
}

// ruleAt names the rule whose mapping spans line (by the lines the rules
// start on), or "" when line is outside the rules list.
func ruleAt(rules *yaml.Node, line int) string {
	if rules == nil {
		return ""
	}
	name := ""
	for i, r := range rules.Content {
		if r.Line > line {
			break
		}
		name = "#" + strconv.Itoa(i+1)
		if r.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(r.Content); j += 2 {
				if k, v := r.Content[j], r.Content[j+1]; k.Value == "name" && v.Kind == yaml.ScalarNode && v.Value != "" {
					name = v.Value
				}
			}
		}
	}
	return name
}

// yaml.v3 messages that decodeError rewrites.
var (
	reUnknownKey = regexp.MustCompile(`^line (\d+): field (.+) not found in type \S+?(\w+)$`)
	reDupKey     = regexp.MustCompile(`^line (\d+): mapping key "(.*)" already defined at line (\d+)$`)
	reBadType    = regexp.MustCompile("(?s)^line (\\d+): cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$")
	reLine       = regexp.MustCompile(`(?s)^(?:yaml: )?line (\d+): (.*)$`)
)

// decodeError turns a yaml.v3 decoding error into one RuleError per problem.
func decodeError(file string, rules *yaml.Node, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return syntaxError(file, err)
	}
	errs := make([]error, 0, len(te.Errors))
	for _, msg := range te.Errors {
		line, text := 0, msg
		switch {
		case reUnknownKey.MatchString(msg):
			m := reUnknownKey.FindStringSubmatch(msg)
			line, _ = strconv.Atoi(m[1])
			where := map[string]string{"fileYAML": "at the top level", "ruleYAML": "in rule", "matchYAML": "in match"}[m[3]]
			text = fmt.Sprintf("unknown key %q %s", m[2], where)
		case reDupKey.MatchString(msg):
			m := reDupKey.FindStringSubmatch(msg)
			line, _ = strconv.Atoi(m[1])
			text = fmt.Sprintf("duplicate key %q (first at line %s)", m[2], m[3])
		case reBadType.MatchString(msg):
			m := reBadType.FindStringSubmatch(msg)
			line, _ = strconv.Atoi(m[1])
			want := map[string]string{"bool": "true or false", "[]fingerprint.ruleYAML": "a list of rules",
				"fingerprint.fileYAML": "a mapping", "fingerprint.ruleYAML": "a mapping (one rule)",
				"fingerprint.matchYAML": "a mapping of matchers", "string": "a string"}[m[4]]
			if want == "" {
				want = m[4]
			}
			got := "!!" + m[2]
			if m[3] != "" {
				got = fmt.Sprintf("%q", m[3])
			}
			text = fmt.Sprintf("expected %s, got %s", want, got)
		case reLine.MatchString(msg):
			m := reLine.FindStringSubmatch(msg)
			line, _ = strconv.Atoi(m[1])
			text = m[2]
		}
		errs = append(errs, &RuleError{File: file, Line: line, Rule: ruleAt(rules, line), Err: errors.New(text)})
	}
	return errors.Join(errs...)
}

func syntaxError(file string, err error) error {
	msg := err.Error()
	if m := reLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &RuleError{File: file, Line: line, Err: errors.New(m[2])}
	}
	return &RuleError{File: file, Err: errors.New(strings.TrimPrefix(msg, "yaml: "))}
}
