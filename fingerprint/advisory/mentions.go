package advisory

import (
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// MentionKind says what a remediation text names.
type MentionKind string

const (
	MentionPort    MentionKind = "port"    // "port 3613", "TCP port 3613", "443/tcp", "UDP 161"
	MentionService MentionKind = "service" // a protocol by name: "DNS", "DHCP", "HTTPS", "DICOM", ...
	MentionAddress MentionKind = "address" // an IPv4 or IPv6 address or prefix
)

// Mention is one port, service or address a remediation text names, with
// its place in the text (byte offsets, for highlighting).
type Mention struct {
	Kind    MentionKind  `json:"kind"`
	Start   int          `json:"start"`
	End     int          `json:"end"`
	Text    string       `json:"text"`
	Proto   string       `json:"proto,omitempty"`   // "tcp" or "udp" when the text says so
	Port    uint16       `json:"port,omitempty"`    // MentionPort
	Service string       `json:"service,omitempty"` // MentionService, lowercase ("dns", "dhcp", ...)
	Prefix  netip.Prefix `json:"prefix,omitzero"`   // MentionAddress (a single address is a /32 or /128)
}

var (
	// "port 3613", "ports 80 and 443", "TCP port 3613", "port 3613/TCP",
	// "ports 80, 443, 8080".
	portWord = regexp.MustCompile(`(?i)\b(?:(tcp|udp)\s+)?ports?\s+(?:number\s+)?(\d{1,5}(?:\s*(?:,|and|or|/)\s*\d{1,5})*)(?:\s*/\s*(tcp|udp)\b)?`)
	// "443/tcp", "TCP/443", "UDP 161", "tcp:443".
	portProto = regexp.MustCompile(`(?i)\b(?:(\d{1,5})\s*/\s*(tcp|udp)|(tcp|udp)\s*[/: ]\s*(\d{1,5}))\b`)
	// Services by their usual acronym, case-sensitive so prose does not match.
	serviceWord = regexp.MustCompile(`\b(DNS|DHCP|NTP|HTTPS|HTTP|SSH|Telnet|TELNET|FTP|SFTP|SMB|CIFS|RDP|SNMP|DICOM|HL7|MLLP|SMTP|LDAPS|LDAP|VNC|SMB|NetBIOS|RPC)\b`)
	// Candidate IPv4 addresses or prefixes; checked with netip.
	ipv4Cand = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:/\d{1,2})?\b`)
	// Candidate IPv6 addresses: hex groups with at least two colons.
	ipv6Cand = regexp.MustCompile(`(?i)\b[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:/\d{1,3})?`)
	// A version number is written after one of these words, never an address.
	versionWord = regexp.MustCompile(`(?i)\b(versions?|v|release|build|firmware|software|sw|rev|revision|update|patch)\s*$`)
	numList     = regexp.MustCompile(`\d{1,5}`)
)

// maxMentionText bounds the text scanned (remediation texts are paragraphs).
const maxMentionText = 64 << 10

// findMentions returns the ports, services and addresses text names, sorted
// by position, without overlaps (the longer, earlier mention wins).
func findMentions(text string) []Mention {
	if len(text) > maxMentionText {
		text = text[:maxMentionText]
	}
	var ms []Mention
	for _, loc := range portWord.FindAllStringSubmatchIndex(text, -1) {
		proto := strings.ToLower(sub(text, loc, 1) + sub(text, loc, 3))
		if len(proto) > 3 {
			proto = proto[:3]
		}
		for _, n := range numList.FindAllString(sub(text, loc, 2), -1) {
			if p, ok := portNumber(n); ok {
				ms = append(ms, Mention{Kind: MentionPort, Start: loc[0], End: loc[1], Text: text[loc[0]:loc[1]], Proto: proto, Port: p})
			}
		}
	}
	for _, loc := range portProto.FindAllStringSubmatchIndex(text, -1) {
		n, proto := sub(text, loc, 1), sub(text, loc, 2)
		if n == "" {
			n, proto = sub(text, loc, 4), sub(text, loc, 3)
		}
		if p, ok := portNumber(n); ok {
			ms = append(ms, Mention{Kind: MentionPort, Start: loc[0], End: loc[1], Text: text[loc[0]:loc[1]], Proto: strings.ToLower(proto), Port: p})
		}
	}
	for _, loc := range serviceWord.FindAllStringIndex(text, -1) {
		w := text[loc[0]:loc[1]]
		ms = append(ms, Mention{Kind: MentionService, Start: loc[0], End: loc[1], Text: w, Service: strings.ToLower(w)})
	}
	for _, loc := range ipv4Cand.FindAllStringIndex(text, -1) {
		if m, ok := addressAt(text, loc); ok {
			ms = append(ms, m)
		}
	}
	for _, loc := range ipv6Cand.FindAllStringIndex(text, -1) {
		if m, ok := addressAt(text, loc); ok {
			ms = append(ms, m)
		}
	}
	return dropOverlaps(ms)
}

func sub(s string, loc []int, i int) string {
	if 2*i+1 >= len(loc) || loc[2*i] < 0 {
		return ""
	}
	return s[loc[2*i]:loc[2*i+1]]
}

func portNumber(s string) (uint16, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, false
	}
	return uint16(n), true
}

// addressAt checks a candidate address: it must parse, and a dotted quad
// written after "version", "build", ... or inside a longer dotted number is
// a version ("Version 12.2.1.5"), not an address.
func addressAt(text string, loc []int) (Mention, bool) {
	s := text[loc[0]:loc[1]]
	if loc[0] > 0 && (text[loc[0]-1] == '.' || text[loc[0]-1] == ':') {
		return Mention{}, false
	}
	if loc[1] < len(text)-1 && (text[loc[1]] == '.' || text[loc[1]] == ':') && isDigitByte(text[loc[1]+1]) {
		return Mention{}, false
	}
	if versionWord.MatchString(text[max(0, loc[0]-24):loc[0]]) {
		return Mention{}, false
	}
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return Mention{}, false
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return Mention{}, false
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if p.Addr().Is6() && strings.Count(s, ":") < 2 {
		return Mention{}, false
	}
	return Mention{Kind: MentionAddress, Start: loc[0], End: loc[1], Text: s, Prefix: p}, true
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// dropOverlaps sorts mentions by position and drops any that overlaps an
// earlier (or, at the same start, longer) one; several ports of one
// "ports 80 and 443" mention share its span and are all kept.
func dropOverlaps(ms []Mention) []Mention {
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Start != ms[j].Start {
			return ms[i].Start < ms[j].Start
		}
		if ms[i].End != ms[j].End {
			return ms[i].End > ms[j].End
		}
		return ms[i].Port < ms[j].Port
	})
	out := ms[:0]
	end, start := -1, -1
	for _, m := range ms {
		if m.Start < end && !(m.Start == start && m.End == end && m.Kind == MentionPort) {
			continue
		}
		if len(out) > 0 && m.Start == start && m.End == end && m.Kind == MentionPort && out[len(out)-1].Port == m.Port {
			continue
		}
		out = append(out, m)
		start, end = m.Start, m.End
	}
	return out
}
