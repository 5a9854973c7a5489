// Package dicom is a passive parser for the DICOM upper layer protocol
// (PS3.8) as seen on a SPAN port: it follows both directions of one TCP
// connection and reports what the association negotiated (AE titles,
// presentation contexts, implementation class UID and version name, maximum
// PDU lengths, role selection) and which DIMSE commands (PS3.7) were sent.
//
// No PHI: the parser works at association and DIMSE command level only.
// Command sets are parsed from the command PDVs of P-DATA-TF PDUs; data-set
// PDVs, which carry the patient data, are skipped by length and never
// buffered, copied or stored. A-ASSOCIATE user identity items (user names,
// passcodes, tokens) are never copied either; only their type is reported.
//
// Every byte is treated as hostile. Lengths are checked before slicing, a
// connection buffers at most one association PDU (Limits.MaxAssociatePDU)
// and one command set (Limits.MaxCommandBytes) per direction, and nothing
// panics. A direction that loses PDU framing (a header that cannot be a PDU)
// hunts for the next plausible PDU header; after Limits.MaxDesyncs such
// errors it stops parsing.
//
// A Conn is not safe for concurrent use; the TCP reassembler that owns the
// connection feeds it from one goroutine.
package dicom

import (
	"encoding/binary"
	"errors"

	"github.com/wardwatch/wardwatch/sensor/membudget"
)

// PDU types (PS3.8 section 9.3).
const (
	PDUAssociateRQ = 0x01
	PDUAssociateAC = 0x02
	PDUAssociateRJ = 0x03
	PDUPData       = 0x04
	PDUReleaseRQ   = 0x05
	PDUReleaseRP   = 0x06
	PDUAbort       = 0x07
)

// Errors reported by Conn.Err.
var (
	// ErrDesync means a direction saw a PDU header that cannot be one; the
	// parser lost framing and hunted for the next plausible header.
	ErrDesync = errors.New("dicom: invalid PDU header, framing lost")
	// ErrMalformed means a PDU or item had inconsistent lengths or fields.
	ErrMalformed = errors.New("dicom: malformed PDU")
	// ErrOversize means an association PDU or a command set was larger than
	// the configured limit and was skipped.
	ErrOversize = errors.New("dicom: PDU or command set over the size limit")
	// ErrGaveUp means a direction had more than Limits.MaxDesyncs framing
	// errors; it is no longer parsed.
	ErrGaveUp = errors.New("dicom: too many framing errors, stopped parsing")
)

// Limits bounds the memory and work spent on one connection. Zero fields
// take the defaults below.
type Limits struct {
	// MaxAssociatePDU is the largest A-ASSOCIATE-RQ/AC PDU body that is
	// buffered and parsed (default 64 KiB). Larger ones are skipped by
	// length and counted as oversize.
	MaxAssociatePDU int
	// MaxCommandBytes is the largest command set (over all its fragments)
	// that is buffered (default 4 KiB).
	MaxCommandBytes int
	// MaxCommands is the number of distinct (command, SOP class) pairs kept
	// in Association.Commands (default 32).
	MaxCommands int
	// MaxDesyncs is the number of framing errors tolerated per direction
	// before that direction stops being parsed (default 4).
	MaxDesyncs int
	// Budget, when set, is the byte allowance shared by every connection
	// of the sensor: association PDU bodies and command buffers are drawn
	// from it. Without room a PDU is skipped by length and a command set
	// dropped, as oversize ones are, and counted in Stats.BudgetDenied.
	// Call Conn.Release when the connection ends.
	Budget *membudget.Budget
}

// Default limits.
const (
	DefaultMaxAssociatePDU = 64 << 10
	DefaultMaxCommandBytes = 4 << 10
	DefaultMaxCommands     = 32
	DefaultMaxDesyncs      = 4
)

// Bounds on what one association can make us keep.
const (
	maxContexts        = 128 // presentation context IDs are odd numbers 1..255
	maxTransferSyntax  = 16  // per presentation context
	maxRoles           = 64
	maxUIDLen          = 64 // PS3.5 9.1
	maxNameLen         = 64
	maxHuntAssociate   = 1 << 20 // plausible A-ASSOCIATE-RQ/AC length while hunting
	maxHuntPData       = 1 << 26 // plausible P-DATA-TF length while hunting
	huntWindow         = 48      // >= the longest look-ahead plausible needs (42)
	pduHeaderLen       = 6
	pdvHeaderLen       = 6 // item length (4), presentation context ID, message control header
	associateFixedPart = 68
)

