package hl7

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/membudget"
)

// Expected values checked by hand with
//
//	tshark -r FILE -d tcp.port==6661,hl7 -V
//
// (tshark numbers the segment name as field 1, so its "field 2" of MSA is
// MSA-1; for MSH its numbering matches MSH-n.)
var captureTests = []struct {
	file      string
	msg, resp Message
}{
	{
		file: "tapirx/HL7-ADT.pcap",
		msg: Message{
			FieldSep: "|", EncodingChars: `^~\&`,
			SendingApplication: "SENDING_APPLICATION", SendingFacility: "SENDING_FACILITY",
			ReceivingApplication: "RECEIVING_APPLICATION", ReceivingFacility: "RECEIVING_FACILITY",
			MessageType: "ADT", TriggerEvent: "A01",
			ControlID: "934576120110613083617", ProcessingID: "P", Version: "2.3",
		},
		resp: Message{
			FieldSep: "|", EncodingChars: `^~\&`,
			SendingApplication: "RECEIVING_APPLICATION", SendingFacility: "RECEIVING_FACILITY",
			ReceivingApplication: "SENDING_APPLICATION", ReceivingFacility: "SENDING_FACILITY",
			MessageType: "ACK", ControlID: "20180129192342.245", ProcessingID: "P", Version: "2.3",
			AckCode: "AA", AckControlID: "934576120110613083617",
		},
	},
	{
		file: "tapirx/HL7-ORU.pcap",
		msg: Message{
			FieldSep: "|", EncodingChars: `^~\&`,
			SendingApplication: "SendingApp", SendingFacility: "SendingFac",
			ReceivingApplication: "ReceivingApp", ReceivingFacility: "ReceivingFac",
			MessageType: "ORU", TriggerEvent: "R01",
			ControlID: "59689", ProcessingID: "P", Version: "2.3",
		},
		resp: Message{
			FieldSep: "|", EncodingChars: `^~\&`,
			SendingApplication: "ReceivingApp", SendingFacility: "ReceivingFac",
			ReceivingApplication: "SendingApp", ReceivingFacility: "SendingFac",
			MessageType: "ACK", ControlID: "20180129192911.446", ProcessingID: "P", Version: "2.3",
			AckCode: "AA", AckControlID: "59689",
		},
	},
}

func TestCaptures(t *testing.T) {
	tests := append(captureTests, captureTests[0])
	tests[2].file = "ndpi/hl7.pcap" // the same ADT^A01 exchange, MOUSE^MICKEY
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			segs := tcpSegments(t, sharedPcap(t, tc.file), 6661)
			for _, dir := range []struct {
				fromClient bool
				want       Message
			}{{true, tc.msg}, {false, tc.resp}} {
				stream := joined(segs, dir.fromClient)
				if !LooksLikeMLLP(stream) {
					t.Errorf("LooksLikeMLLP = false for %q...", stream[:8])
				}
				msgs, st := deframeAll(stream, 0)
				if len(msgs) != 1 || st != (DeframerStats{Messages: 1}) {
					t.Fatalf("deframed %d messages, stats %+v", len(msgs), st)
				}
				m, err := Parse(msgs[0])
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(m, dir.want) {
					t.Errorf("Parse =\n%+v\nwant\n%+v", m, dir.want)
				}
				assertNoPHI(t, m)
				var v MessageView
				if err := ParseInto(msgs[0], &v); err != nil {
					t.Fatal(err)
				}
				assertViewInAllowedSegments(t, msgs[0], &v)

				// Every split in two, and random splits in three, give the
				// same messages and stats.
				for i := 0; i <= len(stream); i++ {
					got, st2 := deframeChunks(stream, 0, i)
					if !reflect.DeepEqual(got, msgs) || st2 != st {
						t.Fatalf("split at %d: %d messages, %+v", i, len(got), st2)
					}
				}
				// Joined mid-message: the partial message is skipped as
				// garbage, never emitted. Cut short: nothing until Flush,
				// which emits only complete segments.
				for i := 1; i < len(stream); i++ {
					if got, st2 := deframeAll(stream[i:], 0); len(got) != 0 || st2.GarbageBytes == 0 {
						t.Fatalf("joined at %d: %d messages %+v", i, len(got), st2)
					}
					d := NewDeframer(0)
					var got []string
					emit := func(m []byte) { got = append(got, string(m)) }
					d.Feed(stream[:i], emit)
					if len(got) != 0 && i <= bytes.IndexByte(stream, EndBlock) {
						t.Fatalf("cut at %d: emitted %d messages before the trailer", i, len(got))
					}
					d.Flush(emit)
					for _, m := range got {
						if !bytes.HasPrefix(msgs[0], []byte(m)) || !strings.HasSuffix(m, "\r") {
							t.Fatalf("cut at %d: flushed %d bytes that are not a prefix ending a segment", i, len(m))
						}
						pm, err := Parse([]byte(m))
						if err != nil {
							t.Fatalf("cut at %d: %v", i, err)
						}
						assertNoPHI(t, pm)
					}
				}
				rng := rand.New(rand.NewPCG(3, 4))
				for range 500 {
					i := rng.IntN(len(stream) + 1)
					j := i + rng.IntN(len(stream)-i+1)
					got, st2 := deframeChunks(stream, 0, i, j)
					if !reflect.DeepEqual(got, msgs) || st2 != st {
						t.Fatalf("split at %d,%d", i, j)
					}
				}
			}
		})
	}
}

