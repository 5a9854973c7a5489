// Package httphdr reads the start line and headers of HTTP/1.x-style
// messages (HTTP, and through Scanner also SSDP, SIP and RTSP) without
// allocating, and extracts what identifies the two ends of a cleartext HTTP
// connection: the first request's User-Agent and Host, the first response's
// Server.
//
// Only the head of a message is read: the start line and header lines up
// to the blank line, at most MaxHeadBytes bytes and MaxLines lines. Lines
// may end with CRLF or a bare LF; obsolete line folding (a line starting
// with a space or tab) continues the previous header and is not joined.
// Values alias the input; a caller that keeps one copies it and treats it as
// untrusted text (nothing is sanitised or decoded).
//
// # Signals and their strength as evidence
//
//	http.user_agent  first request's User-Agent: OS and client software ("Windows NT 10.0", "Microsoft-Delivery-Optimization/10.0", an infusion pump's embedded client); medium-strong for OS family, easily set by software
//	http.server      first response's Server: the serving software and often the device ("Microsoft-IIS/10.0", "EPICENTRO UPnP/1.0 MiniUPnPd/1.6", embedded web servers of printers and monitors); strong for the server side's software and version
//	http.host        first request's Host: the name the client connects to; says what the client uses (update servers, vendor clouds), weak for its identity
//
// Cleartext HTTP only; the request's source and the response's source are
// the two ends of the connection (attributed by IP when seen through a
// router).
package httphdr

import "bytes"

// Bounds.
const (
	MaxHeadBytes = 8 << 10 // bytes of a message head scanned
	MaxLines     = 100     // header lines scanned
)

// Scanner walks the header lines of one message head.
type Scanner struct {
	rest  []byte
	lines int
	done  bool // saw the blank line that ends the head
}

// Init starts scanning msg and returns its start line (without the line
// ending). ok is false when msg holds no complete first line within
// MaxHeadBytes.
func (s *Scanner) Init(msg []byte) (start []byte, ok bool) {
	if len(msg) > MaxHeadBytes {
		msg = msg[:MaxHeadBytes]
	}
	*s = Scanner{rest: msg}
	start, ok = s.line()
	return start, ok
}

// Next returns the next header's name and value (surrounding white space
// trimmed). It returns ok false at the end of the head, after MaxLines
// lines, or when the data ends before the blank line.
func (s *Scanner) Next() (name, value []byte, ok bool) {
	for !s.done && s.lines < MaxLines {
		l, ok := s.line()
		if !ok {
			return nil, nil, false
		}
		s.lines++
		if len(l) == 0 {
			s.done = true
			return nil, nil, false
		}
		if l[0] == ' ' || l[0] == '\t' {
			continue // obs-fold continuation
		}
		i := bytes.IndexByte(l, ':')
		if i <= 0 {
			continue // not a header line
		}
		return trim(l[:i]), trim(l[i+1:]), true
	}
	return nil, nil, false
}

// Complete reports whether the blank line ending the head was reached.
func (s *Scanner) Complete() bool { return s.done }

// Body returns what follows the head once Complete.
func (s *Scanner) Body() []byte {
	if !s.done {
		return nil
	}
	return s.rest
}

// line cuts the next line (without CRLF / LF) off s.rest.
func (s *Scanner) line() ([]byte, bool) {
	i := bytes.IndexByte(s.rest, '\n')
	if i < 0 {
		return nil, false
	}
	l := s.rest[:i]
	s.rest = s.rest[i+1:]
	if len(l) > 0 && l[len(l)-1] == '\r' {
		l = l[:len(l)-1]
	}
	return l, true
}

func trim(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// EqualFold reports whether the header name b equals name (ASCII, case
// insensitive); name must be lower case.
func EqualFold(b []byte, name string) bool {
	if len(b) != len(name) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[i] {
			return false
		}
	}
	return true
}

// StartLine is the first line of a request ("METHOD target VERSION") or a
// status line ("VERSION code reason").
type StartLine struct {
	Request bool
	Method  []byte
	Target  []byte
	Version []byte // "HTTP/1.1", "SIP/2.0", "RTSP/1.0"
	Status  int
	Reason  []byte
}

// ParseStartLine splits a start line. The version must begin with proto
// followed by '/' (e.g. proto "HTTP" or "SIP"); the method must be a token
// of at most 32 characters; the status code three digits.
func ParseStartLine(line []byte, proto string) (StartLine, bool) {
	var sl StartLine
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return sl, false
	}
	first, rest := line[:sp], line[sp+1:]
	if isVersion(first, proto) { // status line
		if len(rest) < 3 || !digit(rest[0]) || !digit(rest[1]) || !digit(rest[2]) || (len(rest) > 3 && rest[3] != ' ') {
			return sl, false
		}
		sl.Version, sl.Status = first, int(rest[0]-'0')*100+int(rest[1]-'0')*10+int(rest[2]-'0')
		if len(rest) > 4 {
			sl.Reason = rest[4:]
		}
		return sl, true
	}
	if len(first) > 32 || !token(first) {
		return sl, false
	}
	sp = bytes.LastIndexByte(rest, ' ')
	if sp < 0 || !isVersion(rest[sp+1:], proto) {
		return sl, false
	}
	sl.Request, sl.Method, sl.Target, sl.Version = true, first, rest[:sp], rest[sp+1:]
	return sl, true
}

func isVersion(b []byte, proto string) bool {
	return len(b) > len(proto)+1 && string(b[:len(proto)]) == proto && b[len(proto)] == '/'
}

func digit(c byte) bool { return '0' <= c && c <= '9' }

// token reports whether b is an RFC 9110 token of upper-case letters,
// digits and '-', '_' (methods in practice).
func token(b []byte) bool {
	for _, c := range b {
		if !('A' <= c && c <= 'Z') && !digit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return len(b) > 0
}
