// Package tcpsig computes the passive TCP fingerprint of a SYN or SYN+ACK
// packet in the signature format of p0f 3 (Michal Zalewski's passive OS
// fingerprinting tool; format documented in its README and p0f.fp):
//
//	ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass
//	4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0
//
// ver is the IP version; ittl the observed TTL plus the guessed distance to
// the next of 32, 64, 128 or 255 ("ttl+?" when that exceeds 35 hops); olen
// the IPv4 options length; mss the MSS option; wsize the window, written as
// a multiple of the MSS or MTU when it is one (p0f's detect_win_multi
// rules), then the window scale; olayout the TCP options in order (eol+N
// with N padding bytes, nop, mss, ws, sok, sack, ts, ?N for others); quirks
// (df, id+, id-, ecn, 0+, flow, seq-, ack+, ack-, uptr+, urgf+, pushf+,
// ts1-, ts2+, opt+, exws, bad) and the payload class (0 none, + some). The
// packet parsing follows p0f's process.c so that the same packet gives the
// same string; tcpsig_test.go checks that against p0f 3.09b itself on the
// shared captures. Matching signatures against a database is not done here.
//
// ParseInto takes the IP packet (from its IPv4 or IPv6 header; IPv6
// extension headers are not walked, as in p0f) and does not allocate;
// AppendP0F writes the string into a caller buffer (64 bytes suffice for
// common packets; at most MaxOpts options are recorded). Hostile input:
// every length is checked, the option walk is bounded by the header length
// and MaxOpts.
//
// # Signals and their strength as evidence
//
//	tcp.syn_sig     SYN signature of a client: OS family and often version of its TCP stack (Windows, Linux, macOS/iOS, embedded RTOS stacks such as lwIP or VxWorks); medium alone (middleboxes and tuning change it), strong when it agrees with DHCP or User-Agent
//	tcp.synack_sig  SYN+ACK signature of a server: the same for the listening side (a device's embedded web or DICOM server)
//	tcp.ittl        initial TTL (64 Linux/macOS/iOS/Android, 128 Windows, 255 network gear and many RTOS): weak alone, a useful contradiction check
//
// The signature describes the stack of the packet's source; seen through a
// router, the TTL is lowered by the hops between (attribute by IP).
package tcpsig

import (
	"encoding/binary"
	"errors"
	"strconv"
)

// MaxOpts is the number of TCP options recorded (p0f's MAX_TCP_OPT).
const MaxOpts = 24

// maxDist is the largest TTL distance shown (p0f's MAX_DIST).
const maxDist = 35

// Quirk bits, in p0f's output order.
const (
	QuirkDF         = 1 << iota // IPv4 don't fragment
	QuirkNonZeroID              // DF set and IP ID non-zero
	QuirkZeroID                 // DF not set and IP ID zero
	QuirkECN                    // ECN bits in IP or TCP
	QuirkMBZ                    // IPv4 reserved flag set
	QuirkFlow                   // IPv6 flow label non-zero
	QuirkZeroSeq                // sequence number zero
	QuirkNonZeroAck             // ACK number non-zero without ACK flag
	QuirkZeroAck                // ACK flag with ACK number zero
	QuirkNonZeroURG             // urgent pointer non-zero without URG
	QuirkURG                    // URG flag
	QuirkPush                   // PUSH flag
	QuirkZeroTS1                // own timestamp zero
	QuirkNonZeroTS2             // peer timestamp non-zero on a SYN
	QuirkOptEOLNZ               // non-zero bytes after the EOL option
	QuirkExcessWS               // window scale above 14
	QuirkOptBad                 // malformed options
)

var quirkNames = [...]string{"df", "id+", "id-", "ecn", "0+", "flow", "seq-", "ack+", "ack-", "uptr+", "urgf+",
	"pushf+", "ts1-", "ts2+", "opt+", "exws", "bad"}

// TCP option kinds.
const (
	OptEOL    = 0
	OptNOP    = 1
	OptMSS    = 2
	OptWS     = 3
	OptSACKOK = 4
	OptSACK   = 5
	OptTS     = 8
)

