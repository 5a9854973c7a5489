package fingerprint

import (
	"slices"
	"strings"

	"github.com/wardwatch/wardwatch/model"
)

// eval reports whether r matches f, appending one Evidence per matcher to ev
// when it does (ev is returned unchanged in length when it does not). pct
// is how closely it matched, 100 but for a dhcp_55_like list that is only
// similar (SimilarParams..99).
func (r *rule) eval(f *Facts, ev []Evidence) (_ []Evidence, ok bool, pct int) {
	start := len(ev)
	pct = 100
	for i := range r.unless {
		if r.unless[i].anySignal(f) {
			return ev, false, 0
		}
	}
	for i := range r.host {
		var p int
		if ev, ok, p = r.host[i].evalHost(f, r.name, ev); !ok {
			return ev[:start], false, 0
		}
		pct = min(pct, p)
	}
	if len(r.dicom) > 0 {
		if ev, ok = r.evalDICOM(f, ev); !ok {
			return ev[:start], false, 0
		}
	}
	if len(r.hl7) > 0 {
		if ev, ok = r.evalHL7(f, ev); !ok {
			return ev[:start], false, 0
		}
	}
	return ev, true, pct
}

func (m *matcher) evalHost(f *Facts, name string, ev []Evidence) ([]Evidence, bool, int) {
	var (
		src model.EvidenceSource
		val string
		pct = 100
	)
	switch m.kind {
	case mOUIVendor:
		v := vendorOf(f)
		if v == "" || !m.matchString(v) {
			return ev, false, 0
		}
		src, val = model.EvidenceOUI, v
	case mOUIPrefix:
		i := m.matchPrefix(f)
		if i < 0 {
			return ev, false, 0
		}
		src, val = model.EvidenceOUI, m.values[i]
	case mDHCP55, mDHCP55Prefix:
		if f.DHCPParamList == "" || !m.matchParamList(f.DHCPParamList) {
			return ev, false, 0
		}
		src, val = model.EvidenceDHCPParams, f.DHCPParamList
	case mDHCP55Like:
		if pct = m.similarParams(f.DHCPParamList); pct == 0 {
			return ev, false, 0
		}
		src, val = model.EvidenceDHCPParams, f.DHCPParamList
	case mDHCP60:
		if f.DHCPVendorClass == "" || !m.matchString(f.DHCPVendorClass) {
			return ev, false, 0
		}
		src, val = model.EvidenceDHCPVendorClass, f.DHCPVendorClass
	case mHostname:
		src, val = m.matchName(f)
		if val == "" {
			return ev, false, 0
		}
	case mServes:
		for i := range f.Served {
			if s := &f.Served[i]; s.Clients > 0 && slices.ContainsFunc(m.ports, func(p Served) bool { return p.Proto == s.Proto && p.Port == s.Port }) {
				src, val = model.EvidenceServed, s.String()
				break
			}
		}
		if val == "" {
			return ev, false, 0
		}
	case mSignal:
		for i := range f.Signals {
			if s := &f.Signals[i]; s.Source == m.src && m.matchString(s.Value) {
				src, val = s.Source, s.Value
				break
			}
		}
		if val == "" {
			return ev, false, 0
		}
	default:
		return ev, false, 0
	}
	return append(ev, Evidence{Source: src, Value: val, Rule: name, Strength: m.strength()}), true, pct
}

// anySignal reports whether a value of m's signal source matches m.
func (m *matcher) anySignal(f *Facts) bool {
	for i := range f.Signals {
		if s := &f.Signals[i]; s.Source == m.src && m.matchString(s.Value) {
			return true
		}
	}
	return false
}

// SimilarParams is the similarity, in percent, from which dhcp_55_like
// takes an option 55 list for one of its lists: the longest common
// subsequence of the two lists over the length of the longer one. 75 keeps
// iOS ("1,121,3,6,15,119,252") apart from macOS (the same and "95,44,46":
// 70) and takes Android 11-14's additions to Android 9's list (91 and 83).
const SimilarParams = 75

// similarParams returns the best similarity of pl to m's lists, in
// percent, or 0 when none reaches SimilarParams.
func (m *matcher) similarParams(pl string) int {
	if pl == "" {
		return 0
	}
	var buf [maxParams]byte
	have := parseParams(pl, buf[:0])
	best := 0
	for _, want := range m.lists {
		n := max(len(have), len(want))
		if n == 0 {
			continue
		}
		if p := lcs(have, want) * 100 / n; p > best {
			best = p
		}
	}
	if best < SimilarParams {
		return 0
	}
	return best
}

