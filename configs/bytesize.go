package configs

import (
	"fmt"
	"math"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// ByteSize is a size in bytes. In YAML it is either an integer (bytes) or a
// string with a binary unit: "512B", "64KiB", "64MiB", "4GiB", "1TiB".
// Decimal units (KB, MB, GB) are rejected as ambiguous.
type ByteSize int64

// Binary size units.
const (
	B   ByteSize = 1
	KiB ByteSize = 1 << 10
	MiB ByteSize = 1 << 20
	GiB ByteSize = 1 << 30
	TiB ByteSize = 1 << 40
)

var (
	byteSizeRE    = regexp.MustCompile(`^([0-9]+) ?(B|KiB|MiB|GiB|TiB)?$`)
	byteSizeUnits = map[string]ByteSize{"": B, "B": B, "KiB": KiB, "MiB": MiB, "GiB": GiB, "TiB": TiB}
)

// ParseByteSize parses a non-negative integer optionally followed by one of
// the units B, KiB, MiB, GiB, TiB ("64MiB", "1048576", "4 KiB").
func ParseByteSize(s string) (ByteSize, error) {
	m := byteSizeRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("invalid byte size %q: want an integer with an optional unit B, KiB, MiB, GiB or TiB", s)
	}
	unit := byteSizeUnits[m[2]]
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n > math.MaxInt64/int64(unit) {
		return 0, fmt.Errorf("invalid byte size %q: too large", s)
	}
	return ByteSize(n) * unit, nil
}

// String formats b in the largest binary unit that divides it exactly
// ("64MiB", "12KiB"), or as a plain number of bytes ("1000").
func (b ByteSize) String() string {
	if b != 0 {
		for _, u := range []struct {
			size ByteSize
			name string
		}{{TiB, "TiB"}, {GiB, "GiB"}, {MiB, "MiB"}, {KiB, "KiB"}} {
			if b%u.size == 0 {
				return strconv.FormatInt(int64(b/u.size), 10) + u.name
			}
		}
	}
	return strconv.FormatInt(int64(b), 10)
}

// UnmarshalYAML accepts an integer (bytes) or a string with a unit. A bad
// value is reported as a *yaml.TypeError so decoding goes on and collects
// every problem in the file.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!int":
			var v int64
			if err := n.Decode(&v); err == nil {
				*b = ByteSize(v)
				return nil
			}
		case "!!str":
			if v, err := ParseByteSize(n.Value); err == nil {
				*b = v
				return nil
			}
		}
	}
	// Same shape as yaml.v3's own type errors, which Parse rewrites.
	value := ""
	if n.Kind == yaml.ScalarNode {
		value = " `" + n.Value + "`"
	}
	return &yaml.TypeError{Errors: []string{
		fmt.Sprintf("line %d: cannot unmarshal %s%s into configs.ByteSize", n.Line, n.ShortTag(), value),
	}}
}

// MarshalYAML writes b as String does, or as an integer when it is not a
// whole number of KiB.
func (b ByteSize) MarshalYAML() (any, error) {
	if s := b.String(); s != strconv.FormatInt(int64(b), 10) {
		return s, nil
	}
	return int64(b), nil
}