// Errors.
var (
	// ErrNotTCP means the packet is not a complete, unfragmented IPv4 or
	// IPv6 packet carrying a TCP header.
	ErrNotTCP = errors.New("tcpsig: not an IP packet with a TCP header")
	// ErrNotSYN means the segment is neither a SYN nor a SYN+ACK.
	ErrNotSYN = errors.New("tcpsig: not a SYN or SYN+ACK")
)

// Sig is the fingerprint of one SYN or SYN+ACK.
type Sig struct {
	IPVersion uint8
	TTL       uint8 // observed
	IPOptLen  uint8
	SYNACK    bool // a SYN+ACK (server side); else a SYN

	MSS     uint16
	Window  uint16
	WScale  uint8
	Opts    [MaxOpts]uint8 // option kinds in order
	NumOpts int
	EOLPad  uint8 // bytes after an EOL option
	TS1     uint32

	Quirks  uint32
	Payload bool
	totHdr  int // IP + TCP header length
}

// ParseInto reads the IP packet b (starting at the IP header) into s
// without allocating. It fails with ErrNotSYN for segments other than SYN
// and SYN+ACK (s is still filled in).
func ParseInto(b []byte, s *Sig) error {
	*s = Sig{}
	if len(b) < 40 {
		return ErrNotTCP
	}
	var tcp []byte
	switch b[0] >> 4 {
	case 4:
		hl := int(b[0]&0xf) * 4
		tot := int(binary.BigEndian.Uint16(b[2:]))
		if tot < 40 || tot > len(b) {
			return ErrNotTCP
		}
		b = b[:tot] // ignore Ethernet padding, as p0f does
		flags := binary.BigEndian.Uint16(b[6:])
		if hl < 20 || hl+20 > len(b) || b[9] != 6 || flags&^0xc000 != 0 {
			return ErrNotTCP
		}
		s.IPVersion, s.IPOptLen, s.TTL = 4, uint8(hl-20), b[8]
		if b[1]&3 != 0 {
			s.Quirks |= QuirkECN
		}
		if flags&0x8000 != 0 {
			s.Quirks |= QuirkMBZ
		}
		id := binary.BigEndian.Uint16(b[4:])
		switch {
		case flags&0x4000 != 0:
			s.Quirks |= QuirkDF
			if id != 0 {
				s.Quirks |= QuirkNonZeroID
			}
		case id == 0:
			s.Quirks |= QuirkZeroID
		}
		s.totHdr, tcp = hl, b[hl:]
	case 6:
		tot := 40 + int(binary.BigEndian.Uint16(b[4:]))
		if tot < 60 || tot > len(b) || b[6] != 6 {
			return ErrNotTCP
		}
		b = b[:tot]
		vt := binary.BigEndian.Uint32(b)
		s.IPVersion, s.TTL = 6, b[7]
		if vt&0xfffff != 0 {
			s.Quirks |= QuirkFlow
		}
		if (vt>>20)&3 != 0 {
			s.Quirks |= QuirkECN
		}
		s.totHdr, tcp = 40, b[40:]
	default:
		return ErrNotTCP
	}
	return s.tcp(tcp)
}

// TCP flag bits.
const (
	fFIN = 0x01
	fSYN = 0x02
	fRST = 0x04
	fPSH = 0x08
	fACK = 0x10
	fURG = 0x20
	fECE = 0x40
	fCWR = 0x80
)