func (l Limits) withDefaults() Limits {
	if l.MaxAssociatePDU <= 0 {
		l.MaxAssociatePDU = DefaultMaxAssociatePDU
	}
	if l.MaxCommandBytes <= 0 {
		l.MaxCommandBytes = DefaultMaxCommandBytes
	}
	if l.MaxCommands <= 0 {
		l.MaxCommands = DefaultMaxCommands
	}
	if l.MaxDesyncs <= 0 {
		l.MaxDesyncs = DefaultMaxDesyncs
	}
	return l
}

// Stats counts what a Conn has seen. All counters are cumulative over both
// directions.
type Stats struct {
	PDUs         int64 // PDU headers accepted
	PDataPDUs    int64 // P-DATA-TF PDUs
	CommandPDVs  int64 // command fragments
	DataPDVs     int64 // data-set fragments (skipped)
	DataBytes    int64 // data-set bytes skipped without buffering
	Commands     int64 // complete command sets parsed
	SkippedBytes int64 // bytes discarded while hunting for a PDU header
	GapBytes     int64 // bytes reported missing by Gap inside skipped data
	Malformed    int   // malformed PDUs, items or command sets
	Oversize     int   // association PDUs or command sets over the limits
	Desyncs      int   // framing errors (see ErrDesync)
	Gaps         int   // gaps that forced a resynchronisation
	BudgetDenied int   // buffers the shared byte budget refused
}

// Conn follows one TCP connection carrying the DICOM upper layer protocol.
// The zero value is ready to use with the default Limits.
type Conn struct {
	lim    Limits
	limSet bool
	dirs   [2]direction
	assoc  Association
	stats  Stats
	err    error
	gaveUp bool
}

// NewConn returns a Conn with the given limits (zero fields take defaults).
func NewConn(l Limits) *Conn {
	return &Conn{lim: l.withDefaults(), limSet: true}
}

type state uint8

const (
	stHeader     state = iota // accumulating a 6-byte PDU header
	stBody                    // buffering an association-control PDU body
	stSkip                    // skipping the rest of a PDU
	stPDVHeader               // accumulating a PDV item header inside P-DATA-TF
	stPDVCommand              // buffering a command fragment
	stPDVData                 // skipping a data-set fragment
)

// direction is the framing state of one half of the connection.
type direction struct {
	synced bool // false: hunting for a plausible PDU header
	dead   bool
	st     state

	hdr  [pduHeaderLen]byte
	hdrN int

	pduType  byte
	pduRem   int64 // body bytes of the current PDU not yet consumed
	body     []byte
	bodyWant int
	bodyHeld int     // bytes of body drawn from the budget
	small    [4]byte // body of RJ, release and abort PDUs

	pdv     [pdvHeaderLen]byte
	pdvN    int
	pdvRem  int64 // value bytes of the current PDV not yet consumed
	pdvCmd  bool
	pdvLast bool

	cmd     []byte // command set being assembled; never data-set bytes
	cmdOver bool
	cmdHeld int // bytes of cmd drawn from the budget

	carry  [huntWindow]byte // look-ahead while hunting across chunk boundaries
	carryN int
	final  bool // no more data will come: undecided candidates are rejected

	desyncs int
}

func (c *Conn) limits() Limits {
	if !c.limSet {
		c.lim = c.lim.withDefaults()
		c.limSet = true
	}
	return c.lim
}

// Feed processes the next bytes of one direction of the connection, in
// order. Data may be split anywhere and hold several PDUs. fromRequestor is
// true for the association requestor (normally the TCP client). Feed
// neither keeps nor modifies data.
func (c *Conn) Feed(fromRequestor bool, data []byte) {
	c.limits()
	c.feedDir(c.dir(fromRequestor), data)
}

func (c *Conn) dir(fromRequestor bool) *direction {
	if fromRequestor {
		return &c.dirs[0]
	}
	return &c.dirs[1]
}

