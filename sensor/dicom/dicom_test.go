package dicom

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// Values checked by hand with
//
//	tshark -r tapirx/dicom_arq_1_find_testclient.pcap -d tcp.port==104,dicom -V
func TestCaptureFindTestclient(t *testing.T) {
	segs := tcpSegments(t, sharedPcap(t, "tapirx/dicom_arq_1_find_testclient.pcap"), 104)
	req := joined(segs, true)
	if len(req) != 683 {
		t.Fatalf("requestor stream is %d bytes, want 683", len(req))
	}
	if !LooksLikeAssociateRQ(req) {
		t.Error("LooksLikeAssociateRQ(capture) = false")
	}
	var c Conn
	c.Feed(true, req)
	a := c.Association()
	if c.Err() != nil || c.Malformed() != 0 {
		t.Fatalf("Err = %v, Malformed = %d", c.Err(), c.Malformed())
	}
	ts := []string{"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99"}
	want := Association{
		State:              StateRequested,
		CallingAE:          "testclient",
		CalledAE:           "testserver",
		ApplicationContext: "1.2.840.10008.3.1.1.1", // sent space-padded on the wire
		Proposed: []PresentationContext{
			{ID: 1, AbstractSyntax: "1.2.840.10008.5.1.4.1.2.1.1", TransferSyntaxes: ts},
			{ID: 3, AbstractSyntax: "1.2.840.10008.5.1.4.1.2.2.1", TransferSyntaxes: ts},
			{ID: 5, AbstractSyntax: "1.2.840.10008.5.1.4.1.2.3.1", TransferSyntaxes: ts},
			{ID: 7, AbstractSyntax: "1.2.840.10008.5.1.4.31", TransferSyntaxes: ts},
		},
		RequestorImplClassUID: "1.2.826.0.1.3680043.9.7133.1.1",
		RequestorImplVersion:  "GODICOM_1_1",
		RequestorMaxPDU:       4194304,
	}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("Association =\n%+v\nwant\n%+v", a, want)
	}
	names := []string{
		"Patient Root Query/Retrieve Information Model - FIND",
		"Study Root Query/Retrieve Information Model - FIND",
		"Patient/Study Only Query/Retrieve Information Model - FIND (Retired)",
		"Modality Worklist Information Model - FIND",
	}
	for i, p := range a.Proposed {
		if got := model.SOPClassName(p.AbstractSyntax); got != names[i] {
			t.Errorf("SOPClassName(%s) = %q, want %q", p.AbstractSyntax, got, names[i])
		}
	}
	if s := c.Stats(); s.PDUs != 1 || s.SkippedBytes != 0 {
		t.Errorf("Stats = %+v", s)
	}

	// Every split into two and many into three chunks gives the same result.
	for i := 0; i <= len(req); i++ {
		var c2 Conn
		c2.Feed(true, req[:i])
		c2.Feed(true, req[i:])
		if got := c2.Association(); !reflect.DeepEqual(got, a) {
			t.Fatalf("split at %d: %+v", i, got)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		i := rng.IntN(len(req) + 1)
		j := i + rng.IntN(len(req)-i+1)
		var c3 Conn
		c3.Feed(true, req[:i])
		c3.Feed(true, req[i:j])
		c3.Feed(true, req[j:])
		if got := c3.Association(); !reflect.DeepEqual(got, a) || c3.Stats() != c.Stats() {
			t.Fatalf("split at %d,%d: %+v %+v", i, j, got, c3.Stats())
		}
	}

	// A garbage prefix (mid-stream join) is skipped and counted.
	for _, junk := range [][]byte{
		[]byte("GET / HTTP/1.1\r\n\r\n"),
		{0x01, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x01},                         // RQ-like header with a bad body
		{0x04, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20, 0x01, 0x00}, // PDV longer than the PDU
		bytes.Repeat([]byte{0x02, 0x00}, 40),
	} {
		for i := 0; i <= len(junk)+len(req); i += 7 {
			stream := append(append([]byte(nil), junk...), req...)
			var c4 Conn
			c4.Feed(true, stream[:i])
			c4.Feed(true, stream[i:])
			if got := c4.Association(); !reflect.DeepEqual(got, a) {
				t.Fatalf("junk %x, split %d: %+v", junk, i, got)
			}
			if s := c4.Stats(); s.SkippedBytes != int64(len(junk)) {
				t.Fatalf("junk %x: SkippedBytes = %d", junk, s.SkippedBytes)
			}
		}
	}

	// Truncated: no panic, nothing learned before the PDU is complete.
	for i := range len(req) {
		var c5 Conn
		c5.Feed(true, req[:i])
		if got := c5.Association(); got.State != StateUnknown || got.CallingAE != "" {
			t.Fatalf("truncated at %d: %+v", i, got)
		}
	}
}