func (s *Sig) tcp(t []byte) error {
	doff := int(t[12]>>4) * 4
	if doff < 20 || doff > len(t) {
		return ErrNotTCP
	}
	s.totHdr += doff
	flags := t[13]
	typ := flags & (fSYN | fACK | fFIN | fRST)
	s.Window = binary.BigEndian.Uint16(t[14:])
	if flags&(fECE|fCWR) != 0 || t[12]&0x01 != 0 { // ECE, CWR or NS
		s.Quirks |= QuirkECN
	}
	if binary.BigEndian.Uint32(t[4:]) == 0 {
		s.Quirks |= QuirkZeroSeq
	}
	ack := binary.BigEndian.Uint32(t[8:])
	switch {
	case flags&fACK != 0 && ack == 0:
		s.Quirks |= QuirkZeroAck
	case flags&fACK == 0 && ack&1 != 0 && flags&fRST == 0:
		// p0f 3.09b tests "ack & !(flags & RST)", a bitwise and with 1:
		// only an odd ACK number counts. Kept for identical signatures.
		s.Quirks |= QuirkNonZeroAck
	}
	switch {
	case flags&fURG != 0:
		s.Quirks |= QuirkURG
	case binary.BigEndian.Uint16(t[18:]) != 0:
		s.Quirks |= QuirkNonZeroURG
	}
	if flags&fPSH != 0 {
		s.Quirks |= QuirkPush
	}
	s.Payload = len(t) > doff
	s.SYNACK = typ == fSYN|fACK
	s.options(t[20:doff], typ == fSYN)
	if typ != fSYN && typ != fSYN|fACK {
		return ErrNotSYN
	}
	return nil
}

// options walks the TCP options like p0f's parse_packet.
func (s *Sig) options(o []byte, pureSYN bool) {
	i := 0
	for i < len(o) && s.NumOpts < MaxOpts {
		kind := o[i]
		s.Opts[s.NumOpts] = kind
		s.NumOpts++
		i++
		rest := len(o) - i
		switch kind {
		case OptEOL:
			// As p0f: skip zero padding; a non-zero byte before the last
			// one is "opt+" (p0f's loop does not see one in the last byte).
			s.EOLPad = uint8(rest)
			for i < len(o) {
				c := o[i]
				i++
				if c != 0 {
					break
				}
			}
			if i != len(o) {
				s.Quirks |= QuirkOptEOLNZ
				i = len(o)
			}
		case OptNOP:
		case OptMSS:
			if rest < 3 {
				s.Quirks |= QuirkOptBad
				return
			}
			if o[i] != 4 {
				s.Quirks |= QuirkOptBad
			}
			s.MSS = binary.BigEndian.Uint16(o[i+1:])
			i += 3
		case OptWS:
			if rest < 2 {
				s.Quirks |= QuirkOptBad
				return
			}
			if o[i] != 3 {
				s.Quirks |= QuirkOptBad
			}
			s.WScale = o[i+1]
			if s.WScale > 14 {
				s.Quirks |= QuirkExcessWS
			}
			i += 2
		case OptSACKOK:
			if rest < 1 {
				s.Quirks |= QuirkOptBad
				return
			}
			if o[i] != 2 {
				s.Quirks |= QuirkOptBad
			}
			i++
		case OptSACK:
			if rest < 1 || o[i] < 10 || o[i] > 34 || int(o[i])-1 > rest {
				s.Quirks |= QuirkOptBad
				return
			}
			i += int(o[i]) - 1
		case OptTS:
			if rest < 9 {
				s.Quirks |= QuirkOptBad
				return
			}
			if o[i] != 10 {
				s.Quirks |= QuirkOptBad
			}
			s.TS1 = binary.BigEndian.Uint32(o[i+1:])
			if s.TS1 == 0 {
				s.Quirks |= QuirkZeroTS1
			}
			if pureSYN && binary.BigEndian.Uint32(o[i+5:]) != 0 {
				s.Quirks |= QuirkNonZeroTS2
			}
			i += 9
		default:
			if rest < 1 || o[i] < 2 || o[i] > 40 || int(o[i])-1 > rest {
				s.Quirks |= QuirkOptBad
				return
			}
			i += int(o[i]) - 1
		}
	}
	if i != len(o) {
		s.Quirks |= QuirkOptBad
	}
}

// Distance returns the guessed hop count: the difference to the next
// common initial TTL (32, 64, 128, 255).
func (s *Sig) Distance() int {
	t := int(s.TTL)
	switch {
	case t <= 32:
		return 32 - t
	case t <= 64:
		return 64 - t
	case t <= 128:
		return 128 - t
	}
	return 255 - t
}

// InitialTTL is the observed TTL plus Distance.
func (s *Sig) InitialTTL() int { return int(s.TTL) + s.Distance() }