// Gap tells the parser that n bytes are missing from one direction, for
// example because the reassembler skipped a hole; n < 0 means unknown. A gap
// that falls inside a data-set fragment or a skipped PDU is stepped over;
// anywhere else the direction hunts for the next plausible PDU header.
func (c *Conn) Gap(fromRequestor bool, n int) {
	c.limits()
	d := c.dir(fromRequestor)
	if d.dead || n == 0 {
		return
	}
	if d.synced && n > 0 {
		m := int64(n)
		switch {
		case d.st == stPDVData && m <= d.pdvRem:
			d.pdvRem -= m
			d.pduRem -= m
			c.stats.GapBytes += m
			if d.pdvRem == 0 {
				c.endPDV(d)
			}
			return
		case d.st == stSkip && m <= d.pduRem:
			d.pduRem -= m
			c.stats.GapBytes += m
			if d.pduRem == 0 {
				d.st = stHeader
			}
			return
		}
	}
	c.stats.Gaps++
	d.lose(c.lim.Budget)
}

// Flush tells the parser that the connection has ended (or that a
// direction will get no more data). While hunting for a PDU header after a
// mid-stream join or a framing error, a candidate header near the end of the
// stream may be waiting for look-ahead bytes that will never come; Flush
// rejects it and scans the bytes after it, so that a final A-RELEASE or
// A-ABORT is still seen. Data fed after Flush is parsed normally.
func (c *Conn) Flush() {
	c.limits()
	for i := range c.dirs {
		d := &c.dirs[i]
		d.final = true
		for !d.dead && !d.synced && d.carryN > 0 {
			c.huntCarry(d)
		}
		d.final = false
	}
}

// Association returns what has been learned about the association so far.
// The result is a deep copy and safe to keep.
func (c *Conn) Association() Association { return c.assoc.clone() }

// Stats returns the connection's counters.
func (c *Conn) Stats() Stats { return c.stats }

// Malformed returns the number of malformed PDUs, items and command sets.
func (c *Conn) Malformed() int { return c.stats.Malformed }

// Err returns nil if the stream parsed cleanly, ErrGaveUp once a direction
// stopped being parsed, or otherwise the first error seen.
func (c *Conn) Err() error {
	if c.gaveUp {
		return ErrGaveUp
	}
	return c.err
}

func (c *Conn) fail(err error) {
	c.stats.Malformed++
	if c.err == nil {
		c.err = err
	}
}

// lose drops all framing state of d; it will hunt for a PDU header.
func (d *direction) lose(budget *membudget.Budget) {
	d.synced = false
	d.st = stHeader
	d.hdrN = 0
	d.pdvN = 0
	d.releaseBody(budget)
	d.cmd = d.cmd[:0]
	d.cmdOver = false
	d.carryN = 0
}

func (c *Conn) feedDir(d *direction, data []byte) {
	for len(data) > 0 && !d.dead {
		switch {
		case d.synced:
			data = data[c.step(d, data):]
		case d.carryN == 0:
			data = data[c.huntInPlace(d, data):]
		default:
			k := copy(d.carry[d.carryN:], data)
			d.carryN += k
			data = data[k:]
			c.huntCarry(d)
		}
	}
}

