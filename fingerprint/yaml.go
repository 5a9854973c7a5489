package fingerprint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wardwatch/wardwatch/configs/yamlerr"
)

// The rule file format (configs/fingerprints.yml documents it for users).
type fileYAML struct {
	Version *scalar    `yaml:"version"`
	Rules   []ruleYAML `yaml:"rules"`
}

type ruleYAML struct {
	Name         scalar            `yaml:"name"`
	Description  string            `yaml:"description"`
	Disabled     bool              `yaml:"disabled"`
	Match        matchYAML         `yaml:"match"`
	Unless       map[string]scalar `yaml:"unless"`
	Class        scalar            `yaml:"class"`
	Modality     scalar            `yaml:"modality"`
	Manufacturer scalar            `yaml:"manufacturer"`
	Model        scalar            `yaml:"model"`
	OS           scalar            `yaml:"os"`
	Version      scalar            `yaml:"version"`
	Confidence   scalar            `yaml:"confidence"`
	Implied      bool              `yaml:"implied"`
	Clinical     bool              `yaml:"clinical"`
	Toolkit      bool              `yaml:"toolkit"`
	DefaultName  bool              `yaml:"default_name"`
	Source       string            `yaml:"source"`
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
	DHCP55Like        strList `yaml:"dhcp_55_like"`
	Serves            strList `yaml:"serves"`

	// Signals holds every other key: the signal matchers (signalKeys),
	// checked by compileRule, which reports any other key as unknown.
	Signals map[string]scalar `yaml:",inline"`
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
			return yamlerr.At(n, "empty list")
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
	return yamlerr.At(n, "expected %s, got %s", want, got)
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
	s := yamlerr.Prefix(e.File, e.Line)
	if e.Rule != "" {
		s += fmt.Sprintf("rule %q: ", e.Rule)
	}
	return s + e.Err.Error()
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
		return nil, nil, syntaxError(data, file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, nil, syntaxError(data, file, err)
		}
		return nil, nil, &RuleError{File: file, Line: line, Err: errors.New("more than one YAML document")}
	}
	rulesNode := findRules(&root)

	var f fileYAML
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(&f); err != nil {
		return nil, nil, decodeError(data, file, rulesNode, err)
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

// decodeError turns a yaml.v3 decoding error into one RuleError per problem.
func decodeError(data []byte, file string, rules *yaml.Node, err error) error {
	problems, ok := yamlerr.Problems(err)
	if !ok {
		return syntaxError(data, file, err)
	}
	errs := make([]error, 0, len(problems))
	for _, p := range problems {
		errs = append(errs, &RuleError{File: file, Line: p.Line, Rule: ruleAt(rules, p.Line), Err: errors.New(problemText(p))})
	}
	return errors.Join(errs...)
}

// problemText words one decoding problem for a rule author.
func problemText(p yamlerr.Problem) string {
	switch p.Kind {
	case yamlerr.UnknownKey:
		typ := p.GoType[strings.LastIndexByte(p.GoType, '.')+1:]
		where := map[string]string{"fileYAML": "at the top level", "ruleYAML": "in rule", "matchYAML": "in match"}[typ]
		return fmt.Sprintf("unknown key %q %s", p.Key, where)
	case yamlerr.DuplicateKey:
		return fmt.Sprintf("duplicate key %q (first at line %d)", p.Key, p.FirstLine)
	case yamlerr.WrongType:
		want := map[string]string{"bool": "true or false", "[]fingerprint.ruleYAML": "a list of rules",
			"fingerprint.fileYAML": "a mapping", "fingerprint.ruleYAML": "a mapping (one rule)",
			"fingerprint.matchYAML": "a mapping of matchers", "string": "a string"}[p.GoType]
		if want == "" {
			want = p.GoType
		}
		got := "!!" + p.Tag
		if p.Value != "" {
			got = fmt.Sprintf("%q", p.Value)
		}
		return fmt.Sprintf("expected %s, got %s", want, got)
	}
	return p.Msg
}

func syntaxError(data []byte, file string, err error) error {
	s := yamlerr.ParseSyntax(data, err)
	return &RuleError{File: file, Line: s.Line, Err: errors.New(s.Msg)}
}
