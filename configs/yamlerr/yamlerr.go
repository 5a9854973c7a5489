// Package yamlerr is the part of YAML error reporting that Wardwatch's three
// YAML files share: the config (package configs), the segmentation policy
// (package policy) and the fingerprint rules (package fingerprint).
//
// gopkg.in/yaml.v3 reports problems as strings ("line 4: field ringsize not
// found in type configs.CaptureConfig"). This package
//
//   - places an error in a file: Error, "file: line N: message";
//   - reads yaml.v3's messages into their parts: Problems for decoding
//     (type) errors, ParseSyntax for parser errors, which also finds a tab
//     used for indentation near the reported line;
//   - finds the node a message is about and its key path: Tree;
//   - makes errors for a custom UnmarshalYAML that the decoder collects
//     with its own (At), so one pass reports every problem.
//
// Each package words its own messages (which key names, which type names,
// "first set at line" or "first at line"); the wording stays with it.
//
// It imports nothing of the project.
package yamlerr

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error is one problem placed in a file: "file: line N: message". The file
// part is left out when file is "", the line part when line is 0.
type Error struct {
	file string
	line int
	err  error
}

// New places err in file at line (0: unknown).
func New(file string, line int, err error) *Error {
	return &Error{file: file, line: line, err: err}
}

// Errorf is New with a formatted message.
func Errorf(file string, line int, format string, args ...any) *Error {
	return New(file, line, fmt.Errorf(format, args...))
}

func (e *Error) Error() string { return Prefix(e.file, e.line) + e.err.Error() }

// Unwrap returns the problem without its place.
func (e *Error) Unwrap() error { return e.err }

// File returns the file name given to New.
func (e *Error) File() string { return e.file }

// Line returns the line of the problem, 0 if unknown.
func (e *Error) Line() int { return e.line }

// Prefix returns "file: line N: ", leaving out the file when it is "" and
// the line when it is 0.
func Prefix(file string, line int) string {
	var b strings.Builder
	if file != "" {
		b.WriteString(file)
		b.WriteString(": ")
	}
	if line > 0 {
		fmt.Fprintf(&b, "line %d: ", line)
	}
	return b.String()
}

// Kind is what a decoding message of yaml.v3 says.
type Kind int

const (
	// Other is any other message: Line (when the message has one), Col
	// (messages made by At) and Msg are set.
	Other Kind = iota
	// UnknownKey: a key that is no field of GoType (decoding with
	// KnownFields). Key and GoType are set.
	UnknownKey
	// DuplicateKey: Key is set a second time on Line; FirstLine is the
	// first.
	DuplicateKey
	// WrongType: a value (Tag, Value) that does not decode into GoType.
	WrongType
)

// Problem is one message of a *yaml.TypeError, read into its parts.
type Problem struct {
	Kind Kind
	// Line is the line the message names, 0 when it names none.
	Line int
	// Col is the column, set only in messages made by At.
	Col int
	// Key is the key of UnknownKey and DuplicateKey.
	Key string
	// FirstLine is the line a DuplicateKey was first set on.
	FirstLine int
	// Tag is the YAML tag of a WrongType value without "!!": str, int,
	// bool, float, null, seq, map, ...
	Tag string
	// Value is a WrongType scalar as yaml.v3 quotes it: values longer than
	// 10 bytes are cut to their first 7 and "...". Empty for seq and map.
	Value string
	// GoType is the Go type of UnknownKey (the struct without that field)
	// and of WrongType (the type wanted), as yaml.v3 names it:
	// "configs.CaptureConfig", "[]policy.rawZone", "time.Duration".
	GoType string
	// Msg is the text of an Other message after its "line N: " (or
	// "line N col C: ").
	Msg string
}

// yaml.v3's messages, and those of At.
var (
	reUnknownKey = regexp.MustCompile(`^line (\d+): field (.+) not found in type (\S+)$`)
	reDupKey     = regexp.MustCompile(`^line (\d+): mapping key "(.*)" already defined at line (\d+)$`)
	reWrongType  = regexp.MustCompile("(?s)^line (\\d+): cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$")
	reAt         = regexp.MustCompile(`(?s)^line (\d+) col (\d+): (.*)$`)
	reLine       = regexp.MustCompile(`(?s)^(?:yaml: )?line (\d+): (.*)$`)
)

