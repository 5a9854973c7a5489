package yamlerr

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

type inner struct {
	Port int           `yaml:"port"`
	Wait time.Duration `yaml:"wait"`
}

type doc struct {
	Name  string  `yaml:"name"`
	Items []inner `yaml:"items"`
	Check checked `yaml:"check"`
}

// checked rejects every value with At, as a custom unmarshaler does.
type checked struct{}

func (*checked) UnmarshalYAML(n *yaml.Node) error { return At(n, "not %s", "allowed") }

func decode(t *testing.T, src string) error {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader([]byte(src)))
	dec.KnownFields(true)
	var d doc
	err := dec.Decode(&d)
	if err == nil {
		t.Fatalf("decoding %q succeeded", src)
	}
	return err
}

// TestProblems reads the messages yaml.v3 really writes (and At's) back
// into their parts, so a change in yaml.v3's wording fails here first.
func TestProblems(t *testing.T) {
	src := "name: x\nitems:\n  - port: [1]\n    bogus: 2\n    wait: 10\n  - port: somewhat-long-text\n\ncheck: 5\n"
	ps, ok := Problems(decode(t, src))
	if !ok {
		t.Fatal("not a type error")
	}
	// yaml.v3 reports a duplicate key alone: it stops at that mapping.
	dup, ok := Problems(decode(t, "name: x\nitems: []\n\n\n\n\nname: y\n"))
	if !ok {
		t.Fatal("duplicate key: not a type error")
	}
	ps = append(ps, dup...)
	want := []Problem{
		{Kind: WrongType, Line: 3, Tag: "seq", GoType: "int"},
		{Kind: UnknownKey, Line: 4, Key: "bogus", GoType: "yamlerr.inner"},
		{Kind: WrongType, Line: 5, Tag: "int", Value: "10", GoType: "time.Duration"},
		{Kind: WrongType, Line: 6, Tag: "str", Value: "somewha...", GoType: "int"},
		{Kind: DuplicateKey, Line: 7, Key: "name", FirstLine: 1},
		{Kind: Other, Line: 8, Col: 8, Msg: "not allowed"},
	}
	if len(ps) != len(want) {
		t.Fatalf("problems %+v\nwant %+v", ps, want)
	}
	got := map[int]Problem{}
	for _, p := range ps {
		got[p.Line] = p
	}
	for _, w := range want {
		if got[w.Line] != w {
			t.Errorf("line %d: got %+v, want %+v", w.Line, got[w.Line], w)
		}
	}

	tree := NewTree([]byte(src))
	if n := tree.ValueOf(got[6]); n == nil || FormatPath(n.Path) != "items[1].port" || n.N.Value != "somewhat-long-text" {
		t.Errorf("ValueOf(cut value) = %+v", n)
	}
	if n := tree.ValueOf(got[3]); n == nil || FormatPath(n.Path) != "items[0].port" {
		t.Errorf("ValueOf(seq) = %+v", n)
	}
	if n := tree.KeyAt(4, "bogus"); n == nil || FormatPath(n.Path[:len(n.Path)-1]) != "items[0]" {
		t.Errorf("KeyAt = %+v", n)
	}
	if n := tree.At(8, 8); n == nil || FormatPath(n.Path) != "check" {
		t.Errorf("At = %+v", n)
	}

	if _, ok := Problems(errors.New("line 1: x")); ok {
		t.Error("Problems accepted an error that is no *yaml.TypeError")
	}
	if p := ParseProblem("something odd"); p != (Problem{Kind: Other, Msg: "something odd"}) {
		t.Errorf("ParseProblem(no line) = %+v", p)
	}
}

func TestParseSyntax(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want Syntax
		msg  string
	}{
		{"a:\n  b: 1\n\tc: 2\n", Syntax{Line: 3, Msg: TabIndent, Tab: true, TabKey: "c"},
			`tab character used for indentation of "c"; YAML indents with spaces only`},
		{"a: [1, 2\n", Syntax{Line: 1, Msg: "did not find expected ',' or ']'"}, "did not find expected ',' or ']'"},
	} {
		var v any
		err := yaml.Unmarshal([]byte(tt.src), &v)
		if err == nil {
			t.Fatalf("%q parsed", tt.src)
		}
		got := ParseSyntax([]byte(tt.src), err)
		if got != tt.want || got.TabMessage() != tt.msg {
			t.Errorf("ParseSyntax(%q) (%v) = %+v %q, want %+v %q", tt.src, err, got, got.TabMessage(), tt.want, tt.msg)
		}
	}
	if got := ParseSyntax(nil, errors.New("yaml: control characters are not allowed")); got != (Syntax{Msg: "control characters are not allowed"}) {
		t.Errorf("no line: %+v", got)
	}
}

func TestPath(t *testing.T) {
	path := ParsePath("capture.interfaces[1].vlan")
	if want := []any{"capture", "interfaces", 1, "vlan"}; !reflect.DeepEqual(path, want) {
		t.Errorf("ParsePath = %#v, want %#v", path, want)
	}
	if s := FormatPath(path); s != "capture.interfaces[1].vlan" {
		t.Errorf("FormatPath = %q", s)
	}
	tree := NewTree([]byte("capture:\n  interfaces:\n    - name: a\n    - name: b\n"))
	if n := tree.Deepest(path); n == nil || n.Line() != 4 || FormatPath(n.Path) != "capture.interfaces[1]" {
		t.Errorf("Deepest = %+v", n)
	}
	if n := tree.Deepest([]any{"nothing"}); n != nil {
		t.Errorf("Deepest(absent) = %+v", n)
	}
}

func TestError(t *testing.T) {
	inner := errors.New("bad")
	for _, tt := range []struct {
		e    *Error
		want string
	}{
		{New("f.yml", 3, inner), "f.yml: line 3: bad"},
		{New("", 3, inner), "line 3: bad"},
		{New("f.yml", 0, inner), "f.yml: bad"},
		{Errorf("f.yml", 2, "x %d", 1), "f.yml: line 2: x 1"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	e := New("f.yml", 3, inner)
	if !errors.Is(e, inner) || e.File() != "f.yml" || e.Line() != 3 {
		t.Errorf("accessors of %v", e)
	}
}
