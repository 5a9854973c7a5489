package wire

import (
	"testing"
)

func TestName(t *testing.T) {
	msg := []byte("\x00\x00\x04host\x05local\x00\x03www\xc0\x02\x03bad\xc0\x13\x02ab")
	cases := []struct {
		off    int
		ptrs   bool
		name   string
		next   int
		rooted bool
		err    bool
	}{
		{2, true, "host.local", 14, true, false},
		{14, true, "www.host.local", 20, true, false},
		{20, true, "", 0, false, true},  // pointer to itself
		{14, false, "", 0, false, true}, // pointer not allowed: 0xc0 is a bad label
		{26, false, "ab", 29, false, false},
		{26, true, "", 0, false, true}, // DNS names must end with the root label
		{29, false, "", 29, false, false},
		{0, true, "", 1, true, false},
	}
	var buf [255]byte
	for _, c := range cases {
		name, next, rooted, err := Name(buf[:], msg, c.off, c.ptrs)
		if (err != nil) != c.err || (err == nil && (string(name) != c.name || next != c.next || rooted != c.rooted)) {
			t.Errorf("off %d ptrs %v: %q %d %v %v", c.off, c.ptrs, name, next, rooted, err)
		}
	}
	// Output bound: a name longer than the buffer fails, never grows it.
	if _, _, _, err := Name(buf[:0:8], msg, 2, true); err == nil {
		t.Error("10-byte name fit in 8 bytes")
	}
	// Pointer loops end: a label then a pointer back to it, forever.
	loop := []byte("\x01a\xc0\x00")
	if _, _, _, err := Name(buf[:], loop, 2, true); err == nil {
		t.Error("pointer loop accepted")
	}
	if got := TrimNUL([]byte("abc\x00\x00")); string(got) != "abc" {
		t.Errorf("TrimNUL %q", got)
	}
}

func FuzzName(f *testing.F) {
	f.Add([]byte("\x04host\x05local\x00\x03www\xc0\x00"), uint8(12), true)
	f.Fuzz(func(t *testing.T, msg []byte, off uint8, ptrs bool) {
		var buf [64]byte
		name, next, _, err := Name(buf[:], msg, int(off), ptrs)
		if len(name) > len(buf) || &name[:1][0] != &buf[0] {
			t.Fatalf("name outside the buffer")
		}
		if err == nil && (next < 0 || next > len(msg)) && int(off) < len(msg) {
			t.Fatalf("next %d", next)
		}
	})
}
