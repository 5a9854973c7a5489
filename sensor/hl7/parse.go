package hl7

import (
	"bytes"
	"errors"
)

// Errors returned by Parse and ParseInto.
var (
	// ErrNoMSH means the message does not start with an MSH segment.
	ErrNoMSH = errors.New("hl7: message does not start with an MSH segment")
	// ErrBadDelimiters means MSH-1/MSH-2 do not define usable delimiters.
	ErrBadDelimiters = errors.New("hl7: invalid field separator or encoding characters")
)

// MaxEquipment is the number of distinct equipment identifiers kept per
// message.
const MaxEquipment = 16

// maxValueLen caps each string a Message holds.
const maxValueLen = 256

// Equipment sources.
const (
	SourcePRT10 = "PRT-10" // Participation Device
	SourcePRT16 = "PRT-16" // Participation Device Identifier (UDI DI)
	SourceOBX18 = "OBX-18" // Equipment Instance Identifier
)

// Equipment is a device identifier found in a message.
type Equipment struct {
	Source string // SourcePRT10, SourcePRT16 or SourceOBX18
	// Value is one repetition of the field (an EI: entity identifier,
	// namespace ID, universal ID, universal ID type), components joined by
	// '^' and subcomponents by '&'.
	Value string
}

// Message holds the header and equipment data of one HL7 v2 message.
//
// Field values are kept as they appear in the message: the whole field (of
// its first repetition) with its components, except where noted. The
// message's own component and subcomponent separators are rewritten as '^'
// and '&' so that values compare equal whatever MSH-2 declared; escape
// sequences (\F\, \S\, ...) are not decoded. Bytes outside printable ASCII
// become '?', and each value is capped at 256 bytes.
type Message struct {
	FieldSep      string // MSH-1
	EncodingChars string // MSH-2

	SendingApplication   string // MSH-3 (HD: namespace^universal ID^type)
	SendingFacility      string // MSH-4
	ReceivingApplication string // MSH-5
	ReceivingFacility    string // MSH-6

	MessageType      string // MSH-9.1, e.g. "ADT"
	TriggerEvent     string // MSH-9.2, e.g. "A01"
	MessageStructure string // MSH-9.3, e.g. "ADT_A01"

	ControlID    string // MSH-10
	ProcessingID string // MSH-11.1: P, T or D
	Version      string // MSH-12.1, e.g. "2.5.1"

	AckCode      string // MSA-1 (AA, AE, AR, CA, CE, CR) if the message has an MSA segment
	AckControlID string // MSA-2: control ID of the acknowledged message

	Equipment []Equipment // distinct, in order of appearance, at most MaxEquipment
}

// EquipmentView is an Equipment whose Value aliases the parsed message.
type EquipmentView struct {
	Source string
	Value  []byte
}

// MessageView is the allocation-free result of ParseInto. Its byte slices
// alias the parsed message and are only valid as long as that buffer is
// (for a Deframer callback: during the call). Call Message to keep a copy.
type MessageView struct {
	FieldSep      byte
	EncodingChars []byte

	SendingApplication, SendingFacility, ReceivingApplication, ReceivingFacility []byte

	MessageType, TriggerEvent, MessageStructure []byte
	ControlID, ProcessingID, Version            []byte
	AckCode, AckControlID                       []byte

	Equipment        [MaxEquipment]EquipmentView
	NumEquipment     int
	EquipmentDropped int // identifiers not kept because the list was full (repeats count again)
	Segments         int // segments in the message (all types)

	comp, rep, sub byte
}

// Parse parses msg and returns a Message that does not alias it.
func Parse(msg []byte) (Message, error) {
	var v MessageView
	if err := ParseInto(msg, &v); err != nil {
		return Message{}, err
	}
	return v.Message(), nil
}