// maxParams bounds the option 55 lists similarity compares (a list has at
// most 255 distinct codes; real ones have under 30).
const maxParams = 64

// parseParams appends the codes of a "1,3,6" list to dst, up to maxParams.
func parseParams(pl string, dst []byte) []byte {
	n, digits := 0, 0
	for i := 0; i <= len(pl); i++ {
		if i == len(pl) || pl[i] == ',' {
			if digits > 0 && len(dst) < maxParams {
				dst = append(dst, byte(n))
			}
			n, digits = 0, 0
			continue
		}
		if c := pl[i]; '0' <= c && c <= '9' {
			n = n*10 + int(c-'0')
			digits++
		}
	}
	return dst
}

// lcs returns the length of the longest common subsequence of a and b
// (each at most maxParams long).
func lcs(a, b []byte) int {
	if len(b) > maxParams {
		b = b[:maxParams]
	}
	var prev, cur [maxParams + 1]int
	for i := range a {
		for j := range b {
			switch {
			case a[i] == b[j]:
				cur[j+1] = prev[j] + 1
			case prev[j+1] >= cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev = cur
	}
	return prev[len(b)]
}

// vendorOf is the registry vendor the OUI rules see: none for the
// all-zero OUI 00:00:00, which the registry gives to Xerox but which in
// practice is a placeholder (test equipment, unconfigured NICs).
func vendorOf(f *Facts) string {
	if placeholderMAC(f) {
		return ""
	}
	return f.Vendor
}

// placeholderMAC reports whether the MAC's OUI is 00:00:00.
func placeholderMAC(f *Facts) bool {
	return !f.MAC.IsZero() && f.MAC[0] == 0 && f.MAC[1] == 0 && f.MAC[2] == 0
}

// matchPrefix returns the index of the oui_prefix value the MAC starts with,
// or -1. The raw address is compared, so locally administered prefixes such
// as KVM's 52:54:00 match too.
func (m *matcher) matchPrefix(f *Facts) int {
	if f.MAC.IsZero() {
		return -1
	}
next:
	for i, p := range m.nibbles {
		for j, n := range p {
			b := f.MAC[j/2]
			if j%2 == 0 {
				b >>= 4
			}
			if b&0x0f != n {
				continue next
			}
		}
		return i
	}
	return -1
}

func (m *matcher) matchParamList(pl string) bool {
	for _, v := range m.values {
		if m.kind == mDHCP55 {
			if pl == v {
				return true
			}
		} else if strings.HasPrefix(pl, v) && (len(pl) == len(v) || pl[len(v)] == ',') {
			return true
		}
	}
	return false
}

// evalDICOM looks for one DICOMFact (in the rule's role, if it has one) that
// satisfies every dicom_* matcher.
func (r *rule) evalDICOM(f *Facts, ev []Evidence) ([]Evidence, bool) {
	start := len(ev)
facts:
	for i := range f.DICOM {
		d := &f.DICOM[i]
		if r.dicomRole != "" && d.Role != r.dicomRole {
			continue
		}
		ev = ev[:start]
		for j := range r.dicom {
			m := &r.dicom[j]
			var (
				src model.EvidenceSource
				val string
			)
			switch m.kind {
			case mDICOMSOPClass:
				val = firstIn(d.SOPClasses, m.values)
				src = model.EvidenceDICOMSOPClass
			case mDICOMAETitle:
				if d.AETitle != "" && m.matchString(d.AETitle) {
					val = d.AETitle
				}
				src = model.EvidenceDICOMAETitle
			case mDICOMImplVersion:
				if d.ImplVersion != "" && m.matchString(d.ImplVersion) {
					val = d.ImplVersion
				}
				src = model.EvidenceDICOMImplVer
			case mDICOMImplClassUID:
				for _, p := range m.values {
					if uidHasPrefix(d.ImplClassUID, p) {
						val = d.ImplClassUID
						break
					}
				}
				src = model.EvidenceDICOMImplUID
			case mDICOMCommand:
				for _, c := range d.Commands {
					if containsStr(m.values, c.Name) {
						val = c.String()
						break
					}
				}
				src = model.EvidenceDICOMCommand
			}
			if val == "" {
				continue facts
			}
			ev = append(ev, Evidence{Source: src, Value: val, Rule: r.name, Strength: StrengthApplication})
		}
		return ev, true
	}
	return ev[:start], false
}

// evalHL7 looks for one HL7Fact (in the rule's role, if it has one) that
// satisfies every hl7_* matcher.
func (r *rule) evalHL7(f *Facts, ev []Evidence) ([]Evidence, bool) {
	start := len(ev)
facts:
	for i := range f.HL7 {
		h := &f.HL7[i]
		if r.hl7Role != "" && h.Role != r.hl7Role {
			continue
		}
		ev = ev[:start]
		for j := range r.hl7 {
			m := &r.hl7[j]
			var (
				src model.EvidenceSource
				val string
			)
			switch m.kind {
			case mHL7Application:
				if h.Application != "" && m.matchString(h.Application) {
					val = h.Application
				}
				src = model.EvidenceHL7SendingApp
				if h.Role == model.RoleReceiver {
					src = model.EvidenceHL7ReceivingApp
				}
			case mHL7EquipmentID:
				for _, e := range h.EquipmentIDs {
					if m.matchString(e) {
						val = e
						break
					}
				}
				src = model.EvidenceHL7Equipment
			case mHL7MessageType:
				for _, t := range h.MessageTypes {
					if msgTypeMatches(t, m.values) {
						val = t
						break
					}
				}
				src = model.EvidenceHL7MessageType
			}
			if val == "" {
				continue facts
			}
			ev = append(ev, Evidence{Source: src, Value: val, Rule: r.name, Strength: StrengthApplication})
		}
		return ev, true
	}
	return ev[:start], false
}

// msgTypeMatches reports whether message type t ("ORU^R01", possibly with a
// third component "ORU^R01^ORU_R01") matches one of want: "ORU^R01" matches
// on code and trigger event, "ORU" on the code alone.
func msgTypeMatches(t string, want []string) bool {
	code, rest, _ := strings.Cut(t, "^")
	trigger, _, _ := strings.Cut(rest, "^")
	for _, w := range want {
		wc, wt, hasTrigger := strings.Cut(w, "^")
		if wc == code && (!hasTrigger || wt == trigger) {
			return true
		}
	}
	return false
}

// uidHasPrefix reports whether uid is p or lies under p ("p.").
func uidHasPrefix(uid, p string) bool {
	return strings.HasPrefix(uid, p) && (len(uid) == len(p) || uid[len(p)] == '.')
}

// firstIn returns the first element of have that is in want, or "".
func firstIn(have, want []string) string {
	for _, h := range have {
		if containsStr(want, h) {
			return h
		}
	}
	return ""
}

func containsStr(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// nameSource reports whether a signal of source src is a name the device
// gave itself, which hostname matchers read (matchName).
func nameSource(src model.EvidenceSource) bool {
	switch src {
	case model.EvidenceNBNSName, model.EvidenceLLMNRName, model.EvidenceMDNSHostname, model.EvidenceDHCPv6FQDN,
		model.EvidenceLLDPSysName, model.EvidenceCDPDeviceID, model.EvidenceSNMPSysName:
		return true
	}
	return false
}

// matchName matches a hostname regex against the DHCP host name, then the
// names the device gave itself in other protocols (NetBIOS, LLMNR, mDNS
// without ".local", the DHCPv6 FQDN's first label), and returns the first
// that matches with its source.
func (m *matcher) matchName(f *Facts) (model.EvidenceSource, string) {
	if f.Hostname != "" && m.matchString(f.Hostname) {
		return model.EvidenceHostname, f.Hostname
	}
	for i := range f.Signals {
		s := &f.Signals[i]
		if nameSource(s.Source) {
			name := s.Value
			switch s.Source {
			case model.EvidenceNBNSName, model.EvidenceLLMNRName:
			default: // may be a domain name: its first label (a CDP device ID may end in "(serial)")
				name, _, _ = strings.Cut(name, ".")
				name, _, _ = strings.Cut(name, "(")
			}
			if name != "" && m.matchString(name) {
				return s.Source, s.Value
			}
		}
	}
	return "", ""
}