// deframeChunks feeds stream split at the given offsets.
func deframeChunks(stream []byte, maxMsg int, cuts ...int) ([][]byte, DeframerStats) {
	d := NewDeframer(maxMsg)
	var out [][]byte
	emit := func(m []byte) { out = append(out, append([]byte(nil), m...)) }
	prev := 0
	for _, c := range append(cuts, len(stream)) {
		d.Feed(stream[prev:c], emit)
		prev = c
	}
	return out, d.Stats()
}

func assertNoPHI(t *testing.T, m Message) {
	t.Helper()
	s := fmt.Sprintf("%+v", m)
	for _, bad := range phiCanaries {
		if strings.Contains(s, bad) {
			t.Errorf("message contains PHI canary %q: %s", bad, s)
		}
	}
}

// assertViewInAllowedSegments checks that every slice of the view points
// into an MSH, MSA, PRT or OBX segment of msg.
func assertViewInAllowedSegments(t testing.TB, msg []byte, v *MessageView) {
	t.Helper()
	if err := viewInAllowedSegments(msg, v); err != nil {
		t.Fatal(err)
	}
}

func viewInAllowedSegments(msg []byte, v *MessageView) error {
	slices := [][]byte{v.EncodingChars, v.SendingApplication, v.SendingFacility, v.ReceivingApplication,
		v.ReceivingFacility, v.MessageType, v.TriggerEvent, v.MessageStructure, v.ControlID,
		v.ProcessingID, v.Version, v.AckCode, v.AckControlID}
	for i := range v.NumEquipment {
		slices = append(slices, v.Equipment[i].Value)
	}
	for _, s := range slices {
		if len(s) == 0 {
			continue
		}
		off := cap(msg) - cap(s) // s is a sub-slice of msg
		if off < 0 || off+len(s) > len(msg) || !bytes.Equal(msg[off:off+len(s)], s) {
			return fmt.Errorf("view slice %q does not alias the message", s)
		}
		start := off
		for start > 0 && msg[start-1] != '\r' && msg[start-1] != '\n' {
			start--
		}
		if end := bytes.IndexAny(msg[off:off+len(s)], "\r\n"); end >= 0 {
			return fmt.Errorf("view slice %q spans segments", s)
		}
		name := string(msg[start:min(start+3, len(msg))])
		switch name {
		case "MSH", "MSA", "PRT", "OBX":
		default:
			return fmt.Errorf("view slice %q comes from segment %q", s, name)
		}
	}
	return nil
}

