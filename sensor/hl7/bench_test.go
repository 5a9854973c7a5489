package hl7

import (
	"bytes"
	"testing"
)

// benchStream is a typical ORU^R01/ACK exchange direction: 20 messages with
// equipment segments, about 17 KiB.
func benchStream() []byte {
	return bytes.Repeat(frame(devMsg+"OBX|4|NM|8462-4^Diastolic^LN||80|mm[Hg]|||||F\r"), 20)
}

// BenchmarkDeframerFeed feeds the stream in 1448-byte TCP segments, so that
// most messages span two segments and go through the buffer.
func BenchmarkDeframerFeed(b *testing.B) {
	stream := benchStream()
	d := NewDeframer(0)
	n := 0
	emit := func(m []byte) { n += len(m) }
	d.Feed(stream, emit) // warm up the buffer
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for off := 0; off < len(stream); off += 1448 {
			d.Feed(stream[off:min(off+1448, len(stream))], emit)
		}
	}
	if n == 0 {
		b.Fatal("no messages")
	}
}

func BenchmarkParseInto(b *testing.B) {
	msg := []byte(devMsg)
	var v MessageView
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for range b.N {
		if err := ParseInto(msg, &v); err != nil {
			b.Fatal(err)
		}
	}
	if v.NumEquipment != 5 {
		b.Fatalf("NumEquipment %d", v.NumEquipment)
	}
}

// BenchmarkDeframeAndParse is the whole hot path of one direction.
func BenchmarkDeframeAndParse(b *testing.B) {
	stream := benchStream()
	d := NewDeframer(0)
	var v MessageView
	emit := func(m []byte) { _ = ParseInto(m, &v) }
	d.Feed(stream, emit)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for off := 0; off < len(stream); off += 1448 {
			d.Feed(stream[off:min(off+1448, len(stream))], emit)
		}
	}
}

// BenchmarkParse includes the copy to a Message (allocates).
func BenchmarkParse(b *testing.B) {
	msg := []byte(devMsg)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for range b.N {
		if _, err := Parse(msg); err != nil {
			b.Fatal(err)
		}
	}
}
