// Package hl7 deframes HL7 v2 messages carried over MLLP and reads the few
// header and equipment fields Wardwatch needs to map clinical interfaces:
// MSH (applications, facilities, message type, control ID, processing ID,
// version), MSA (acknowledgment code) and the device identifiers in PRT-10,
// PRT-16 and OBX-18.
//
// No PHI: every other segment (PID, PV1, NK1, OBR, the rest of OBX, ...) is
// skipped by scanning for the next segment terminator; its bytes are never
// copied, stored or logged. The Deframer only holds the bytes of the frame in
// progress (at most its limit) when a message spans several chunks, and
// hands each message to a callback without keeping it.
//
// Every byte is treated as hostile: lengths are checked before slicing,
// memory per direction is bounded and nothing panics.
package hl7

import (
	"bytes"

	"github.com/wardwatch/wardwatch/sensor/membudget"
)

// MLLP framing bytes.
const (
	StartBlock = 0x0B // <VT>
	EndBlock   = 0x1C // <FS>, followed by <CR>
	cr         = 0x0D
	lf         = 0x0A
)

// DefaultMaxMessage is the message size limit used when NewDeframer is
// given a non-positive limit. MSH, MSA and equipment segments of typical
// messages fit well within it.
const DefaultMaxMessage = 64 << 10

// DeframerStats counts what a Deframer has seen.
type DeframerStats struct {
	Messages       int64 // messages emitted
	Empty          int64 // frames with no content (not emitted)
	GarbageBytes   int64 // bytes outside frames, skipped
	MissingTrailer int64 // frames ended by a new start byte (or Flush) instead of <FS><CR>
	Truncated      int64 // frames longer than the limit; only a prefix was emitted
	Dropped        int64 // partial frames discarded by Reset
	BudgetDenied   int64 // buffer growths the shared byte budget refused (the frame was truncated)
}

// retainBytes is the largest buffer a Deframer keeps between frames; a
// larger one (grown for a long message that spanned chunks) goes back to
// the budget once the message is emitted.
const retainBytes = 4 << 10

// Deframer splits one direction of an MLLP stream into messages:
// <VT> message <FS><CR>. It is not safe for concurrent use.
type Deframer struct {
	max      int
	in       bool   // inside a frame
	afterEnd bool   // the last byte was <FS>: a <CR> next is part of the trailer
	buf      []byte // frame in progress when it spans chunks (at most max bytes)
	over     bool   // the frame in progress exceeded max
	stats    DeframerStats
	budget   *membudget.Budget // shared by all connections; nil: no limit
}

// NewDeframer returns a Deframer that keeps at most maxMsg bytes of each
// message (DefaultMaxMessage if maxMsg <= 0).
func NewDeframer(maxMsg int) *Deframer {
	if maxMsg <= 0 {
		maxMsg = DefaultMaxMessage
	}
	return &Deframer{max: maxMsg}
}

// SetBudget makes the Deframer draw its buffer from b (shared by every
// connection of the sensor). Call it before the first Feed; call Release
// when the stream ends.
func (d *Deframer) SetBudget(b *membudget.Budget) { d.budget = b }

// Release drops the buffer and gives its bytes back to the budget. The
// Deframer stays usable (it grows a new buffer if fed again).
func (d *Deframer) Release() {
	d.budget.Release(cap(d.buf))
	d.buf = nil
}

// Stats returns the Deframer's counters.
func (d *Deframer) Stats() DeframerStats { return d.stats }