func TestEquipment(t *testing.T) {
	stream := append(frame(devMsg), frame(ackMsg)...)
	msgs, _ := deframeAll(stream, 0)
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	m, err := Parse(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	want := Message{
		FieldSep: "|", EncodingChars: `^~\&`,
		SendingApplication: "MONITOR_GW^1.2.3.4^ISO", SendingFacility: "ICU_EAST",
		ReceivingApplication: "EMR", ReceivingFacility: "GENERAL_HOSP",
		MessageType: "ORU", TriggerEvent: "R01", MessageStructure: "ORU_R01",
		ControlID: "MSG00042", ProcessingID: "P", Version: "2.6",
		Equipment: []Equipment{
			{SourcePRT10, "PUMP-7731^INFUSION^1.2.840.999^ISO"},
			{SourcePRT16, "(01)00888888000011"},
			{SourcePRT16, "(01)00888888000028"},
			{SourceOBX18, "MON-0042^PHILIPS^1.3.6.1.4.1.999^ISO"},
			{SourceOBX18, "BED-101^^"},
		},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", m, want)
	}
	assertNoPHI(t, m)
	var v MessageView
	if err := ParseInto(msgs[0], &v); err != nil {
		t.Fatal(err)
	}
	assertViewInAllowedSegments(t, msgs[0], &v)
	if v.Segments != 8 {
		t.Errorf("Segments = %d", v.Segments)
	}

	ack, err := Parse(msgs[1])
	if err != nil || ack.AckCode != "AE" || ack.AckControlID != "MSG00042" || ack.MessageType != "ACK" {
		t.Errorf("ack: %+v %v", ack, err)
	}

	// Cap: at most MaxEquipment distinct identifiers.
	var b strings.Builder
	b.WriteString("MSH|^~\\&|A|B|C|D|||ORU^R01|1|P|2.5\r")
	for i := range 40 {
		fmt.Fprintf(&b, "OBX|%d|NM|X||1||||||F|||||||DEV%d\r", i, i%20)
	}
	if err := ParseInto([]byte(b.String()), &v); err != nil {
		t.Fatal(err)
	}
	if v.NumEquipment != MaxEquipment || v.EquipmentDropped != 8 {
		t.Errorf("NumEquipment %d, dropped %d", v.NumEquipment, v.EquipmentDropped)
	}
}

func TestDelimitersAndTerminators(t *testing.T) {
	// Non-standard delimiters: field '#', component '$', repetition '*',
	// escape '!', subcomponent '%'.
	msg := "MSH#$*!%#APP$1.2.3$ISO*OTHER#FAC%SUB###20240101##ADT$A04#CTRL1#T$A#2.5.1$USA\r" +
		"PRT#1#AD##EQUIP######DEV$X*DEV2\rMSA#CA#CTRL0\r"
	for _, term := range []string{"\r", "\n", "\r\n"} {
		m, err := Parse([]byte(strings.ReplaceAll(msg, "\r", term)))
		if err != nil {
			t.Fatal(err)
		}
		want := Message{
			FieldSep: "#", EncodingChars: "$*!%",
			SendingApplication: "APP^1.2.3^ISO", SendingFacility: "FAC&SUB",
			MessageType: "ADT", TriggerEvent: "A04", ControlID: "CTRL1", ProcessingID: "T", Version: "2.5.1",
			AckCode: "CA", AckControlID: "CTRL0",
			Equipment: []Equipment{{SourcePRT10, "DEV^X"}, {SourcePRT10, "DEV2"}},
		}
		if !reflect.DeepEqual(m, want) {
			t.Errorf("terminator %q: Parse =\n%+v\nwant\n%+v", term, m, want)
		}
	}
	// A "PID" field containing what looks like an OBX segment is not read.
	m, err := Parse([]byte("MSH|^~\\&|A|B|C|D|||ORU^R01|1|P|2.5\rPID|1||X|OBX|1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16|17|MOUSE\r"))
	if err != nil || len(m.Equipment) != 0 {
		t.Errorf("%+v %v", m, err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		in  string
		err error
	}{
		{"", ErrNoMSH},
		{"MSH", ErrNoMSH},
		{"PID|1||MOUSE", ErrNoMSH},
		{"MSHA^~\\&|", ErrBadDelimiters},
		{"MSH\r^~", ErrBadDelimiters},
		{"MSH|^~\x00&|A", ErrBadDelimiters},
	} {
		if _, err := Parse([]byte(tc.in)); !errors.Is(err, tc.err) {
			t.Errorf("Parse(%q) = %v, want %v", tc.in, err, tc.err)
		}
	}
	// Short or empty MSH fields are not errors.
	m, err := Parse([]byte("MSH|"))
	if err != nil || m.FieldSep != "|" || m.SendingApplication != "" {
		t.Errorf("%+v %v", m, err)
	}
	m, err = Parse([]byte("\r\nMSH|^~\\&|A\x01\xff|B"))
	if err != nil || m.SendingApplication != "A??" || m.SendingFacility != "B" {
		t.Errorf("%+v %v", m, err)
	}
	long := "MSH|^~\\&|" + strings.Repeat("x", 1000)
	if m, _ := Parse([]byte(long)); len(m.SendingApplication) != 256 {
		t.Errorf("value not capped: %d", len(m.SendingApplication))
	}
}

func TestDeframer(t *testing.T) {
	a, b := frame(devMsg), frame(ackMsg)
	for _, tc := range []struct {
		name   string
		stream []byte
		max    int
		want   []string
		stats  DeframerStats
	}{
		{"two", cat(a, b), 0, []string{devMsg, ackMsg}, DeframerStats{Messages: 2}},
		{"garbage", cat([]byte("junk\r\n"), a, []byte("xx"), b), 0, []string{devMsg, ackMsg},
			DeframerStats{Messages: 2, GarbageBytes: 8}},
		{"no trailer", cat([]byte("\x0b"+devMsg), b), 0, []string{devMsg, ackMsg},
			DeframerStats{Messages: 2, MissingTrailer: 1}},
		{"FS only", cat([]byte("\x0b"+devMsg+"\x1c"), b), 0, []string{devMsg, ackMsg}, DeframerStats{Messages: 2}},
		{"empty frame", cat([]byte("\x0b\x1c\r"), b), 0, []string{ackMsg}, DeframerStats{Messages: 1, Empty: 1}},
		{"truncated", cat(a, b), 150, []string{devMsg[:strings.IndexByte(devMsg, '\r')+1], ackMsg},
			DeframerStats{Messages: 2, Truncated: 1}},
		{"truncated no CR", cat(a), 20, []string{devMsg[:20]}, DeframerStats{Messages: 1, Truncated: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for cut := 0; cut <= len(tc.stream); cut++ {
				got, st := deframeChunks(tc.stream, tc.max, cut)
				if len(got) != len(tc.want) || st != tc.stats {
					t.Fatalf("cut %d: %d messages %+v", cut, len(got), st)
				}
				for i := range got {
					if string(got[i]) != tc.want[i] {
						t.Fatalf("cut %d: message %d = %q", cut, i, got[i])
					}
				}
			}
		})
	}

	// Flush emits a frame in progress up to its last complete segment.
	d := NewDeframer(0)
	var got []string
	emit := func(m []byte) { got = append(got, string(m)) }
	d.Feed([]byte("\x0bMSH|^~\\&|A|B\rPID|1||MOU"), emit)
	d.Flush(emit)
	if len(got) != 1 || got[0] != "MSH|^~\\&|A|B\r" || d.Stats().MissingTrailer != 1 {
		t.Errorf("Flush: %q %+v", got, d.Stats())
	}
	// Reset drops it.
	d.Feed([]byte("\x0bMSH|^~\\&|A|B\r"), emit)
	d.Reset()
	d.Feed(b, emit)
	if len(got) != 2 || got[1] != ackMsg || d.Stats().Dropped != 1 {
		t.Errorf("Reset: %q %+v", got, d.Stats())
	}

	// Memory is bounded by the limit.
	d = NewDeframer(1000)
	huge := cat([]byte("\x0b"), bytes.Repeat([]byte("OBX|1|ST|X||y\r"), 10000), []byte("\x1c\r"))
	for off := 0; off < len(huge); off += 1448 {
		d.Feed(huge[off:min(off+1448, len(huge))], func([]byte) {})
		if cap(d.buf) > 1000 {
			t.Fatalf("buffer grew to %d", cap(d.buf))
		}
	}
	if d.Stats().Truncated != 1 {
		t.Errorf("%+v", d.Stats())
	}
}

func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

func TestLooksLikeMLLP(t *testing.T) {
	for in, want := range map[string]bool{
		"\x0bMSH|^~\\&|": true, "\x0bMSH": true, "\x0bMS": false, "MSH|": false, "\x0bPID|": false, "": false,
	} {
		if got := LooksLikeMLLP([]byte(in)); got != want {
			t.Errorf("LooksLikeMLLP(%q) = %v", in, got)
		}
	}
}

// TestDeframerBudget: many connections with unfinished messages share one
// byte budget; once it is spent, frames are truncated (counted), not
// buffered, and the bytes come back when the streams end.
func TestDeframerBudget(t *testing.T) {
	b := membudget.New(256 << 10)
	msg := append([]byte{StartBlock}, []byte("MSH|^~\\&|PUMP|WARD|EMR|HOSP|20260101||ORU^R01|1|P|2.5\r")...)
	filler := bytes.Repeat([]byte("OBX|1|NM|x||1|\r"), 4000) // 60 KB, no trailer
	ds := make([]*Deframer, 100)
	for i := range ds {
		ds[i] = NewDeframer(0)
		ds[i].SetBudget(b)
		ds[i].Feed(msg, func([]byte) {})
		ds[i].Feed(filler, func([]byte) {})
	}
	st := b.Stats()
	if st.Used > 256<<10 || st.Denied == 0 {
		t.Fatalf("budget %+v: want at most 256 KiB held and denials", st)
	}
	var denied int64
	var got int
	for _, d := range ds {
		denied += d.Stats().BudgetDenied
		d.Feed([]byte{EndBlock, cr}, func(m []byte) {
			got++
			if !bytes.HasPrefix(m, []byte("MSH|")) {
				t.Errorf("truncated message lost its header: %.20q", m)
			}
		})
	}
	var empty int64
	for _, d := range ds {
		empty += d.Stats().Empty
	}
	// Connections refused their very first bytes kept nothing (an empty
	// frame, counted); the others emit their truncated message.
	if denied == 0 || got == 0 || got+int(empty) != len(ds) {
		t.Errorf("denied %d, messages %d, empty %d; want denials and every frame emitted or counted", denied, got, empty)
	}
	for _, d := range ds {
		d.Release()
	}
	if u := b.Stats().Used; u != 0 {
		t.Errorf("%d bytes still held after every stream released", u)
	}
}