// ParseInto parses msg into v without allocating. Only MSH, MSA, PRT
// (fields 10 and 16) and OBX (field 18) are read; other segments are skipped
// unread. Segments may end with <CR>, <LF> or <CR><LF>. The delimiters are
// taken from MSH-1 and MSH-2, not assumed.
func ParseInto(msg []byte, v *MessageView) error {
	*v = MessageView{}
	// Tolerate blank lines before the header.
	for len(msg) > 0 && (msg[0] == cr || msg[0] == lf) {
		msg = msg[1:]
	}
	if len(msg) < 4 || msg[0] != 'M' || msg[1] != 'S' || msg[2] != 'H' {
		return ErrNoMSH
	}
	fs := msg[3]
	if !delimiterOK(fs) {
		return ErrBadDelimiters
	}
	mshLen := segmentEnd(msg)
	msh := msg[:mshLen]
	v.FieldSep = fs

	// MSH-n is field n-1 when splitting on the field separator, because
	// MSH-1 is the separator itself.
	var f [12][]byte
	splitFields(msh, fs, f[:])
	enc := f[1]
	v.EncodingChars = enc
	v.comp, v.rep, v.sub = '^', '~', '&'
	if len(enc) >= 1 {
		v.comp = enc[0]
	}
	if len(enc) >= 2 {
		v.rep = enc[1]
	}
	if len(enc) >= 4 {
		v.sub = enc[3]
	}
	for _, ch := range enc {
		if !delimiterOK(ch) {
			return ErrBadDelimiters
		}
	}
	v.SendingApplication = v.firstRep(f[2])
	v.SendingFacility = v.firstRep(f[3])
	v.ReceivingApplication = v.firstRep(f[4])
	v.ReceivingFacility = v.firstRep(f[5])
	v.MessageType = v.component(f[8], 1)
	v.TriggerEvent = v.component(f[8], 2)
	v.MessageStructure = v.component(f[8], 3)
	v.ControlID = v.firstRep(f[9])
	v.ProcessingID = v.component(f[10], 1)
	v.Version = v.component(f[11], 1)
	v.Segments = 1

	rest := msg[mshLen:]
	for len(rest) > 0 {
		if rest[0] == cr || rest[0] == lf {
			rest = rest[1:]
			continue
		}
		n := segmentEnd(rest)
		seg := rest[:n]
		rest = rest[n:]
		v.Segments++
		if len(seg) < 3 || (len(seg) > 3 && seg[3] != fs) {
			continue
		}
		switch {
		case seg[0] == 'M' && seg[1] == 'S' && seg[2] == 'A':
			if v.AckCode == nil {
				var m [3][]byte
				splitFields(seg, fs, m[:])
				v.AckCode = v.component(m[1], 1)
				v.AckControlID = v.firstRep(m[2])
			}
		case seg[0] == 'P' && seg[1] == 'R' && seg[2] == 'T':
			var p [17][]byte
			splitFields(seg, fs, p[:])
			v.addEquipment(SourcePRT10, p[10])
			v.addEquipment(SourcePRT16, p[16])
		case seg[0] == 'O' && seg[1] == 'B' && seg[2] == 'X':
			var o [19][]byte
			splitFields(seg, fs, o[:])
			v.addEquipment(SourceOBX18, o[18])
		}
	}
	return nil
}

// delimiterOK rejects bytes that cannot be HL7 delimiters: alphanumerics,
// segment terminators, MLLP framing bytes and NUL.
func delimiterOK(ch byte) bool {
	switch {
	case ch >= '0' && ch <= '9', ch >= 'A' && ch <= 'Z', ch >= 'a' && ch <= 'z':
		return false
	case ch == cr, ch == lf, ch == 0, ch == StartBlock, ch == EndBlock:
		return false
	}
	return true
}

// segmentEnd returns the length of the segment at the start of b (up to
// the first <CR> or <LF>).
func segmentEnd(b []byte) int {
	n := bytes.IndexByte(b, cr)
	if n < 0 {
		n = len(b)
	}
	if m := bytes.IndexByte(b[:n], lf); m >= 0 {
		n = m
	}
	return n
}