// step consumes bytes of a synced direction. It returns the number of bytes
// consumed; it returns 0 only after changing state, so callers progress.
func (c *Conn) step(d *direction, data []byte) int {
	switch d.st {
	case stHeader:
		n := copy(d.hdr[d.hdrN:], data)
		d.hdrN += n
		if d.hdrN == pduHeaderLen {
			d.hdrN = 0
			c.startPDU(d)
		}
		return n

	case stBody:
		n := min(d.bodyWant-len(d.body), len(data))
		d.body = append(d.body, data[:n]...)
		d.pduRem -= int64(n)
		if len(d.body) == d.bodyWant {
			c.endBody(d)
		}
		return n

	case stSkip:
		n := len(data)
		if int64(n) > d.pduRem {
			n = int(d.pduRem)
		}
		d.pduRem -= int64(n)
		if d.pduRem == 0 {
			d.st = stHeader
		}
		return n

	case stPDVHeader:
		if d.pduRem == 0 {
			d.st = stHeader
			return 0
		}
		if d.pdvN == 0 && d.pduRem < pdvHeaderLen {
			c.fail(ErrMalformed) // trailing bytes too short for a PDV item
			d.dropCommand()
			d.st = stSkip
			return 0
		}
		n := copy(d.pdv[d.pdvN:], data)
		d.pdvN += n
		d.pduRem -= int64(n)
		if d.pdvN < pdvHeaderLen {
			return n
		}
		d.pdvN = 0
		l := int64(binary.BigEndian.Uint32(d.pdv[0:4]))
		if l < 2 || l-2 > d.pduRem {
			c.fail(ErrMalformed)
			d.dropCommand()
			d.st = stSkip
			if d.pduRem == 0 {
				d.st = stHeader
			}
			return n
		}
		d.pdvRem = l - 2
		mch := d.pdv[5]
		d.pdvCmd = mch&0x01 != 0
		d.pdvLast = mch&0x02 != 0
		if d.pdvCmd {
			c.stats.CommandPDVs++
			d.st = stPDVCommand
		} else {
			c.stats.DataPDVs++
			d.dropCommand() // a command cannot continue across a data fragment
			d.st = stPDVData
		}
		if d.pdvRem == 0 {
			c.endPDV(d)
		}
		return n

	case stPDVCommand:
		n := len(data)
		if int64(n) > d.pdvRem {
			n = int(d.pdvRem)
		}
		if !d.cmdOver && d.cmdHeld == 0 {
			// The command buffer is drawn once at its full size and kept
			// for the connection (steady state allocates nothing).
			if c.lim.Budget.Take(c.lim.MaxCommandBytes) {
				d.cmdHeld = c.lim.MaxCommandBytes
				d.cmd = make([]byte, 0, d.cmdHeld)
			} else {
				c.stats.BudgetDenied++
				d.cmdOver = true
			}
		}
		if !d.cmdOver {
			if n <= c.lim.MaxCommandBytes-len(d.cmd) {
				d.cmd = append(d.cmd, data[:n]...)
			} else {
				d.cmdOver = true
				d.cmd = d.cmd[:0]
			}
		}
		d.pdvRem -= int64(n)
		d.pduRem -= int64(n)
		if d.pdvRem == 0 {
			c.endPDV(d)
		}
		return n

	case stPDVData:
		n := len(data)
		if int64(n) > d.pdvRem {
			n = int(d.pdvRem)
		}
		d.pdvRem -= int64(n)
		d.pduRem -= int64(n)
		c.stats.DataBytes += int64(n)
		if d.pdvRem == 0 {
			c.endPDV(d)
		}
		return n
	}
	// Unreachable; recover framing rather than spin.
	d.lose(c.lim.Budget)
	return 0
}

func (d *direction) dropCommand() {
	d.cmd = d.cmd[:0]
	d.cmdOver = false
}

// startPDU validates a complete PDU header of a synced direction.
// PS3.8 9.3.1: the reserved byte is not tested on receipt.
func (c *Conn) startPDU(d *direction) {
	t := d.hdr[0]
	l := int64(binary.BigEndian.Uint32(d.hdr[2:6]))
	switch t {
	case PDUAssociateRQ, PDUAssociateAC:
		if l < associateFixedPart {
			c.desync(d)
			return
		}
		c.stats.PDUs++
		d.pduType = t
		d.pduRem = l
		if l > int64(c.lim.MaxAssociatePDU) {
			c.stats.Oversize++
			c.fail(ErrOversize)
			d.st = stSkip
			return
		}
		if !c.lim.Budget.Take(int(l)) {
			c.stats.BudgetDenied++
			d.st = stSkip
			return
		}
		d.bodyWant = int(l)
		d.body = make([]byte, 0, d.bodyWant)
		d.bodyHeld = int(l)
		d.st = stBody

	case PDUAssociateRJ, PDUReleaseRQ, PDUReleaseRP, PDUAbort:
		if l != 4 {
			c.desync(d)
			return
		}
		c.stats.PDUs++
		d.pduType = t
		d.pduRem = l
		d.bodyWant = 4
		d.body = d.small[:0:4]
		d.st = stBody

	case PDUPData:
		c.stats.PDUs++
		c.stats.PDataPDUs++
		d.pduType = t
		d.pduRem = l
		switch {
		case l == 0:
			c.fail(ErrMalformed)
			d.st = stHeader
		case l < pdvHeaderLen:
			c.fail(ErrMalformed)
			d.st = stSkip
		default:
			d.st = stPDVHeader
			d.pdvN = 0
		}

	default:
		c.desync(d)
	}
}

