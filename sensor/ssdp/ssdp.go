// Package ssdp decodes SSDP (UPnP device architecture 2.0 section 1, UDP
// port 1900) announcements, searches and search responses for device
// identification: the SERVER header ("OS/version UPnP/1.x product/version"),
// the notification or search type (NT/ST: "urn:schemas-upnp-org:device:
// MediaServer:1"), the USN with the device UUID, and LOCATION (the URL of
// the device description, which carries manufacturer and model but is only
// fetched by active scanners: Wardwatch never fetches it).
//
// ParseInto reads one datagram with the httphdr scanner and does not
// allocate; values alias the input and are not sanitised. Bounded by
// httphdr.MaxHeadBytes and httphdr.MaxLines.
//
// # Signals and their strength as evidence
//
//	ssdp.server      SERVER of NOTIFY and search responses: OS and UPnP stack, often product and version ("Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0"; ServerTokens splits OS and product); strong for OS and software
//	ssdp.device_type device type URN of NT/ST/USN ("InternetGatewayDevice", "MediaRenderer", "Printer"); medium-strong for device type
//	ssdp.usn         USN uuid: a stable device identifier across address changes; identity, not type
//	ssdp.user_agent  USER-AGENT of M-SEARCH (control points: phones, PCs, apps); medium for OS
//
// A NOTIFY or search response describes its sender; an M-SEARCH says only
// what its sender looks for (ST), plus its USER-AGENT.
package ssdp

import (
	"bytes"
	"errors"

	"github.com/wardwatch/wardwatch/sensor/httphdr"
)

// Port is the SSDP UDP port.
const Port = 1900

// Kinds of message.
const (
	KindNotify   = 1 // NOTIFY * HTTP/1.1
	KindSearch   = 2 // M-SEARCH * HTTP/1.1
	KindResponse = 3 // HTTP/1.1 200 OK (unicast search response)
)

// ErrNotSSDP means the datagram is not an SSDP NOTIFY, M-SEARCH or
// response.
var ErrNotSSDP = errors.New("ssdp: not an SSDP message")

// Message is what one SSDP datagram says. Zero values mean absent.
type Message struct {
	Kind      int
	Status    int    // response status code
	Server    []byte // SERVER
	UserAgent []byte // USER-AGENT
	Location  []byte // LOCATION
	NT        []byte // notification type
	NTS       []byte // ssdp:alive, ssdp:byebye, ssdp:update
	ST        []byte // search target
	USN       []byte // unique service name
	Complete  bool   // the head ended with a blank line
}

// ParseInto decodes the SSDP datagram b into m without allocating. m is
// reset first.
func ParseInto(b []byte, m *Message) error {
	*m = Message{}
	var s httphdr.Scanner
	start, ok := s.Init(b)
	if !ok {
		return ErrNotSSDP
	}
	sl, ok := httphdr.ParseStartLine(start, "HTTP")
	switch {
	case !ok:
		return ErrNotSSDP
	case !sl.Request:
		m.Kind, m.Status = KindResponse, sl.Status
	case string(sl.Method) == "NOTIFY":
		m.Kind = KindNotify
	case string(sl.Method) == "M-SEARCH":
		m.Kind = KindSearch
	default:
		return ErrNotSSDP
	}
	for {
		name, v, ok := s.Next()
		if !ok {
			break
		}
		switch {
		case m.Server == nil && httphdr.EqualFold(name, "server"):
			m.Server = v
		case m.UserAgent == nil && httphdr.EqualFold(name, "user-agent"):
			m.UserAgent = v
		case m.Location == nil && httphdr.EqualFold(name, "location"):
			m.Location = v
		case m.NT == nil && httphdr.EqualFold(name, "nt"):
			m.NT = v
		case m.NTS == nil && httphdr.EqualFold(name, "nts"):
			m.NTS = v
		case m.ST == nil && httphdr.EqualFold(name, "st"):
			m.ST = v
		case m.USN == nil && httphdr.EqualFold(name, "usn"):
			m.USN = v
		}
	}
	m.Complete = s.Complete()
	return nil
}

// DeviceType returns the device type of a "urn:<domain>:device:<type>:<v>"
// in NT, ST or USN (in that order), e.g. "MediaServer"; nil if none names a
// device.
func (m *Message) DeviceType() []byte {
	for _, v := range [3][]byte{m.NT, m.ST, m.USN} {
		i := bytes.Index(v, []byte(":device:"))
		if i < 0 {
			continue
		}
		t := v[i+len(":device:"):]
		if j := bytes.IndexByte(t, ':'); j >= 0 {
			t = t[:j]
		}
		if len(t) > 0 {
			return t
		}
	}
	return nil
}

// UUID returns the uuid of the USN ("uuid:<uuid>[::...]"), without the
// "uuid:" prefix; nil if the USN does not start with one.
func (m *Message) UUID() []byte {
	const p = "uuid:"
	if len(m.USN) <= len(p) || !httphdr.EqualFold(m.USN[:len(p)], p) {
		return nil
	}
	u := m.USN[len(p):]
	if i := bytes.Index(u, []byte("::")); i >= 0 {
		u = u[:i]
	}
	return u
}

// ServerTokens splits SERVER (or, for a search, USER-AGENT) in the UPnP
// device architecture form "OS/version UPnP/x.y product/version" into the
// part before the UPnP token (the OS), the UPnP token and the part after it
// (the product: often vendor and model). Commas used as separators (as the
// libupnp SDK writes them) are trimmed. Without a UPnP token, os is the
// whole value and the others are nil.
func (m *Message) ServerTokens() (os, upnp, product []byte) {
	v := m.Server
	if v == nil {
		v = m.UserAgent
	}
	for i := 0; i+5 <= len(v); i++ {
		if (i == 0 || v[i-1] == ' ' || v[i-1] == ',') && httphdr.EqualFold(v[i:i+5], "upnp/") {
			j := i + 5
			for j < len(v) && v[j] != ' ' && v[j] != ',' {
				j++
			}
			return trimSep(v[:i]), v[i:j], trimSep(v[j:])
		}
	}
	return trimSep(v), nil, nil
}

// trimSep trims spaces and commas at both ends.
func trimSep(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == ',') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == ',') {
		b = b[:len(b)-1]
	}
	return b
}
