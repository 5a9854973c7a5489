package policy

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/wardwatch/wardwatch/configs/yamlerr"
	"gopkg.in/yaml.v3"
)

// tree is the parsed document, used to put zone and rule names and key
// paths on errors.
type tree struct{ *yamlerr.Tree }

func newTree(data []byte) tree { return tree{yamlerr.NewTree(data)} }

// entry returns the node at section[i] (and below it, at key), or nil.
func (t tree) entry(section string, i int, key ...any) *yamlerr.Node {
	return t.Lookup(append([]any{section, i}, key...))
}

// entryLine returns the line of zones[i] or rules[i].
func (t tree) entryLine(section string, i int) int {
	if n := t.entry(section, i); n != nil {
		return n.N.Line
	}
	return 0
}

// entryName names zones[i] or rules[i] for a message: `zone "pumps"`, or
// `zones[2]` when it has no usable name.
func (t tree) entryName(section string, i int) string {
	n := t.entry(section, i, "name")
	if n != nil && n.N.Kind == yaml.ScalarNode && n.N.Value != "" && n.N.ShortTag() != "!!null" {
		return entryLabel(section, n.N.Value)
	}
	return fmt.Sprintf("%s[%d]", section, i)
}

func entryLabel(section, name string) string {
	if section == "critical" {
		return "critical " + strconv.Quote(name)
	}
	if section == "zones" {
		return "zone " + strconv.Quote(name)
	}
	return "rule " + strconv.Quote(name)
}

// context renders where a path is: `zone "pumps": vlans`, `rule "x"`,
// `default`, or "" at the top.
func (t tree) context(path []any) string {
	if len(path) == 0 {
		return ""
	}
	sec, _ := path[0].(string)
	if (sec == "zones" || sec == "rules" || sec == "critical") && len(path) >= 2 {
		i, _ := path[1].(int)
		s := t.entryName(sec, i)
		if len(path) >= 3 {
			s += ": " + fmt.Sprint(path[2])
		}
		return s
	}
	return fmt.Sprint(path[0])
}

func withContext(ctx, msg string) string {
	if ctx == "" {
		return msg
	}
	return ctx + ": " + msg
}

// decodeError turns an error from yaml.v3 into one error per problem, each
// naming the file, the line and the zone, rule or key.
func decodeError(data []byte, name string, err error) error {
	problems, ok := yamlerr.Problems(err)
	if !ok {
		s := yamlerr.ParseSyntax(data, err)
		return yamlerr.New(name, s.Line, errors.New(s.Msg))
	}
	t := newTree(data)
	errs := make([]error, 0, len(problems))
	for _, p := range problems {
		errs = append(errs, yamlerr.New(name, p.Line, errors.New(t.problemText(p))))
	}
	return errors.Join(errs...)
}

// problemText words one decoding problem for a policy author.
func (t tree) problemText(p yamlerr.Problem) string {
	switch p.Kind {
	case yamlerr.UnknownKey:
		known := topKeys
		switch p.GoType {
		case "policy.rawZone":
			known = zoneKeys
		case "policy.rawRule":
			known = ruleKeys
		case "policy.rawCritical":
			known = criticalKeys
		case "policy.rawWindow":
			known = windowKeys
		case "policy.rawWeekly":
			known = "days, from, to"
		case "policy.rawDates":
			known = "from, to"
		}
		n := t.KeyAt(p.Line, p.Key)
		if n == nil || len(n.Path) == 1 {
			return fmt.Sprintf("unknown key %q at the top level (known keys: %s)", p.Key, known)
		}
		return withContext(t.context(n.Path[:len(n.Path)-1]), fmt.Sprintf("unknown key %q (known keys: %s)", p.Key, known))
	case yamlerr.DuplicateKey:
		text := fmt.Sprintf("duplicate key %q (first set at line %d)", p.Key, p.FirstLine)
		// The tree holds both entries; the duplicate is the one on the line.
		n := t.KeyAt(p.Line, p.Key)
		if n == nil || len(n.Path) == 1 {
			return text + " at the top level"
		}
		return withContext(t.context(n.Path[:len(n.Path)-1]), text)
	case yamlerr.WrongType:
		want, got := wantedType(p.GoType), gotValue(p)
		n := t.ValueOf(p)
		if n == nil || len(n.Path) == 0 {
			return fmt.Sprintf("expected %s at the top level, got %s", want, got)
		}
		return withContext(t.context(n.Path), fmt.Sprintf("expected %s, got %s", want, got))
	}
	if p.Col > 0 { // from yamlerr.At in raw.go
		if n := t.At(p.Line, p.Col); n != nil {
			return withContext(t.context(n.Path), p.Msg)
		}
	}
	return p.Msg
}

// wantedType names the Go type a value did not decode into.
func wantedType(goType string) string {
	switch goType {
	case "[]policy.rawZone":
		return "a list of zones"
	case "[]policy.rawRule":
		return "a list of rules"
	case "policy.rawZone":
		return "a zone (a mapping with name, vlans, cidrs, ...)"
	case "policy.rawRule":
		return "a rule (a mapping with name, from, to, services, action)"
	case "[]policy.rawCritical":
		return "a list of critical entries"
	case "policy.rawCritical":
		return "a critical entry (a mapping with name, classes, zones, macs, every)"
	}
	return "a mapping"
}

// gotValue renders the value of a WrongType problem.
func gotValue(p yamlerr.Problem) string {
	switch p.Tag {
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	case "str":
		return strconv.Quote(p.Value)
	}
	if p.Value != "" {
		return p.Value
	}
	return "a value"
}
