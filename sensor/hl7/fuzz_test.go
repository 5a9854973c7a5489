package hl7

import (
	"reflect"
	"testing"
)

// captureStreams returns the MLLP streams of the shared captures that are
// available (both directions of each).
func captureStreams(tb testing.TB) [][]byte {
	var out [][]byte
	for _, f := range []string{"tapirx/HL7-ADT.pcap", "tapirx/HL7-ORU.pcap", "ndpi/hl7.pcap"} {
		p, err := sharedPcapPath(f)
		if err != nil {
			continue
		}
		segs := tcpSegments(tb, p, 6661)
		out = append(out, joined(segs, true), joined(segs, false))
	}
	return out
}

// FuzzMLLPDeframer checks that deframing never panics, respects the size
// limit and gives the same messages and counters whatever the chunking.
func FuzzMLLPDeframer(f *testing.F) {
	f.Add(append(frame(devMsg), frame(ackMsg)...), uint16(1448), uint16(3))
	f.Add([]byte("junk\x0bMSH|^~\\&|A\x0bMSH|\x1c\x1c\r\r\x0b"), uint16(1), uint16(2))
	for _, s := range captureStreams(f) {
		f.Add(s, uint16(100), uint16(7))
	}
	f.Fuzz(func(t *testing.T, stream []byte, s1, s2 uint16) {
		const max = 200
		whole, ws := deframeAll(stream, max)
		d := NewDeframer(max)
		var split [][]byte
		emit := func(m []byte) {
			if len(m) == 0 || len(m) > max {
				t.Fatalf("emitted %d bytes", len(m))
			}
			split = append(split, append([]byte(nil), m...))
		}
		a, b := int(s1)%61+1, int(s2)%7+1
		for i, rest := 0, stream; len(rest) > 0; i++ {
			n := a
			if i%2 == 1 {
				n = b
			}
			n = min(n, len(rest))
			d.Feed(rest[:n], emit)
			rest = rest[n:]
			if cap(d.buf) > max {
				t.Fatalf("buffer capacity %d over the limit", cap(d.buf))
			}
		}
		if !reflect.DeepEqual(whole, split) || ws != d.Stats() {
			t.Fatalf("chunking changed the result: %q %+v / %q %+v", whole, ws, split, d.Stats())
		}
		d.Flush(emit)
	})
}

// FuzzHL7Parse checks that parsing never panics, never allocates a view
// slice outside MSH/MSA/PRT/OBX segments, and that Message is clean.
func FuzzHL7Parse(f *testing.F) {
	f.Add([]byte(devMsg))
	f.Add([]byte(ackMsg))
	f.Add([]byte("MSH#$*!%#APP$1.2.3$ISO*OTHER#FAC%SUB###20240101##ADT$A04#CTRL1#T$A#2.5.1$USA\nPRT#1#AD##EQUIP######DEV$X*DEV2\r\nMSA#CA#CTRL0"))
	for _, s := range captureStreams(f) {
		msgs, _ := deframeAll(s, 0)
		for _, m := range msgs {
			f.Add(m)
		}
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		var v MessageView
		err := ParseInto(msg, &v)
		m, err2 := Parse(msg)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("ParseInto %v, Parse %v", err, err2)
		}
		if err != nil {
			return
		}
		if err := viewInAllowedSegments(msg, &v); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(v.Message(), m) {
			t.Fatal("Parse and ParseInto disagree")
		}
		if len(m.Equipment) > MaxEquipment {
			t.Fatalf("%d equipment", len(m.Equipment))
		}
		strs := []string{m.FieldSep, m.EncodingChars, m.SendingApplication, m.SendingFacility, m.ReceivingApplication,
			m.ReceivingFacility, m.MessageType, m.TriggerEvent, m.MessageStructure, m.ControlID, m.ProcessingID,
			m.Version, m.AckCode, m.AckControlID}
		for _, e := range m.Equipment {
			strs = append(strs, e.Source, e.Value)
		}
		for _, s := range strs {
			if len(s) > maxValueLen {
				t.Fatalf("value of %d bytes", len(s))
			}
			for i := 0; i < len(s); i++ {
				if s[i] < 0x20 || s[i] > 0x7e {
					t.Fatalf("unprintable value %q", s)
				}
			}
		}
	})
}
