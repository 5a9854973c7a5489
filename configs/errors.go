package configs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/wardwatch/wardwatch/configs/yamlerr"
)

// decodeError turns an error from yaml.v3 into one error per problem, each
// naming the file, the line and the key path.
func decodeError(data []byte, name string, err error) error {
	problems, ok := yamlerr.Problems(err)
	if !ok {
		s := yamlerr.ParseSyntax(data, err)
		return yamlerr.New(name, s.Line, errors.New(s.TabMessage()))
	}
	t := yamlerr.NewTree(data) // it decoded once already; only used to find keys
	errs := make([]error, 0, len(problems))
	for _, p := range problems {
		errs = append(errs, yamlerr.New(name, p.Line, errors.New(problemText(t, p))))
	}
	return errors.Join(errs...)
}

// problemText words one decoding problem for a config author.
func problemText(t *yamlerr.Tree, p yamlerr.Problem) string {
	switch p.Kind {
	case yamlerr.UnknownKey:
		return fmt.Sprintf("unknown key %q %s", p.Key, keyParent(t, p))
	case yamlerr.DuplicateKey:
		return fmt.Sprintf("duplicate key %q %s (first set at line %d)", p.Key, keyParent(t, p), p.FirstLine)
	case yamlerr.WrongType:
		want := describeType(p.GoType)
		n := t.ValueOf(p)
		got := describeValue(n, p)
		if p.GoType == "time.Duration" && (p.Tag == "int" || p.Tag == "float") {
			got += " (a unit is required)"
		}
		if n == nil || len(n.Path) == 0 {
			return fmt.Sprintf("expected %s at the top level, got %s", want, got)
		}
		return fmt.Sprintf("%s: expected %s, got %s", yamlerr.FormatPath(n.Path), want, got)
	}
	return p.Msg
}

// keyParent says where the key of an UnknownKey or DuplicateKey problem
// is: "in capture.interfaces[0]" or "at the top level".
func keyParent(t *yamlerr.Tree, p yamlerr.Problem) string {
	if n := t.KeyAt(p.Line, p.Key); n != nil && len(n.Path) > 1 {
		return "in " + yamlerr.FormatPath(n.Path[:len(n.Path)-1])
	}
	return "at the top level"
}

// locateValidation adds the file name and, where the key is in the file,
// its line to each *ValidationError.
func locateValidation(data []byte, name string, err error) error {
	t := yamlerr.NewTree(data)
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
			if n := t.Deepest(yamlerr.ParsePath(ve.Path)); n != nil {
				line = n.Line()
			}
		}
		out = append(out, yamlerr.New(name, line, e))
	}
	return errors.Join(out...)
}

// describeValue renders the offending value for "expected X, got Y".
func describeValue(n *yamlerr.Node, p yamlerr.Problem) string {
	switch p.Tag {
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	}
	value := p.Value
	if n != nil {
		value = n.N.Value
	}
	if p.Tag == "str" {
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
	case "configs.Workers":
		return `"auto" or a number of workers 1..64`
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
