package dicom

import (
	"bytes"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/membudget"
)

// TestBudget: connections that leave a large A-ASSOCIATE-RQ unfinished draw
// its buffer from the shared budget; once it is spent, further PDUs are
// skipped by length (counted), memory stays within the budget, and every
// byte comes back when the connections are released. A complete session on
// a connection that got its buffers still parses.
func TestBudget(t *testing.T) {
	const limit = 256 << 10
	b := membudget.New(limit)
	rq := associate(PDUAssociateRQ, "MODALITY1", "PACS1", []pcSpec{
		{id: 1, abstract: UIDVerification, ts: []string{UIDImplicitVRLittleEndian}},
	}, userInfo{maxPDU: 16384, implUID: "1.2.3.4.5", implVer: "SYNTH_1"})
	// Pad the user-information item so the PDU body is ~60 KiB.
	pad := item(0x55, bytes.Repeat([]byte{'x'}, 60<<10))
	big := append(append([]byte{}, rq...), pad...)
	l := len(big) - 6
	big[2], big[3], big[4], big[5] = byte(l>>24), byte(l>>16), byte(l>>8), byte(l)

	conns := make([]*Conn, 100)
	denied := 0
	for i := range conns {
		c := NewConn(Limits{Budget: b})
		c.Feed(true, big[:len(big)-100]) // unfinished
		conns[i] = c
		denied += c.Stats().BudgetDenied
	}
	st := b.Stats()
	if st.Used > limit || st.Peak > limit {
		t.Errorf("budget %+v: more than %d bytes held", st, limit)
	}
	if denied == 0 || st.Denied == 0 {
		t.Errorf("no denial counted (conn %d, budget %d)", denied, st.Denied)
	}
	for _, c := range conns {
		c.Release()
	}
	if u := b.Stats().Used; u != 0 {
		t.Errorf("%d bytes held after every connection was released", u)
	}

	// With room again, a whole session parses and gives its bytes back.
	req, acc := syntheticSession()
	c := NewConn(Limits{Budget: b})
	feedAll(c, req, acc)
	if a := c.Association(); a.CallingAE != "MODALITY1" || len(a.Commands) == 0 {
		t.Errorf("session under a budget: calling %q, %d commands", a.CallingAE, len(a.Commands))
	}
	c.Release()
	if u := b.Stats().Used; u != 0 {
		t.Errorf("%d bytes held after the session was released", u)
	}
}
