// Package sip reads the User-Agent and Server headers of SIP messages (RFC
// 3261, UDP/TCP port 5060) for device identification: IP phones, paging
// and nurse-call gateways and PBXs name their product and firmware there
// ("Cisco-CP8845/14.2.1", "Yealink SIP-T54W 96.86.0.70", "Asterisk PBX 18").
//
// ParseInto reads one message head (one UDP datagram, or the first bytes of
// a TCP direction) with the httphdr scanner and does not allocate; values
// alias the input and are not sanitised. Bounded by httphdr.MaxHeadBytes and
// httphdr.MaxLines. Only the start line, User-Agent and Server are read:
// From, To, Contact and the SDP body (names, extensions, call parties) are
// never looked at.
//
// # Signals and their strength as evidence
//
//	sip.user_agent  User-Agent of requests (and of some responses): phone or softphone model and firmware; strong for voip-phone class, manufacturer, model and firmware
//	sip.server      Server of responses: the PBX or gateway product and version; strong for its software
//
// SIP requests are often relayed by proxies; the User-Agent describes the
// host that originated the message, which is the sender only when the
// message has a single Via header (ViaCount 1).
package sip

import (
	"bytes"
	"errors"

	"github.com/wardwatch/wardwatch/sensor/httphdr"
)

// Port is the SIP port (UDP and TCP).
const Port = 5060

// ErrNotSIP means the data does not start with a SIP/2.0 request or status
// line.
var ErrNotSIP = errors.New("sip: not a SIP message")

// Message is what one SIP message head says. Zero values mean absent.
type Message struct {
	httphdr.StartLine
	UserAgent []byte
	Server    []byte
	ViaCount  int  // Via header values (a relayed request has more than one)
	Complete  bool // the head ended with a blank line
}

// ParseInto decodes the SIP message head at the start of b into m without
// allocating. m is reset first.
func ParseInto(b []byte, m *Message) error {
	*m = Message{}
	var s httphdr.Scanner
	start, ok := s.Init(b)
	if !ok {
		return ErrNotSIP
	}
	if m.StartLine, ok = httphdr.ParseStartLine(start, "SIP"); !ok {
		return ErrNotSIP
	}
	for {
		name, v, ok := s.Next()
		if !ok {
			break
		}
		switch {
		case m.UserAgent == nil && httphdr.EqualFold(name, "user-agent"):
			m.UserAgent = v
		case m.Server == nil && httphdr.EqualFold(name, "server"):
			m.Server = v
		case httphdr.EqualFold(name, "via") || httphdr.EqualFold(name, "v"):
			m.ViaCount += 1 + bytes.Count(v, []byte{','})
		}
	}
	m.Complete = s.Complete()
	return nil
}
