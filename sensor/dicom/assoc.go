package dicom

import "encoding/binary"

// State is the last association-control event seen on the connection.
type State uint8

// Association states.
const (
	StateUnknown   State = iota // no association PDU seen (e.g. joined mid-association)
	StateRequested              // A-ASSOCIATE-RQ seen
	StateAccepted               // A-ASSOCIATE-AC seen
	StateRejected               // A-ASSOCIATE-RJ seen; see Association.Reject
	StateReleasing              // A-RELEASE-RQ seen
	StateReleased               // A-RELEASE-RP seen
	StateAborted                // A-ABORT seen; see Association.Abort
)

var stateNames = [...]string{"unknown", "requested", "accepted", "rejected", "releasing", "released", "aborted"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "invalid"
}

// Presentation context results in an A-ASSOCIATE-AC (PS3.8 9.3.3.2).
const (
	ResultAcceptance                 = 0
	ResultUserRejection              = 1
	ResultNoReason                   = 2
	ResultAbstractSyntaxNotSupported = 3
	ResultTransferSyntaxNotSupported = 4
)

// PresentationContext is one proposed or answered presentation context.
type PresentationContext struct {
	ID uint8
	// AbstractSyntax is the SOP class UID. In Accepted it is taken from the
	// proposed context with the same ID (the AC does not repeat it); it is
	// empty if the A-ASSOCIATE-RQ was not seen.
	AbstractSyntax string
	// TransferSyntaxes: all proposed ones (at most 16) in Proposed; the one
	// chosen by the acceptor, if any, in Accepted.
	TransferSyntaxes []string
	// Result is the acceptor's answer (Result* constants); 0 in Proposed.
	Result uint8
}

// Accepted reports whether the acceptor accepted the context.
func (p PresentationContext) Accepted() bool { return p.Result == ResultAcceptance }

// RoleSelection is an SCP/SCU role selection sub-item (PS3.7 D.3.3.4).
type RoleSelection struct {
	SOPClass string
	SCU, SCP bool
}

// Reject holds the fields of an A-ASSOCIATE-RJ (PS3.8 9.3.4).
type Reject struct {
	Result uint8 // 1 rejected-permanent, 2 rejected-transient
	Source uint8 // 1 service-user, 2 service-provider (ACSE), 3 service-provider (presentation)
	Reason uint8 // e.g. 3 calling AE title not recognized, 7 called AE title not recognized
}

// Abort holds the fields of an A-ABORT (PS3.8 9.3.8).
type Abort struct {
	Source uint8 // 0 service-user, 2 service-provider
	Reason uint8
}

// Command is one distinct DIMSE command seen on the connection.
type Command struct {
	Field uint16 // (0000,0100) Command Field
	Name  string // e.g. "C-STORE-RQ"; "UNKNOWN" for values not in PS3.7
	// AffectedSOPClass is (0000,0002), or (0000,0003) Requested SOP Class
	// UID when the command has no affected SOP class (N-GET/N-SET/...).
	AffectedSOPClass string
	// FromRequestor tells which end sent it: normally the requestor (SCU)
	// sends requests and the acceptor responses, but e.g. a C-GET SCP sends
	// C-STORE-RQ sub-operations on the same association.
	FromRequestor bool
	Count         int64 // times seen
}

// Association is what a Conn learned about the association. Strings are
// sanitised: padding trimmed, bytes outside printable ASCII replaced by '?',
// UIDs and names capped at 64 bytes.
type Association struct {
	State              State
	CallingAE          string // requestor's AE title
	CalledAE           string // acceptor's AE title
	ApplicationContext string

	Proposed []PresentationContext // from the A-ASSOCIATE-RQ
	Accepted []PresentationContext // from the A-ASSOCIATE-AC, with Result

	RequestorImplClassUID, RequestorImplVersion string
	AcceptorImplClassUID, AcceptorImplVersion   string
	RequestorMaxPDU, AcceptorMaxPDU             uint32 // 0: unlimited or not seen

	RequestorRoles, AcceptorRoles []RoleSelection
	// UserIdentityType is the type of the requestor's user identity item
	// (1 username, 2 username+passcode, 3 Kerberos, 4 SAML, 5 JWT), 0 if
	// none. The identity itself is never copied.
	UserIdentityType uint8

	Reject Reject // valid when State == StateRejected
	Abort  Abort  // valid when State == StateAborted

	// Commands holds distinct (Field, AffectedSOPClass, FromRequestor)
	// triples in order of first appearance, at most Limits.MaxCommands.
	Commands []Command
}

