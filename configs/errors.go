package configs

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// fileError places an error in the config file: "name: line N: err".
type fileError struct {
	name string
	line int // 0 when unknown
	err  error
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
	b.WriteString(e.err.Error())
	return b.String()
}

func (e *fileError) Unwrap() error { return e.err }

// yaml.v3's messages, which decodeError rewrites.
var (
	reUnknownKey = regexp.MustCompile(`^line (\d+): field (.+) not found in type \S+$`)
	reDupKey     = regexp.MustCompile(`^line (\d+): mapping key "(.*)" already defined at line (\d+)$`)
	reBadType    = regexp.MustCompile("(?s)^line (\\d+): cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$")
	reLine       = regexp.MustCompile(`(?s)^(?:yaml: )?line (\d+): (.*)$`)
)

// decodeError turns an error from yaml.v3 into one error per problem, each
// naming the file, the line and the key path.
func decodeError(data []byte, name string, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return syntaxError(data, name, err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root) // it decoded once already; only used to find keys
	errs := make([]error, 0, len(te.Errors))
	for _, msg := range te.Errors {
		errs = append(errs, rewriteTypeError(&root, name, msg))
	}
	return errors.Join(errs...)
}

func rewriteTypeError(root *yaml.Node, name, msg string) error {
	if m := reUnknownKey.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		key := m[2]
		where := "at the top level"
		walk(root, "", func(n *yaml.Node, _ string, key2 *yaml.Node, parent string) bool {
			if key2 != nil && key2.Line == line && key2.Value == key {
				if parent != "" {
					where = "in " + parent
				}
				return true
			}
			return false
		})
		return &fileError{name: name, line: line, err: fmt.Errorf("unknown key %q %s", key, where)}
	}
	if m := reDupKey.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		key := m[2]
		where := "at the top level"
		walk(root, "", func(n *yaml.Node, _ string, key2 *yaml.Node, parent string) bool {
			if key2 != nil && key2.Line == line && key2.Value == key {
				if parent != "" {
					where = "in " + parent
				}
				return true
			}
			return false
		})
		return &fileError{name: name, line: line,
			err: fmt.Errorf("duplicate key %q %s (first set at line %s)", key, where, m[3])}
	}
	if m := reBadType.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		tag, value, goType := m[2], m[3], m[4]
		want := describeType(goType)
		var path string
		var found *yaml.Node
		walk(root, "", func(n *yaml.Node, p string, _ *yaml.Node, _ string) bool {
			if n.Line == line && nodeMatches(n, tag, value) {
				path, found = p, n
				return true
			}
			return false
		})
		got := describeNode(found, tag, value)
		if goType == "time.Duration" && (tag == "int" || tag == "float") {
			got += " (a unit is required)"
		}
		if path == "" {
			return &fileError{name: name, line: line,
				err: fmt.Errorf("expected %s at the top level, got %s", want, got)}
		}
		return &fileError{name: name, line: line, err: fmt.Errorf("%s: expected %s, got %s", path, want, got)}
	}
	if m := reLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &fileError{name: name, line: line, err: errors.New(m[2])}
	}
	return &fileError{name: name, err: errors.New(msg)}
}