// desync handles a header that cannot start a PDU: the direction hunts for
// the next plausible header, starting with the byte after the bad one.
func (c *Conn) desync(d *direction) {
	c.stats.Desyncs++
	c.fail(ErrDesync)
	d.desyncs++
	hdr := d.hdr
	d.lose(c.lim.Budget)
	if d.desyncs > c.lim.MaxDesyncs {
		d.dead = true
		c.gaveUp = true
		return
	}
	d.carryN = copy(d.carry[:], hdr[1:])
}

// releaseBody drops the association PDU buffer and returns its bytes.
func (d *direction) releaseBody(budget *membudget.Budget) {
	d.body = nil
	budget.Release(d.bodyHeld)
	d.bodyHeld = 0
}

// Release gives every buffer of the connection back to the shared budget
// (Limits.Budget); call it when the connection ends. The Conn may still be
// read (State, Association, Stats) afterwards.
func (c *Conn) Release() {
	for i := range c.dirs {
		d := &c.dirs[i]
		d.releaseBody(c.lim.Budget)
		d.cmd = nil
		c.lim.Budget.Release(d.cmdHeld)
		d.cmdHeld = 0
	}
}

func (c *Conn) endBody(d *direction) {
	b := d.body
	held := d.bodyHeld
	d.body, d.bodyHeld = nil, 0 // association PDUs are rare: do not keep the buffer
	defer c.lim.Budget.Release(held)
	d.st = stHeader
	switch d.pduType {
	case PDUAssociateRQ:
		c.parseAssociate(b, true)
	case PDUAssociateAC:
		c.parseAssociate(b, false)
	case PDUAssociateRJ:
		c.assoc.State = StateRejected
		c.assoc.Reject = Reject{Result: b[1], Source: b[2], Reason: b[3]}
	case PDUReleaseRQ:
		c.assoc.State = StateReleasing
	case PDUReleaseRP:
		c.assoc.State = StateReleased
	case PDUAbort:
		c.assoc.State = StateAborted
		c.assoc.Abort = Abort{Source: b[2], Reason: b[3]}
	}
}

// endPDV finishes a PDV whose value has been consumed.
func (c *Conn) endPDV(d *direction) {
	if d.pdvCmd && d.pdvLast {
		if d.cmdOver {
			c.stats.Oversize++
			c.fail(ErrOversize)
		} else {
			c.parseCommand(d.cmd, d == &c.dirs[0])
		}
		d.dropCommand()
	}
	d.st = stPDVHeader
}

// Verdicts of plausible.
const (
	verdictNo = iota
	verdictYes
	verdictMore // not enough bytes to decide
)

// plausible decides whether b starts with a believable PDU header. It is
// stricter than the synced parser: reserved bytes must be zero and the first
// fields of the body must make sense. It never needs more than 42 bytes, and
// its verdict depends only on those bytes, not on how many follow.
func plausible(b []byte) int {
	if len(b) < 1 {
		return verdictMore
	}
	t := b[0]
	if t < PDUAssociateRQ || t > PDUAbort {
		return verdictNo
	}
	if len(b) < 2 {
		return verdictMore
	}
	if b[1] != 0 {
		return verdictNo
	}
	if len(b) < pduHeaderLen {
		return verdictMore
	}
	l := binary.BigEndian.Uint32(b[2:6])
	switch t {
	case PDUAssociateRQ, PDUAssociateAC:
		if l < associateFixedPart || l > maxHuntAssociate {
			return verdictNo
		}
		if len(b) < 42 {
			return verdictMore
		}
		if b[6] != 0 || b[7] != 1 { // protocol version 1
			return verdictNo
		}
		called, calling := b[10:26], b[26:42]
		if t == PDUAssociateRQ {
			if !aeTitleOK(called) || !aeTitleOK(calling) {
				return verdictNo
			}
		} else if !acTitleOK(called) || !acTitleOK(calling) {
			return verdictNo
		}
		return verdictYes
	case PDUAssociateRJ:
		if l != 4 {
			return verdictNo
		}
		if len(b) < 10 {
			return verdictMore
		}
		if b[6] != 0 || b[7] < 1 || b[7] > 2 || b[8] < 1 || b[8] > 3 || b[9] > 10 {
			return verdictNo
		}
		return verdictYes
	case PDUReleaseRQ, PDUReleaseRP:
		if l != 4 {
			return verdictNo
		}
		if len(b) < 10 {
			return verdictMore
		}
		if b[6]|b[7]|b[8]|b[9] != 0 {
			return verdictNo
		}
		return verdictYes
	case PDUAbort:
		if l != 4 {
			return verdictNo
		}
		if len(b) < 10 {
			return verdictMore
		}
		if b[6]|b[7] != 0 || b[8] > 2 || b[9] > 6 {
			return verdictNo
		}
		return verdictYes
	default: // PDUPData
		if l < pdvHeaderLen || l > maxHuntPData {
			return verdictNo
		}
		if len(b) < 12 {
			return verdictMore
		}
		pl := binary.BigEndian.Uint32(b[6:10])
		if pl < 2 || pl > l-4 || b[10]&1 == 0 || b[11]&^0x03 != 0 {
			return verdictNo
		}
		return verdictYes
	}
}

