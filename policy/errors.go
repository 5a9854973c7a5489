package policy

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// fileError places one problem in the policy file: "name: line N: msg".
type fileError struct {
	name string
	line int // 0 when unknown
	msg  string
}

func (e *fileError) Error() string {
	var b strings.Builder
	if e.name != "" {
		b.WriteString(e.name)
		b.WriteString(": ")
	}
	if e.line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.line)
	}
	b.WriteString(e.msg)
	return b.String()
}

// Line returns the line of the problem, 0 if unknown.
func (e *fileError) Line() int { return e.line }

// tree is the parsed document as yaml.Nodes, used to put names and key
// paths on errors.
type tree struct {
	nodes []located
}

type located struct {
	n    *yaml.Node
	key  *yaml.Node // the mapping key, for mapping values
	path []any      // string keys and int indexes from the top
}

func newTree(data []byte) *tree {
	var doc yaml.Node
	t := &tree{}
	if yaml.Unmarshal(data, &doc) != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return t
	}
	t.walk(doc.Content[0], nil, nil)
	return t
}

func (t *tree) walk(n, key *yaml.Node, path []any) {
	t.nodes = append(t.nodes, located{n: n, key: key, path: path})
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			t.walk(v, k, appendPath(path, k.Value))
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			t.walk(c, nil, appendPath(path, i))
		}
	}
}

func appendPath(p []any, seg any) []any {
	out := make([]any, len(p), len(p)+1)
	copy(out, p)
	return append(out, seg)
}

// find returns the first node satisfying ok, or nil.
func (t *tree) find(ok func(l *located) bool) *located {
	for i := range t.nodes {
		if ok(&t.nodes[i]) {
			return &t.nodes[i]
		}
	}
	return nil
}

// entryLine returns the line of zones[i] or rules[i].
func (t *tree) entryLine(section string, i int) int {
	l := t.find(func(l *located) bool {
		return len(l.path) == 2 && l.path[0] == section && l.path[1] == i
	})
	if l == nil {
		return 0
	}
	return l.n.Line
}

// entryName names zones[i] or rules[i] for a message: `zone "pumps"`, or
// `zones[2]` when it has no usable name.
func (t *tree) entryName(section string, i int) string {
	l := t.find(func(l *located) bool {
		return len(l.path) == 3 && l.path[0] == section && l.path[1] == i && l.path[2] == "name"
	})
	if l != nil && l.n.Kind == yaml.ScalarNode && l.n.Value != "" && l.n.ShortTag() != "!!null" {
		return entryLabel(section, l.n.Value)
	}
	return fmt.Sprintf("%s[%d]", section, i)
}

func entryLabel(section, name string) string {
	if section == "zones" {
		return "zone " + strconv.Quote(name)
	}
	return "rule " + strconv.Quote(name)
}

// context renders where a path is: `zone "pumps": vlans`, `rule "x"`,
// `default`, or "" at the top.
func (t *tree) context(path []any) string {
	if len(path) == 0 {
		return ""
	}
	sec, _ := path[0].(string)
	if (sec == "zones" || sec == "rules") && len(path) >= 2 {
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

// yaml.v3's messages, which decodeError rewrites.
var (
	reUnknownKey = regexp.MustCompile(`^line (\d+): field (.+) not found in type (\S+)$`)
	reDupKey     = regexp.MustCompile(`^line (\d+): mapping key "(.*)" already defined at line (\d+)$`)
	reBadType    = regexp.MustCompile("(?s)^line (\\d+): cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$")
	reOurs       = regexp.MustCompile(`(?s)^line (\d+) col (\d+): (.*)$`)
	reLine       = regexp.MustCompile(`(?s)^(?:yaml: )?line (\d+): (.*)$`)
)

// decodeError turns an error from yaml.v3 into one error per problem, each
// naming the file, the line and the zone, rule or key.
func decodeError(data []byte, name string, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return syntaxError(data, name, err)
	}
	t := newTree(data)
	errs := make([]error, 0, len(te.Errors))
	for _, msg := range te.Errors {
		line, text := t.rewrite(msg)
		errs = append(errs, &fileError{name: name, line: line, msg: text})
	}
	return errors.Join(errs...)
}

func (t *tree) rewrite(msg string) (int, string) {
	if m := reOurs.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		l := t.find(func(l *located) bool { return l.n.Line == line && l.n.Column == col })
		if l == nil {
			return line, m[3]
		}
		return line, withContext(t.context(l.path), m[3])
	}
	if m := reUnknownKey.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		key, goType := m[2], m[3]
		known := topKeys
		switch goType {
		case "policy.rawZone":
			known = zoneKeys
		case "policy.rawRule":
			known = ruleKeys
		}
		text := fmt.Sprintf("unknown key %q (known keys: %s)", key, known)
		l := t.find(func(l *located) bool { return l.key != nil && l.key.Line == line && l.key.Value == key })
		if l == nil || len(l.path) == 1 {
			return line, fmt.Sprintf("unknown key %q at the top level (known keys: %s)", key, known)
		}
		return line, withContext(t.context(l.path[:len(l.path)-1]), text)
	}
	if m := reDupKey.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		key := m[2]
		text := fmt.Sprintf("duplicate key %q (first set at line %s)", key, m[3])
		// The tree holds both entries; the duplicate is the one on line.
		l := t.find(func(l *located) bool { return l.key != nil && l.key.Line == line && l.key.Value == key })
		if l == nil || len(l.path) == 1 {
			return line, text + " at the top level"
		}
		return line, withContext(t.context(l.path[:len(l.path)-1]), text)
	}
	if m := reBadType.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		tag, value, goType := m[2], m[3], m[4]
		want := "a mapping"
		switch goType {
		case "[]policy.rawZone":
			want = "a list of zones"
		case "[]policy.rawRule":
			want = "a list of rules"
		case "policy.rawZone":
			want = "a zone (a mapping with name, vlans, cidrs, ...)"
		case "policy.rawRule":
			want = "a rule (a mapping with name, from, to, services, action)"
		}
		got := "a value"
		switch tag {
		case "seq":
			got = "a list"
		case "map":
			got = "a mapping"
		case "str":
			got = strconv.Quote(value)
		default:
			if value != "" {
				got = value
			}
		}
		l := t.find(func(l *located) bool { return l.n.Line == line && l.n.ShortTag() == "!!"+tag })
		if l == nil || len(l.path) == 0 {
			return line, fmt.Sprintf("expected %s at the top level, got %s", want, got)
		}
		return line, withContext(t.context(l.path), fmt.Sprintf("expected %s, got %s", want, got))
	}
	if m := reLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, m[2]
	}
	return 0, msg
}

// syntaxError rewrites yaml.v3's parser errors ("yaml: line 3: ...").
func syntaxError(data []byte, name string, err error) error {
	msg := err.Error()
	m := reLine.FindStringSubmatch(msg)
	if m == nil {
		return &fileError{name: name, msg: strings.TrimPrefix(msg, "yaml: ")}
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	// yaml.v3 may report a tab on the line before it: report the tab's.
	lines := strings.Split(string(data), "\n")
	for _, l := range []int{line, line + 1} {
		if l < 1 || l > len(lines) {
			continue
		}
		s := lines[l-1]
		indent := s[:len(s)-len(strings.TrimLeft(s, " \t"))]
		if strings.Contains(indent, "\t") {
			return &fileError{name: name, line: l, msg: "tab character used for indentation; YAML indents with spaces only"}
		}
	}
	return &fileError{name: name, line: line, msg: text}
}