// syntaxError rewrites yaml.v3's parser errors ("yaml: line 3: ...").
func syntaxError(data []byte, name string, err error) error {
	msg := err.Error()
	m := reLine.FindStringSubmatch(msg)
	if m == nil {
		return &fileError{name: name, err: errors.New(strings.TrimPrefix(msg, "yaml: "))}
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	// yaml.v3 reports a tab in the indentation on the line before it:
	// look at the reported line and the next one.
	if lines := strings.Split(string(data), "\n"); line >= 1 && line <= len(lines) {
		for _, n := range []int{line, line + 1} {
			if n > len(lines) {
				break
			}
			l := lines[n-1]
			rest := strings.TrimLeft(l, " \t")
			indent := l[:len(l)-len(rest)]
			if strings.Contains(indent, "\t") {
				line = n
				key, _, _ := strings.Cut(rest, ":")
				key = strings.TrimSpace(strings.TrimPrefix(key, "- "))
				if key != "" {
					text = fmt.Sprintf("tab character used for indentation of %q; YAML indents with spaces only", key)
				} else {
					text = "tab character used for indentation; YAML indents with spaces only"
				}
				break
			}
		}
	}
	return &fileError{name: name, line: line, err: errors.New(text)}
}

// locateValidation adds the file name and, where the key is in the file,
// its line to each *ValidationError.
func locateValidation(data []byte, name string, err error) error {
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	out := make([]error, 0, len(list))
	for _, e := range list {
		line := 0
		var ve *ValidationError
		if errors.As(e, &ve) {
			line = lineOf(&root, ve.Path)
		}
		out = append(out, &fileError{name: name, line: line, err: e})
	}
	return errors.Join(out...)
}

// lineOf returns the line of the deepest key of path ("a.b[2].c") present in
// the document, or 0 if not even the first key is.
func lineOf(doc *yaml.Node, path string) int {
	n := doc
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return 0
		}
		n = n.Content[0]
	}
	line := 0
	for _, seg := range splitPath(path) {
		next, at := child(n, seg)
		if next == nil {
			break
		}
		n, line = next, at
	}
	return line
}

// splitPath splits "capture.interfaces[1].vlan" into
// "capture", "interfaces", "[1]", "vlan".
func splitPath(path string) []string {
	var segs []string
	for _, part := range strings.Split(path, ".") {
		for {
			i := strings.IndexByte(part, '[')
			if i < 0 {
				break
			}
			if i > 0 {
				segs = append(segs, part[:i])
			}
			j := strings.IndexByte(part, ']')
			if j < i {
				break
			}
			segs = append(segs, part[i:j+1])
			part = part[j+1:]
		}
		if part != "" {
			segs = append(segs, part)
		}
	}
	return segs
}

// child finds seg in n; it returns the node and the line to report: the
// key's line for a mapping entry, the element's for a list entry.
func child(n *yaml.Node, seg string) (*yaml.Node, int) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == seg {
				return n.Content[i+1], n.Content[i].Line
			}
		}
	case yaml.SequenceNode:
		if strings.HasPrefix(seg, "[") {
			i, err := strconv.Atoi(strings.Trim(seg, "[]"))
			if err == nil && i >= 0 && i < len(n.Content) {
				return n.Content[i], n.Content[i].Line
			}
		}
	}
	return nil, 0
}

// walk visits the value nodes under n in document order with their key
// paths; key is the mapping key node of a mapping value (nil otherwise) and
// parent the path of the containing node. It stops when visit returns true.
// Aliases are not followed.
func walk(n *yaml.Node, path string, visit func(n *yaml.Node, path string, key *yaml.Node, parent string) bool) bool {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if visit(c, path, nil, "") || walk(c, path, visit) {
				return true
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if visit(v, p, k, path) || walk(v, p, visit) {
				return true
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			if visit(c, p, nil, path) || walk(c, p, visit) {
				return true
			}
		}
	}
	return false
}

// nodeMatches reports whether n is the node a yaml.v3 type error describes
// by its tag and (possibly truncated to 7 bytes plus "...") value.
func nodeMatches(n *yaml.Node, tag, value string) bool {
	switch tag {
	case "seq":
		return n.Kind == yaml.SequenceNode
	case "map":
		return n.Kind == yaml.MappingNode
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!"+tag {
		return false
	}
	if n.Value == value {
		return true
	}
	prefix, truncated := strings.CutSuffix(value, "...")
	return truncated && len(prefix) == 7 && strings.HasPrefix(n.Value, prefix)
}

// describeNode renders the offending value for "expected X, got Y".
func describeNode(n *yaml.Node, tag, value string) string {
	switch tag {
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	}
	if n != nil {
		value = n.Value
	}
	if tag == "str" {
		return strconv.Quote(value)
	}
	return value
}

// describeType names a Go type from a yaml.v3 message for a config author.
func describeType(goType string) string {
	switch goType {
	case "time.Duration":
		return `a duration such as "500ms", "1s" or "24h"`
	case "configs.ByteSize":
		return `a byte size such as 1048576 or "64MiB" (units B, KiB, MiB, GiB, TiB)`
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	}
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "configs."):
		return "a mapping"
	}
	return goType
}