// IPv4 and IPv6 header plus TCP header lengths (p0f's MIN_TCP4/MIN_TCP6).
const (
	minTCP4 = 40
	minTCP6 = 60
)

// windowMultiple mirrors p0f's detect_win_multi: the window as a multiple
// of the MSS (or of the MTU when mtu is set); n is -1 when it is neither.
// peerMSS is the MSS of the SYN a SYN+ACK answers (0 for a SYN).
func (s *Sig) windowMultiple(peerMSS uint16) (n int, mtu bool) {
	win, mss := int(s.Window), int(s.MSS)
	if win == 0 || mss < 100 {
		return -1, false
	}
	type div struct {
		d   int
		mtu bool
		ok  bool
	}
	divs := [...]div{
		{mss, false, true},
		{mss - 12, false, s.TS1 != 0},
		{1500 - minTCP4, false, true},
		{1500 - minTCP4 - 12, false, true},
		{1500 - minTCP6, false, s.IPVersion == 6},
		{1500 - minTCP6 - 12, false, s.IPVersion == 6},
		{mss + minTCP4, true, true},
		{mss + s.totHdr, true, true},
		{mss + minTCP6, true, s.IPVersion == 6},
		{1500, true, true},
		{int(peerMSS), false, peerMSS != 0},
		{int(peerMSS) - 12, false, peerMSS != 0},
	}
	for _, d := range divs {
		if d.ok && d.d > 0 && win%d.d == 0 {
			return win / d.d, d.mtu
		}
	}
	return -1, false
}

// AppendP0F appends the p0f raw signature. peerMSS is the MSS of the SYN
// that a SYN+ACK answers (p0f uses it for the window), 0 if unknown or for
// a SYN.
func (s *Sig) AppendP0F(dst []byte, peerMSS uint16) []byte {
	dst = strconv.AppendUint(dst, uint64(s.IPVersion), 10)
	dst = append(dst, ':')
	dst = strconv.AppendUint(dst, uint64(s.TTL), 10)
	dst = append(dst, '+')
	if d := s.Distance(); d > maxDist {
		dst = append(dst, '?')
	} else {
		dst = strconv.AppendUint(dst, uint64(d), 10)
	}
	dst = append(dst, ':')
	dst = strconv.AppendUint(dst, uint64(s.IPOptLen), 10)
	dst = append(dst, ':')
	if s.SYNACK && s.MSS == 1331 { // p0f-sendsyn's probe MSS echoed back
		dst = append(dst, '*')
	} else {
		dst = strconv.AppendUint(dst, uint64(s.MSS), 10)
	}
	dst = append(dst, ':')
	if n, mtu := s.windowMultiple(peerMSS); n > 0 {
		if mtu {
			dst = append(dst, "mtu*"...)
		} else {
			dst = append(dst, "mss*"...)
		}
		dst = strconv.AppendUint(dst, uint64(n), 10)
	} else {
		dst = strconv.AppendUint(dst, uint64(s.Window), 10)
	}
	dst = append(dst, ',')
	dst = strconv.AppendUint(dst, uint64(s.WScale), 10)
	dst = append(dst, ':')
	for i, k := range s.Opts[:s.NumOpts] {
		if i > 0 {
			dst = append(dst, ',')
		}
		switch k {
		case OptEOL:
			dst = append(dst, "eol+"...)
			dst = strconv.AppendUint(dst, uint64(s.EOLPad), 10)
		case OptNOP:
			dst = append(dst, "nop"...)
		case OptMSS:
			dst = append(dst, "mss"...)
		case OptWS:
			dst = append(dst, "ws"...)
		case OptSACKOK:
			dst = append(dst, "sok"...)
		case OptSACK:
			dst = append(dst, "sack"...)
		case OptTS:
			dst = append(dst, "ts"...)
		default:
			dst = append(dst, '?')
			dst = strconv.AppendUint(dst, uint64(k), 10)
		}
	}
	dst = append(dst, ':')
	first := true
	for i, name := range quirkNames {
		if s.Quirks&(1<<i) == 0 {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, name...)
	}
	if s.Payload {
		return append(dst, ":+"...)
	}
	return append(dst, ":0"...)
}
