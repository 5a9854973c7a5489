package policy

import (
	"gopkg.in/yaml.v3"

	"github.com/wardwatch/wardwatch/configs/yamlerr"
)

// The raw types mirror the file. Every leaf is a scalar or a list of
// scalars that remembers its line, so validation errors can point at the
// offending value. Containers (the document, zones, rules) are plain
// structs, so the decoder's KnownFields(true) still rejects unknown keys in
// them: a node-style UnmarshalYAML would lose that strictness.

type rawPolicy struct {
	Zones           []rawZone     `yaml:"zones"`
	Rules           []rawRule     `yaml:"rules"`
	Default         scalar        `yaml:"default"`
	DefaultSeverity scalar        `yaml:"default_severity"`
	Critical        []rawCritical `yaml:"critical"` // critical.go
	// MaintenanceWindows: maintenance.go.
	MaintenanceWindows []rawWindow `yaml:"maintenance_windows"`
}

type rawZone struct {
	Name        scalar  `yaml:"name"`
	Description scalar  `yaml:"description"`
	VLANs       scalars `yaml:"vlans"`
	CIDRs       scalars `yaml:"cidrs"`
	Classes     scalars `yaml:"classes"`
	MACs        scalars `yaml:"macs"`
	AETitles    scalars `yaml:"ae_titles"`
}

var zoneKeys = "name, description, vlans, cidrs, classes, macs, ae_titles"

type rawRule struct {
	Name        scalar  `yaml:"name"`
	Description scalar  `yaml:"description"`
	From        scalars `yaml:"from"`
	To          scalars `yaml:"to"`
	Services    scalars `yaml:"services"`
	Action      scalar  `yaml:"action"`
	Severity    scalar  `yaml:"severity"`
}

var ruleKeys = "name, description, from, to, services, action, severity"

var topKeys = "zones, rules, default, default_severity, critical, maintenance_windows"

// scalar is one scalar value and where it was. A null (or absent) value is
// unset.
type scalar struct {
	v    string
	tag  string // YAML short tag: !!str, !!int, ...
	line int
	col  int
	set  bool
}

func (s *scalar) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode {
		return yamlerr.At(n, "expected a single value, got %s", kindName(n))
	}
	*s = scalar{v: n.Value, tag: n.ShortTag(), line: n.Line, col: n.Column, set: n.ShortTag() != "!!null"}
	if !s.set {
		s.v = ""
	}
	return nil
}

// scalars is a list of scalars. A single scalar is accepted as a list of
// one, and null as the empty list.
type scalars []scalar

func (l *scalars) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.ScalarNode:
		var s scalar
		if err := s.UnmarshalYAML(n); err != nil {
			return err
		}
		*l = nil
		if s.set {
			*l = scalars{s}
		}
		return nil
	case yaml.SequenceNode:
		out := make(scalars, 0, len(n.Content))
		var errs []string
		for _, c := range n.Content {
			var s scalar
			if err := s.UnmarshalYAML(c); err != nil {
				errs = append(errs, err.(*yaml.TypeError).Errors...)
				continue
			}
			out = append(out, s)
		}
		if errs != nil {
			return &yaml.TypeError{Errors: errs}
		}
		*l = out
		return nil
	}
	return yamlerr.At(n, "expected a value or a list of values, got %s", kindName(n))
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a value"
}
