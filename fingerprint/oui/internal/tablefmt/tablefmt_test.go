package tablefmt

import (
	"reflect"
	"testing"
)

func sample() *Table {
	t := &Table{Orgs: []string{"A", "B corp", "Zeta"}}
	t.Sections[MAL] = Section{Keys: []uint64{0x000C29, 0x005056, 0xFFFFFF}, Orgs: []uint32{2, 2, 0}}
	t.Sections[MAM] = Section{Keys: []uint64{0x208593B}, Orgs: []uint32{1}}
	t.Sections[MAS] = Section{Keys: []uint64{0x70B3D5719, 0x70B3D5F2F}, Orgs: []uint32{0, 1}}
	t.Sections[IAB] = Section{Keys: []uint64{}, Orgs: []uint32{}}
	return t
}

func TestRoundTrip(t *testing.T) {
	in := sample()
	b, err := Encode(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, in)
	}
	if out.Len() != 6 {
		t.Errorf("Len = %d, want 6", out.Len())
	}
}

// Every truncation and every single-byte corruption must be rejected or
// decode to a valid table, never panic.
func TestCorrupt(t *testing.T) {
	b, err := Encode(nil, sample())
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		if _, err := Decode(b[:i]); err == nil {
			t.Errorf("truncated to %d bytes: no error", i)
		}
		for _, x := range []byte{0x01, 0x80, 0xff} {
			c := append([]byte(nil), b...)
			c[i] ^= x
			if tab, err := Decode(c); err == nil {
				if err := tab.Validate(); err != nil {
					t.Errorf("byte %d ^ %#x: decoded invalid table: %v", i, x, err)
				}
			}
		}
	}
	if _, err := Decode(append(b, 0)); err == nil {
		t.Error("trailing byte: no error")
	}
}

func TestEncodeRejectsInvalid(t *testing.T) {
	for name, mut := range map[string]func(*Table){
		"unsorted orgs":    func(t *Table) { t.Orgs[0], t.Orgs[1] = t.Orgs[1], t.Orgs[0] },
		"duplicate key":    func(t *Table) { t.Sections[MAL].Keys[1] = t.Sections[MAL].Keys[0] },
		"key too wide":     func(t *Table) { t.Sections[MAL].Keys[2] = 1 << 24 },
		"org out of range": func(t *Table) { t.Sections[MAS].Orgs[0] = 3 },
		"length mismatch":  func(t *Table) { t.Sections[MAM].Orgs = nil },
	} {
		tab := sample()
		mut(tab)
		if _, err := Encode(nil, tab); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestRegistry(t *testing.T) {
	want := []struct {
		s    string
		bits int
	}{{"MA-L", 24}, {"MA-M", 28}, {"MA-S", 36}, {"IAB", 36}}
	for r := range NumRegistries {
		if r.String() != want[r].s || r.Bits() != want[r].bits {
			t.Errorf("%d: %s/%d, want %s/%d", r, r, r.Bits(), want[r].s, want[r].bits)
		}
	}
}