// splitFields stores in out[i] the i-th field of seg (out[0] is the segment
// name), stopping after len(out) fields. Missing fields stay nil.
func splitFields(seg []byte, fs byte, out [][]byte) {
	// A plain loop: fields are short, so this beats repeated IndexByte.
	n, start := 0, 0
	for i, ch := range seg {
		if ch != fs {
			continue
		}
		out[n] = seg[start:i]
		n++
		if n == len(out) {
			return
		}
		start = i + 1
	}
	out[n] = seg[start:]
}

// firstRep returns the first repetition of a field.
func (v *MessageView) firstRep(field []byte) []byte {
	if i := bytes.IndexByte(field, v.rep); i >= 0 {
		return field[:i]
	}
	return field
}

// component returns component n (1-based) of the first repetition.
func (v *MessageView) component(field []byte, n int) []byte {
	field = v.firstRep(field)
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(field, v.comp)
		if j < 0 {
			return nil
		}
		field = field[j+1:]
	}
	if j := bytes.IndexByte(field, v.comp); j >= 0 {
		field = field[:j]
	}
	return field
}

// addEquipment records every non-empty repetition of field.
func (v *MessageView) addEquipment(source string, field []byte) {
	for len(field) > 0 {
		r := field
		if i := bytes.IndexByte(field, v.rep); i >= 0 {
			r, field = field[:i], field[i+1:]
		} else {
			field = nil
		}
		if isEmptyValue(r, v.comp, v.sub) {
			continue
		}
		dup := false
		for i := range v.NumEquipment {
			e := &v.Equipment[i]
			if e.Source == source && bytes.Equal(e.Value, r) {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		if v.NumEquipment == MaxEquipment {
			v.EquipmentDropped++
			continue
		}
		v.Equipment[v.NumEquipment] = EquipmentView{Source: source, Value: r}
		v.NumEquipment++
	}
}

// isEmptyValue reports whether b holds nothing but separators ("^^^").
func isEmptyValue(b []byte, comp, sub byte) bool {
	for _, ch := range b {
		if ch != comp && ch != sub {
			return false
		}
	}
	return true
}

// Message returns a copy of the view that does not alias the message.
func (v *MessageView) Message() Message {
	m := Message{
		EncodingChars:        v.clean(v.EncodingChars, false),
		SendingApplication:   v.clean(v.SendingApplication, true),
		SendingFacility:      v.clean(v.SendingFacility, true),
		ReceivingApplication: v.clean(v.ReceivingApplication, true),
		ReceivingFacility:    v.clean(v.ReceivingFacility, true),
		MessageType:          v.clean(v.MessageType, true),
		TriggerEvent:         v.clean(v.TriggerEvent, true),
		MessageStructure:     v.clean(v.MessageStructure, true),
		ControlID:            v.clean(v.ControlID, true),
		ProcessingID:         v.clean(v.ProcessingID, true),
		Version:              v.clean(v.Version, true),
		AckCode:              v.clean(v.AckCode, true),
		AckControlID:         v.clean(v.AckControlID, true),
	}
	if v.FieldSep != 0 {
		m.FieldSep = v.clean([]byte{v.FieldSep}, false)
	}
	if v.NumEquipment > 0 {
		m.Equipment = make([]Equipment, v.NumEquipment)
		for i := range v.NumEquipment {
			e := v.Equipment[i]
			m.Equipment[i] = Equipment{Source: e.Source, Value: v.clean(e.Value, true)}
		}
	}
	return m
}

// clean copies b, capped at maxValueLen bytes, with non-printable bytes
// replaced by '?' and, if normalize is set, the message's component and
// subcomponent separators rewritten as '^' and '&'.
func (v *MessageView) clean(b []byte, normalize bool) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > maxValueLen {
		b = b[:maxValueLen]
	}
	out := make([]byte, len(b))
	for i, ch := range b {
		switch {
		case normalize && ch == v.comp:
			ch = '^'
		case normalize && ch == v.sub:
			ch = '&'
		case ch < 0x20 || ch > 0x7e:
			ch = '?'
		}
		out[i] = ch
	}
	return string(out)
}