func (a *Association) clone() Association {
	b := *a
	b.Proposed = clonePCs(a.Proposed)
	b.Accepted = clonePCs(a.Accepted)
	b.RequestorRoles = cloneSlice(a.RequestorRoles)
	b.AcceptorRoles = cloneSlice(a.AcceptorRoles)
	b.Commands = cloneSlice(a.Commands)
	return b
}

func cloneSlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append([]T(nil), s...)
}

func clonePCs(s []PresentationContext) []PresentationContext {
	out := cloneSlice(s)
	for i := range out {
		out[i].TransferSyntaxes = cloneSlice(out[i].TransferSyntaxes)
	}
	return out
}

// ProposedSOPClasses returns the abstract syntaxes of the proposed
// presentation contexts, without duplicates.
func (a Association) ProposedSOPClasses() []string {
	var out []string
	seen := make(map[string]bool, len(a.Proposed))
	for _, p := range a.Proposed {
		if p.AbstractSyntax != "" && !seen[p.AbstractSyntax] {
			seen[p.AbstractSyntax] = true
			out = append(out, p.AbstractSyntax)
		}
	}
	return out
}

// Item types of A-ASSOCIATE PDUs (PS3.8 9.3.2, PS3.7 annex D.3.3).
const (
	itemAppContext      = 0x10
	itemPresContextRQ   = 0x20
	itemPresContextAC   = 0x21
	itemAbstractSyntax  = 0x30
	itemTransferSyntax  = 0x40
	itemUserInfo        = 0x50
	itemMaxLength       = 0x51
	itemImplClassUID    = 0x52
	itemRoleSelection   = 0x54
	itemImplVersionName = 0x55
	itemUserIdentityRQ  = 0x58
)

// forItems calls fn for every item (type, reserved, 2-byte length, value)
// in b. It returns false if the items' lengths are inconsistent.
func forItems(b []byte, fn func(typ byte, v []byte)) bool {
	for off := 0; off < len(b); {
		if len(b)-off < 4 {
			return false
		}
		typ := b[off]
		l := int(binary.BigEndian.Uint16(b[off+2 : off+4]))
		off += 4
		if l > len(b)-off {
			return false
		}
		fn(typ, b[off:off+l])
		off += l
	}
	return true
}

// parseAssociate parses the body (after the 6-byte PDU header) of an
// A-ASSOCIATE-RQ (rq) or -AC. len(b) >= 68 is guaranteed by startPDU.
func (c *Conn) parseAssociate(b []byte, rq bool) {
	if len(b) < associateFixedPart {
		c.fail(ErrMalformed)
		return
	}
	a := &c.assoc
	called, calling := cleanAE(b[4:20]), cleanAE(b[20:36])
	ok := true
	if rq {
		a.State = StateRequested
		a.CalledAE, a.CallingAE = called, calling
		a.Proposed = nil
		a.RequestorRoles = nil
		a.UserIdentityType = 0
	} else {
		a.State = StateAccepted
		// The AC repeats the titles but receivers must not test them: only
		// use them if the RQ was missed.
		if a.CalledAE == "" {
			a.CalledAE = called
		}
		if a.CallingAE == "" {
			a.CallingAE = calling
		}
		a.Accepted = nil
		a.AcceptorRoles = nil
	}
	ok = forItems(b[associateFixedPart:], func(typ byte, v []byte) {
		switch typ {
		case itemAppContext:
			a.ApplicationContext = cleanString(v, maxUIDLen)
		case itemPresContextRQ:
			if rq && !c.parsePresRQ(v) {
				ok = false
			}
		case itemPresContextAC:
			if !rq && !c.parsePresAC(v) {
				ok = false
			}
		case itemUserInfo:
			if !c.parseUserInfo(v, rq) {
				ok = false
			}
		}
	}) && ok
	if !ok {
		c.fail(ErrMalformed)
	}
}

