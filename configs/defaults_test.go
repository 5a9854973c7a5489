package configs

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wardwatch/wardwatch/configs/yamlerr"
)

// reDefault finds the documented default in a key's comment: the text after
// "Default:" up to " (" (an explanation) or the end of the sentence.
var reDefault = regexp.MustCompile(`Default: (.+?)(?: \(|\.(?:\s|$))`)

// TestDocumentedDefaults parses the shipped configs/wardwatch.yml and checks
// that the "Default: X" comment of every key states Default()'s value, so
// the comments an operator reads cannot drift from the code. (TestExample
// checks the values the example sets.)
func TestDocumentedDefaults(t *testing.T) {
	def := reflect.ValueOf(Default()).Elem()
	// An interface entry's defaults are DefaultInterface's; the example's
	// entry is eth1.
	iface := reflect.ValueOf(DefaultInterface("eth1"))
	special := map[string]string{
		"capture.interfaces":            "none",               // no interface
		"capture.interfaces[0].vantage": "the interface name", // Vantage = Name
	}
	for _, path := range yamlKeys(reflect.TypeFor[Config](), "") {
		var code reflect.Value
		if p, ok := strings.CutPrefix(path, "capture.interfaces[0]."); ok {
			code = fieldAt(iface, p)
		} else {
			code = fieldAt(def, path)
		}
		if code.Kind() == reflect.Struct || path == "capture.interfaces[0].name" {
			continue // a section, or required (no default)
		}
		t.Run(path, func(t *testing.T) {
			comment := defaultComment(path)
			m := reDefault.FindStringSubmatch(comment)
			if m == nil {
				t.Fatalf("wardwatch.yml states no default for %s (comment: %q)", path, comment)
			}
			documented := m[1]
			if want, ok := special[path]; ok {
				if documented != want {
					t.Errorf("documented default %q, want %q", documented, want)
				}
				return
			}
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(documented), &n); err != nil {
				t.Fatalf("documented default %q does not parse: %v", documented, err)
			}
			got := reflect.New(code.Type())
			if err := n.Decode(got.Interface()); err != nil {
				t.Fatalf("documented default %q does not decode as %s: %v", documented, code.Type(), err)
			}
			if !reflect.DeepEqual(got.Elem().Interface(), code.Interface()) {
				t.Errorf("wardwatch.yml documents %s as %v, Default() has %v", path, documented, code.Interface())
			}
		})
	}
}

// defaultComment returns the comment above the key at path, or the
// section's when the section has this one key (fingerprints.dir and
// policy.file are documented as a whole).
func defaultComment(path string) string {
	tree := yamlerr.NewTree(Example)
	segs := yamlerr.ParsePath(path)
	n := tree.Lookup(segs)
	if n == nil || n.Key == nil {
		return ""
	}
	if c := commentText(n.Key.HeadComment); strings.Contains(c, "Default:") || len(segs) == 1 {
		return c
	}
	if sec := tree.Lookup(segs[:len(segs)-1]); sec != nil && sec.Key != nil && len(sec.N.Content) == 2 {
		return commentText(sec.Key.HeadComment)
	}
	return commentText(n.Key.HeadComment)
}

// commentText joins a yaml.v3 comment into one line without the '#'s.
func commentText(c string) string {
	var words []string
	for _, l := range strings.Split(c, "\n") {
		words = append(words, strings.Fields(strings.TrimLeft(strings.TrimSpace(l), "#"))...)
	}
	return strings.Join(words, " ")
}

// fieldAt returns the field of v (a Config or a part of it) at a yaml key
// path such as "store.busy_timeout".
func fieldAt(v reflect.Value, path string) reflect.Value {
	for _, seg := range strings.Split(path, ".") {
		name, _, _ := strings.Cut(seg, "[")
		for i := 0; i < v.NumField(); i++ {
			tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
			if tag == name {
				v = v.Field(i)
				break
			}
		}
	}
	return v
}