func TestSyntheticSession(t *testing.T) {
	req, acc := syntheticSession()
	var c Conn
	feedAll(&c, req, acc)
	a := c.Association()
	if c.Err() != nil {
		t.Fatalf("Err = %v (stats %+v)", c.Err(), c.Stats())
	}
	if a.State != StateReleased || a.CallingAE != "MODALITY1" || a.CalledAE != "PACS1" {
		t.Errorf("state/AEs: %v %q %q", a.State, a.CallingAE, a.CalledAE)
	}
	if a.RequestorMaxPDU != 16384 || a.AcceptorMaxPDU != 32768 ||
		a.RequestorImplClassUID != "1.2.3.4.5" || a.AcceptorImplClassUID != "1.2.3.9" ||
		a.RequestorImplVersion != "SYNTH_1" || a.AcceptorImplVersion != "SYNTH_SCP" {
		t.Errorf("user info: %+v", a)
	}
	if a.UserIdentityType != 2 {
		t.Errorf("UserIdentityType = %d", a.UserIdentityType)
	}
	wantRoles := []RoleSelection{{SOPClass: UIDCTImageStorage, SCU: true}}
	if !reflect.DeepEqual(a.RequestorRoles, wantRoles) {
		t.Errorf("RequestorRoles = %+v", a.RequestorRoles)
	}
	wantAcc := []PresentationContext{
		{ID: 1, AbstractSyntax: UIDVerification, TransferSyntaxes: []string{UIDImplicitVRLittleEndian}},
		{ID: 3, AbstractSyntax: UIDCTImageStorage, TransferSyntaxes: []string{UIDExplicitVRLittleEndian}},
		{ID: 5, AbstractSyntax: UIDMRImageStorage, TransferSyntaxes: []string{UIDImplicitVRLittleEndian}, Result: ResultAbstractSyntaxNotSupported},
	}
	if !reflect.DeepEqual(a.Accepted, wantAcc) {
		t.Errorf("Accepted = %+v", a.Accepted)
	}
	wantCmds := []Command{
		{Field: CEchoRQ, Name: "C-ECHO-RQ", AffectedSOPClass: UIDVerification, FromRequestor: true, Count: 1},
		{Field: CStoreRQ, Name: "C-STORE-RQ", AffectedSOPClass: UIDCTImageStorage, FromRequestor: true, Count: 2},
		{Field: CEchoRSP, Name: "C-ECHO-RSP", AffectedSOPClass: UIDVerification, Count: 1},
		{Field: CStoreRSP, Name: "C-STORE-RSP", AffectedSOPClass: UIDCTImageStorage, Count: 1},
	}
	if !reflect.DeepEqual(a.Commands, wantCmds) {
		t.Errorf("Commands = %+v", a.Commands)
	}
	s := c.Stats()
	if s.Commands != 5 || s.DataBytes != int64(300*len("(0010,0010) PN DOE^JANE CANARY0042 ")) || s.Malformed != 0 {
		t.Errorf("Stats = %+v", s)
	}
	assertNoPHI(t, &c)

	// Splitting each direction anywhere gives the same result.
	for _, step := range []int{1, 2, 3, 5, 7, 13, 100, 1460, 4099} {
		var c2 Conn
		for off := 0; off < len(req); off += step {
			c2.Feed(true, req[off:min(off+step, len(req))])
		}
		for off := 0; off < len(acc); off += step {
			c2.Feed(false, acc[off:min(off+step, len(acc))])
		}
		if got := c2.Association(); !reflect.DeepEqual(got, a) || c2.Stats() != s {
			t.Fatalf("chunks of %d: %+v %+v", step, got, c2.Stats())
		}
		assertNoPHI(t, &c2)
	}

	// The returned Association is a copy.
	a.Proposed[0].TransferSyntaxes[0] = "x"
	a.Commands[0].Name = "x"
	if b := c.Association(); b.Proposed[0].TransferSyntaxes[0] == "x" || b.Commands[0].Name == "x" {
		t.Error("Association shares memory with the Conn")
	}
}