func (c *Conn) parsePresRQ(v []byte) bool {
	if len(v) < 4 {
		return false
	}
	if len(c.assoc.Proposed) >= maxContexts {
		return true
	}
	pc := PresentationContext{ID: v[0]}
	ok := forItems(v[4:], func(typ byte, s []byte) {
		switch typ {
		case itemAbstractSyntax:
			pc.AbstractSyntax = cleanString(s, maxUIDLen)
		case itemTransferSyntax:
			if len(pc.TransferSyntaxes) < maxTransferSyntax {
				pc.TransferSyntaxes = append(pc.TransferSyntaxes, cleanString(s, maxUIDLen))
			}
		}
	})
	c.assoc.Proposed = append(c.assoc.Proposed, pc)
	return ok
}

func (c *Conn) parsePresAC(v []byte) bool {
	if len(v) < 4 {
		return false
	}
	if len(c.assoc.Accepted) >= maxContexts {
		return true
	}
	pc := PresentationContext{ID: v[0], Result: v[2]}
	for _, p := range c.assoc.Proposed {
		if p.ID == pc.ID {
			pc.AbstractSyntax = p.AbstractSyntax
			break
		}
	}
	ok := forItems(v[4:], func(typ byte, s []byte) {
		if typ == itemTransferSyntax && len(pc.TransferSyntaxes) < maxTransferSyntax {
			pc.TransferSyntaxes = append(pc.TransferSyntaxes, cleanString(s, maxUIDLen))
		}
	})
	c.assoc.Accepted = append(c.assoc.Accepted, pc)
	return ok
}

func (c *Conn) parseUserInfo(v []byte, rq bool) bool {
	a := &c.assoc
	ok := true
	itemsOK := forItems(v, func(typ byte, s []byte) {
		switch typ {
		case itemMaxLength:
			if len(s) != 4 {
				ok = false
				return
			}
			if rq {
				a.RequestorMaxPDU = binary.BigEndian.Uint32(s)
			} else {
				a.AcceptorMaxPDU = binary.BigEndian.Uint32(s)
			}
		case itemImplClassUID:
			if rq {
				a.RequestorImplClassUID = cleanString(s, maxUIDLen)
			} else {
				a.AcceptorImplClassUID = cleanString(s, maxUIDLen)
			}
		case itemImplVersionName:
			if rq {
				a.RequestorImplVersion = cleanString(s, maxNameLen)
			} else {
				a.AcceptorImplVersion = cleanString(s, maxNameLen)
			}
		case itemRoleSelection:
			if len(s) < 2 {
				ok = false
				return
			}
			ul := int(binary.BigEndian.Uint16(s[0:2]))
			if ul > len(s)-4 {
				ok = false
				return
			}
			r := RoleSelection{
				SOPClass: cleanString(s[2:2+ul], maxUIDLen),
				SCU:      s[2+ul] != 0,
				SCP:      s[3+ul] != 0,
			}
			roles := &a.AcceptorRoles
			if rq {
				roles = &a.RequestorRoles
			}
			if len(*roles) < maxRoles {
				*roles = append(*roles, r)
			}
		case itemUserIdentityRQ:
			// Never copy the identity (user name, passcode, token).
			if rq && len(s) > 0 {
				a.UserIdentityType = s[0]
			}
		}
	})
	return itemsOK && ok
}

// cleanString copies a UID or name out of a PDU: leading spaces and trailing
// spaces/NULs (padding) are trimmed, the result is capped at max bytes and
// anything outside printable ASCII becomes '?'.
func cleanString(b []byte, max int) string {
	b = trimPadding(b)
	if len(b) > max {
		b = b[:max]
	}
	out := make([]byte, len(b))
	for i, ch := range b {
		if ch < 0x20 || ch > 0x7e {
			ch = '?'
		}
		out[i] = ch
	}
	return string(out)
}

// equalClean reports whether s == cleanString(b, max) without allocating.
func equalClean(s string, b []byte, max int) bool {
	b = trimPadding(b)
	if len(b) > max {
		b = b[:max]
	}
	if len(s) != len(b) {
		return false
	}
	for i, ch := range b {
		if ch < 0x20 || ch > 0x7e {
			ch = '?'
		}
		if s[i] != ch {
			return false
		}
	}
	return true
}

func trimPadding(b []byte) []byte {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == 0) {
		b = b[:len(b)-1]
	}
	return b
}

func cleanAE(b []byte) string { return cleanString(b, 16) }
