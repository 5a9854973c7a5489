package dicom

import (
	"reflect"
	"testing"
)

// FuzzDICOMConn feeds arbitrary bytes to both directions of a Conn, once in
// one piece and once split at fuzzer-chosen points, and checks that the
// parser never panics, respects its limits and gives the same result
// whatever the chunking.
func FuzzDICOMConn(f *testing.F) {
	req, acc := syntheticSession()
	f.Add(req, acc, uint16(1460), uint16(7))
	f.Add(firstPDU(req), []byte(nil), uint16(3), uint16(1))
	f.Add(req[1000:], acc[20:], uint16(17), uint16(9))
	f.Add(pdata(pdv(1, 0x03, command(NActionRQ, UIDStorageCommitmentPush, true))), releaseRP, uint16(5), uint16(2))
	f.Add(pdu(PDUAssociateRJ, []byte{0, 1, 1, 7}), pdu(PDUAbort, []byte{0, 0, 2, 0}), uint16(2), uint16(2))
	if p, err := sharedPcapPath("tapirx/dicom_arq_1_find_testclient.pcap"); err == nil {
		for _, s := range tcpSegments(f, p, 104) {
			f.Add(s.Data, []byte(nil), uint16(100), uint16(3))
		}
	}
	f.Fuzz(func(t *testing.T, req, acc []byte, step1, step2 uint16) {
		lim := Limits{MaxAssociatePDU: 4096, MaxCommandBytes: 256, MaxCommands: 8, MaxDesyncs: 8}
		whole := NewConn(lim)
		whole.Feed(true, req)
		whole.Feed(false, acc)
		whole.Flush()

		split := NewConn(lim)
		feedSteps(split, true, req, int(step1)%97+1, int(step2)%13+1)
		feedSteps(split, false, acc, int(step2)%97+1, int(step1)%13+1)
		split.Flush()

		a := whole.Association()
		if b := split.Association(); !reflect.DeepEqual(a, b) {
			t.Fatalf("chunking changed the association:\nwhole %+v\nsplit %+v", a, b)
		}
		if whole.Stats() != split.Stats() || whole.Err() != split.Err() {
			t.Fatalf("chunking changed the stats: %+v %v / %+v %v", whole.Stats(), whole.Err(), split.Stats(), split.Err())
		}
		if len(a.Commands) > lim.MaxCommands || len(a.Proposed) > maxContexts || len(a.Accepted) > maxContexts {
			t.Fatalf("limits exceeded: %d commands, %d/%d contexts", len(a.Commands), len(a.Proposed), len(a.Accepted))
		}
		for i := range whole.dirs {
			d := &whole.dirs[i]
			if cap(d.cmd) > lim.MaxCommandBytes || cap(d.body) > lim.MaxAssociatePDU || d.carryN > huntWindow {
				t.Fatalf("buffers over the limits: cmd %d body %d carry %d", cap(d.cmd), cap(d.body), d.carryN)
			}
		}
		checkPrintable(t, a)
		_ = LooksLikeAssociateRQ(req)
	})
}

// feedSteps feeds b in chunks whose sizes alternate between s1 and s2.
func feedSteps(c *Conn, fromRequestor bool, b []byte, s1, s2 int) {
	for i := 0; len(b) > 0; i++ {
		n := s1
		if i%2 == 1 {
			n = s2
		}
		n = min(n, len(b))
		c.Feed(fromRequestor, b[:n])
		b = b[n:]
	}
}