// assertNoPHI checks that neither the Association nor any buffer the Conn
// holds contains the data-set canary.
func assertNoPHI(t *testing.T, c *Conn) {
	t.Helper()
	s := fmt.Sprintf("%+v", c.Association())
	for _, bad := range []string{"DOE", "JANE", "CANARY", "secret"} {
		if strings.Contains(s, bad) {
			t.Errorf("Association contains %q: %s", bad, s)
		}
	}
	for i := range c.dirs {
		d := &c.dirs[i]
		for _, buf := range [][]byte{d.cmd[:cap(d.cmd)], d.body[:cap(d.body)], d.carry[:], d.hdr[:], d.pdv[:], d.small[:]} {
			if bytes.Contains(buf, []byte("DOE")) || bytes.Contains(buf, []byte("CANARY")) {
				t.Errorf("direction %d keeps data-set bytes: %q", i, buf)
			}
		}
	}
}

func TestMidStreamJoin(t *testing.T) {
	req, acc := syntheticSession()
	var whole Conn
	feedAll(&whole, req, acc)
	// Join the requestor stream at every offset: never panic, and once joined
	// after the data set, the trailing C-STORE-RQ is still seen.
	tail := bytes.LastIndex(req, pdata(pdv(3, 0x03, command(CStoreRQ, UIDCTImageStorage, false))))
	for i := 0; i < len(req); i++ {
		var c Conn
		c.Feed(true, req[i:])
		c.Flush()
		a := c.Association()
		if i <= tail {
			found := false
			for _, cmd := range a.Commands {
				found = found || cmd.Field == CStoreRQ && cmd.AffectedSOPClass == UIDCTImageStorage
			}
			if !found {
				t.Fatalf("joined at %d: C-STORE-RQ not seen: %+v stats %+v", i, a, c.Stats())
			}
		}
		if a.State != StateReleasing && i <= len(req)-len(releaseRQ) {
			t.Fatalf("joined at %d: state %v", i, a.State)
		}
		if c.Err() != nil && !errors.Is(c.Err(), ErrMalformed) {
			t.Fatalf("joined at %d: %v", i, c.Err())
		}
		assertNoPHI(t, &c)
	}
}

func TestLimits(t *testing.T) {
	req, acc := syntheticSession()
	c := NewConn(Limits{MaxAssociatePDU: 100, MaxCommandBytes: 64, MaxCommands: 1})
	feedAll(c, req, acc)
	a := c.Association()
	s := c.Stats()
	// Both A-ASSOCIATE PDUs and all command sets (>64 bytes) are oversize.
	if a.CallingAE != "" || len(a.Proposed) != 0 || len(a.Commands) != 0 || s.Oversize != 2+5 {
		t.Errorf("assoc %+v stats %+v", a, s)
	}
	if a.State != StateReleased || !errors.Is(c.Err(), ErrOversize) {
		t.Errorf("state %v err %v", a.State, c.Err())
	}
	c = NewConn(Limits{MaxCommands: 1})
	feedAll(c, req, acc)
	if a := c.Association(); len(a.Commands) != 1 {
		t.Errorf("Commands = %+v", a.Commands)
	}
}

func TestDesyncGivesUp(t *testing.T) {
	req, _ := syntheticSession()
	var c2 Conn
	rq := firstPDU(req)
	c2.Feed(true, rq)
	if c2.Association().State != StateRequested {
		t.Fatalf("state %v", c2.Association().State)
	}
	// Headers of type 9 are framing errors; after each one the parser hunts
	// and re-syncs on the release PDU that follows.
	bad := []byte{0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0}
	for i := 1; i <= DefaultMaxDesyncs; i++ {
		c2.Feed(true, bad)
		c2.Feed(true, releaseRQ)
		if c2.Stats().Desyncs != i || !errors.Is(c2.Err(), ErrDesync) || c2.Association().State != StateReleasing {
			t.Fatalf("round %d: %+v %v", i, c2.Stats(), c2.Err())
		}
		c2.assoc.State = StateAccepted
	}
	c2.Feed(true, bad)
	c2.Feed(true, releaseRQ)
	if !errors.Is(c2.Err(), ErrGaveUp) || c2.Association().State != StateAccepted {
		t.Fatalf("after give-up: %v %v", c2.Err(), c2.Association().State)
	}
	// The other direction is unaffected.
	c2.Feed(false, releaseRP)
	if c2.Association().State != StateReleased {
		t.Error("acceptor direction stopped too")
	}
}