// Feed processes the next bytes of the stream; data may be split anywhere
// and hold several messages. emit is called once per complete message, in
// order. The slice passed to emit is only valid during the call (it may
// alias data or the Deframer's buffer); Feed does not keep data.
//
//   - Bytes before a start byte are skipped and counted as garbage.
//   - A start byte inside a frame ends the previous message, which is
//     emitted and counted as MissingTrailer.
//   - A message longer than the limit is cut to its first maxMsg bytes, then
//     back to the last segment terminator in them (if any) so that no
//     partial segment is emitted, and counted as Truncated.
func (d *Deframer) Feed(data []byte, emit func(msg []byte)) {
	if d.max <= 0 {
		d.max = DefaultMaxMessage
	}
	for len(data) > 0 {
		if !d.in {
			if d.afterEnd {
				d.afterEnd = false
				if data[0] == cr {
					data = data[1:]
					continue
				}
			}
			i := bytes.IndexByte(data, StartBlock)
			if i < 0 {
				d.stats.GarbageBytes += int64(len(data))
				return
			}
			d.stats.GarbageBytes += int64(i)
			data = data[i+1:]
			d.in = true
			d.buf = d.buf[:0]
			d.over = false
			continue
		}
		j := indexFrameEnd(data)
		if j < 0 {
			d.keep(data)
			return
		}
		if len(d.buf) == 0 && !d.over {
			// Whole message in this chunk: emit without copying.
			body := data[:j]
			over := len(body) > d.max
			if over {
				body = body[:d.max]
			}
			d.emit(body, over, emit)
		} else {
			d.keep(data[:j])
			d.emit(d.buf, d.over, emit)
		}
		d.in = false
		d.buf = d.buf[:0]
		d.over = false
		if cap(d.buf) > retainBytes {
			d.Release()
		}
		if data[j] == EndBlock {
			d.afterEnd = true
			data = data[j+1:]
		} else {
			d.stats.MissingTrailer++
			data = data[j:] // the start byte begins the next frame
		}
	}
}

// Flush ends the stream: a frame in progress (the connection closed before
// its trailer) is emitted, cut back to its last segment terminator since its
// last segment may be incomplete, and counted as MissingTrailer.
func (d *Deframer) Flush(emit func(msg []byte)) {
	if d.in {
		d.stats.MissingTrailer++
		if d.over {
			d.stats.Truncated++
		}
		body := d.buf[:lastTerminator(d.buf)+1] // the last segment may be cut
		d.in = false
		d.emit(body, false, emit)
	}
	d.Reset()
}

// Reset discards any frame in progress (counted as Dropped), for example
// after the reassembler reports a gap. The next bytes are treated as being
// outside a frame.
func (d *Deframer) Reset() {
	if d.in && (len(d.buf) > 0 || d.over) {
		d.stats.Dropped++
	}
	d.in = false
	d.afterEnd = false
	d.buf = d.buf[:0]
	d.over = false
}

// keep appends frame bytes to the buffer, up to the limit.
func (d *Deframer) keep(b []byte) {
	if d.over {
		return
	}
	room := d.max - len(d.buf)
	if len(b) > room {
		b = b[:room]
		d.over = true
	}
	if len(b) == 0 {
		return
	}
	if need := len(d.buf) + len(b); need > cap(d.buf) {
		// Grow geometrically but never beyond the limit, and only as far
		// as the shared budget allows: without room the frame is cut here,
		// like one over the limit.
		nc := max(2*cap(d.buf), need, 512)
		nc = min(nc, d.max)
		if !d.budget.Take(nc - cap(d.buf)) {
			d.stats.BudgetDenied++
			d.over = true
			if room := cap(d.buf) - len(d.buf); len(b) > room {
				b = b[:room]
			}
			d.buf = append(d.buf, b...)
			return
		}
		nb := make([]byte, len(d.buf), nc)
		copy(nb, d.buf)
		d.buf = nb
	}
	d.buf = append(d.buf, b...)
}

func (d *Deframer) emit(body []byte, over bool, emit func([]byte)) {
	if over {
		d.stats.Truncated++
		if k := lastTerminator(body); k >= 0 {
			body = body[:k+1]
		}
	}
	if len(body) == 0 {
		d.stats.Empty++
		return
	}
	d.stats.Messages++
	emit(body)
}

// indexFrameEnd returns the index of the first <FS> or <VT> in b, or -1.
func indexFrameEnd(b []byte) int {
	i := bytes.IndexByte(b, EndBlock)
	if i < 0 {
		i = len(b)
	}
	if j := bytes.IndexByte(b[:i], StartBlock); j >= 0 {
		return j
	}
	if i == len(b) {
		return -1
	}
	return i
}

// lastTerminator returns the index of the last <CR> or <LF> in b, or -1.
func lastTerminator(b []byte) int {
	return max(bytes.LastIndexByte(b, cr), bytes.LastIndexByte(b, lf))
}

// LooksLikeMLLP reports whether b starts an MLLP frame holding an HL7 v2
// message: <VT> followed by "MSH". It is meant for content detection on any
// port.
func LooksLikeMLLP(b []byte) bool {
	return len(b) >= 4 && b[0] == StartBlock && b[1] == 'M' && b[2] == 'S' && b[3] == 'H'
}