// aeTitleOK: 16 bytes of the AE VR (printable ASCII without backslash),
// not all spaces.
func aeTitleOK(b []byte) bool {
	blank := true
	for _, ch := range b {
		if ch < 0x20 || ch > 0x7e || ch == '\\' {
			return false
		}
		if ch != ' ' {
			blank = false
		}
	}
	return !blank
}

// acTitleOK: the AE title fields of an A-ASSOCIATE-AC are reserved (sent as
// in the RQ but not tested): accept a valid title or all zeros.
func acTitleOK(b []byte) bool {
	for _, ch := range b {
		if ch != 0 {
			return aeTitleOK(b)
		}
	}
	return true
}

// LooksLikeAssociateRQ reports whether b starts with a plausible
// A-ASSOCIATE-RQ PDU: type 1, reserved byte 0, a sane length, protocol
// version 1 and printable called and calling AE titles. It needs the first
// 42 bytes and is meant for content detection on any port.
func LooksLikeAssociateRQ(b []byte) bool {
	return len(b) > 0 && b[0] == PDUAssociateRQ && plausible(b) == verdictYes
}

// huntInPlace scans data for a plausible PDU header. On success it returns
// the header's offset and the direction is synced; if a candidate runs off
// the end of data, the tail is kept in d.carry.
func (c *Conn) huntInPlace(d *direction, data []byte) int {
	for i := 0; i < len(data); i++ {
		if t := data[i]; t < PDUAssociateRQ || t > PDUAbort {
			continue
		}
		switch plausible(data[i:]) {
		case verdictYes:
			c.stats.SkippedBytes += int64(i)
			d.synced = true
			d.st = stHeader
			return i
		case verdictMore:
			c.stats.SkippedBytes += int64(i)
			d.carryN = copy(d.carry[:], data[i:])
			return len(data)
		}
	}
	c.stats.SkippedBytes += int64(len(data))
	return len(data)
}

// huntCarry resolves the look-ahead kept in d.carry: it syncs on the first
// plausible header in it (replaying the carried bytes), keeps an undecided
// candidate, or drops everything.
func (c *Conn) huntCarry(d *direction) {
	for p := 0; p < d.carryN; p++ {
		if t := d.carry[p]; t < PDUAssociateRQ || t > PDUAbort {
			continue
		}
		v := plausible(d.carry[p:d.carryN])
		if v == verdictMore && d.final {
			v = verdictNo
		}
		switch v {
		case verdictYes:
			c.stats.SkippedBytes += int64(p)
			var pend [huntWindow]byte
			n := copy(pend[:], d.carry[p:d.carryN])
			d.carryN = 0
			clear(d.carry[:])
			d.synced = true
			d.st = stHeader
			// The replay is at most huntWindow bytes; a nested desync can
			// only recurse on strictly fewer bytes, so depth is bounded.
			c.feedDir(d, pend[:n])
			return
		case verdictMore:
			c.stats.SkippedBytes += int64(p)
			d.carryN = copy(d.carry[:], d.carry[p:d.carryN])
			clear(d.carry[d.carryN:])
			return
		}
	}
	c.stats.SkippedBytes += int64(d.carryN)
	d.carryN = 0
	clear(d.carry[:])
}