func TestGap(t *testing.T) {
	req, acc := syntheticSession()
	var whole Conn
	feedAll(&whole, req, acc)

	// A gap inside the data set is stepped over without losing framing.
	i := bytes.Index(req, []byte("(0010,0010)")) + 1000
	var c Conn
	c.Feed(true, req[:i])
	c.Gap(true, 500)
	c.Feed(true, req[i+500:])
	c.Feed(false, acc)
	if !reflect.DeepEqual(c.Association(), whole.Association()) || c.Stats().Gaps != 0 || c.Stats().GapBytes != 500 {
		t.Errorf("gap in data: %+v", c.Stats())
	}
	// A gap of unknown size forces a resync; the rest is still parsed.
	var c2 Conn
	c2.Feed(true, req[:i])
	c2.Gap(true, -1)
	c2.Feed(true, req[i+500:])
	c2.Feed(false, acc)
	a := c2.Association()
	if c2.Stats().Gaps != 1 || a.State != StateReleased || len(a.Commands) != 4 {
		t.Errorf("unknown gap: %+v %+v", c2.Stats(), a)
	}
}

func TestRejectAbort(t *testing.T) {
	var c Conn
	c.Feed(false, pdu(PDUAssociateRJ, []byte{0, 1, 1, 7}))
	if a := c.Association(); a.State != StateRejected || a.Reject != (Reject{Result: 1, Source: 1, Reason: 7}) {
		t.Errorf("reject: %+v", a)
	}
	c.Feed(true, pdu(PDUAbort, []byte{0, 0, 2, 0}))
	if a := c.Association(); a.State != StateAborted || a.Abort != (Abort{Source: 2}) {
		t.Errorf("abort: %+v", a)
	}
}

func TestCommandRequestedSOPClass(t *testing.T) {
	var c Conn
	c.Feed(true, pdata(pdv(1, 0x03, command(NActionRQ, UIDStorageCommitmentPush, true))))
	want := []Command{{Field: NActionRQ, Name: "N-ACTION-RQ", AffectedSOPClass: UIDStorageCommitmentPush, FromRequestor: true, Count: 1}}
	if got := c.Association().Commands; !reflect.DeepEqual(got, want) {
		t.Errorf("Commands = %+v", got)
	}
	if CommandName(0x1234) != "UNKNOWN" || CommandName(CFindRSP) != "C-FIND-RSP" {
		t.Error("CommandName")
	}
}

func TestMalformedItems(t *testing.T) {
	req, _ := syntheticSession()
	rq := firstPDU(req)
	// Corrupt each byte of the item area in turn: never panic, strings stay
	// printable, and framing is kept (the PDU length is untouched).
	for i := 6 + associateFixedPart; i < len(rq); i++ {
		for _, v := range []byte{0x00, 0xff, 0x7f} {
			b := append([]byte(nil), rq...)
			b[i] = v
			var c Conn
			c.Feed(true, b)
			c.Feed(true, releaseRQ)
			a := c.Association()
			if a.State != StateReleasing && i <= len(req)-len(releaseRQ) {
				t.Fatalf("byte %d=%#x: state %v", i, v, a.State)
			}
			checkPrintable(t, a)
		}
	}
}

func checkPrintable(t *testing.T, a Association) {
	t.Helper()
	strs := []string{a.CallingAE, a.CalledAE, a.ApplicationContext, a.RequestorImplClassUID,
		a.RequestorImplVersion, a.AcceptorImplClassUID, a.AcceptorImplVersion}
	for _, p := range append(append([]PresentationContext(nil), a.Proposed...), a.Accepted...) {
		strs = append(strs, p.AbstractSyntax)
		strs = append(strs, p.TransferSyntaxes...)
	}
	for _, cmd := range a.Commands {
		strs = append(strs, cmd.Name, cmd.AffectedSOPClass)
	}
	for _, s := range strs {
		if len(s) > 64 {
			t.Fatalf("string too long: %q", s)
		}
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] > 0x7e {
				t.Fatalf("unprintable string %q", s)
			}
		}
	}
}

func TestLooksLikeAssociateRQ(t *testing.T) {
	req, acc := syntheticSession()
	if !LooksLikeAssociateRQ(req) || !LooksLikeAssociateRQ(req[:42]) {
		t.Error("synthetic RQ not detected")
	}
	for _, b := range [][]byte{nil, req[:41], acc, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n......................"),
		[]byte("\x0bMSH|^~\\&|A|B|C|D|||ADT^A01|1|P|2.3\r\x1c\r")} {
		if LooksLikeAssociateRQ(b) {
			t.Errorf("false positive on %q", b)
		}
	}
	bad := append([]byte(nil), req...)
	bad[10] = 0x01 // control character in the called AE title
	if LooksLikeAssociateRQ(bad) {
		t.Error("accepted a control character in an AE title")
	}
}