// Problems reads the messages of a decoding error. It returns false when
// err is no *yaml.TypeError (a parser error: see ParseSyntax).
func Problems(err error) ([]Problem, bool) {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return nil, false
	}
	out := make([]Problem, len(te.Errors))
	for i, msg := range te.Errors {
		out[i] = ParseProblem(msg)
	}
	return out, true
}

// ParseProblem reads one message of a *yaml.TypeError.
func ParseProblem(msg string) Problem {
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if m := reAt.FindStringSubmatch(msg); m != nil {
		return Problem{Kind: Other, Line: atoi(m[1]), Col: atoi(m[2]), Msg: m[3]}
	}
	if m := reUnknownKey.FindStringSubmatch(msg); m != nil {
		return Problem{Kind: UnknownKey, Line: atoi(m[1]), Key: m[2], GoType: m[3]}
	}
	if m := reDupKey.FindStringSubmatch(msg); m != nil {
		return Problem{Kind: DuplicateKey, Line: atoi(m[1]), Key: m[2], FirstLine: atoi(m[3])}
	}
	if m := reWrongType.FindStringSubmatch(msg); m != nil {
		return Problem{Kind: WrongType, Line: atoi(m[1]), Tag: m[2], Value: m[3], GoType: m[4]}
	}
	if m := reLine.FindStringSubmatch(msg); m != nil {
		return Problem{Kind: Other, Line: atoi(m[1]), Msg: m[2]}
	}
	return Problem{Kind: Other, Msg: msg}
}

// Matches reports whether n is the value a WrongType problem is about: the
// same kind (seq, map) or tag and value, allowing for yaml.v3's cut of long
// values. It does not compare lines.
func (p Problem) Matches(n *yaml.Node) bool {
	switch p.Tag {
	case "seq":
		return n.Kind == yaml.SequenceNode
	case "map":
		return n.Kind == yaml.MappingNode
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!"+p.Tag {
		return false
	}
	if n.Value == p.Value {
		return true
	}
	prefix, cut := strings.CutSuffix(p.Value, "...")
	return cut && len(prefix) == 7 && strings.HasPrefix(n.Value, prefix)
}

// At is an error for a custom UnmarshalYAML about node n. The decoder
// collects it with its own type errors and carries on, so every problem of
// the file is reported at once; Problems reads it back as an Other problem
// with Line, Col and Msg.
func At(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{
		fmt.Sprintf("line %d col %d: %s", n.Line, n.Column, fmt.Sprintf(format, args...))}}
}

// TabIndent is the message for a line indented with a tab.
const TabIndent = "tab character used for indentation; YAML indents with spaces only"

// Syntax is a yaml.v3 parser error read into its parts.
type Syntax struct {
	// Line is the line to report, 0 when unknown. When a tab indents the
	// line yaml.v3 names or the next one (yaml.v3 may name the line
	// before the tab), Line is the tab's.
	Line int
	// Msg is yaml.v3's message without "yaml: " and "line N: ", or
	// TabIndent when Tab is set.
	Msg string
	// Tab is set when the line is indented with a tab.
	Tab bool
	// TabKey is the key on the tab-indented line, "" if it has none.
	TabKey string
}

// TabMessage is Msg, naming the key of a tab-indented line when it has one:
// `tab character used for indentation of "snaplen"; ...`.
func (s Syntax) TabMessage() string {
	if !s.Tab || s.TabKey == "" {
		return s.Msg
	}
	return fmt.Sprintf("tab character used for indentation of %q; YAML indents with spaces only", s.TabKey)
}

// ParseSyntax reads a parser error of yaml.v3 for the document data.
func ParseSyntax(data []byte, err error) Syntax {
	msg := err.Error()
	m := reLine.FindStringSubmatch(msg)
	if m == nil {
		return Syntax{Msg: strings.TrimPrefix(msg, "yaml: ")}
	}
	line, _ := strconv.Atoi(m[1])
	lines := strings.Split(string(data), "\n")
	for _, n := range []int{line, line + 1} {
		if n < 1 || n > len(lines) {
			continue
		}
		l := lines[n-1]
		rest := strings.TrimLeft(l, " \t")
		if !strings.Contains(l[:len(l)-len(rest)], "\t") {
			continue
		}
		key, _, _ := strings.Cut(rest, ":")
		key = strings.TrimSpace(strings.TrimPrefix(key, "- "))
		return Syntax{Line: n, Msg: TabIndent, Tab: true, TabKey: key}
	}
	return Syntax{Line: line, Msg: m[2]}
}
