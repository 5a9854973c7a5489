package dicom

import (
	"bytes"
	"testing"
)

// storeStream returns one C-STORE exchange as it follows an established
// association: a command PDV, then a 256 KiB data set in 16 KiB PDUs.
func storeStream() (req, acc []byte) {
	req = pdata(pdv(3, 0x03, command(CStoreRQ, UIDCTImageStorage, false)))
	frag := bytes.Repeat([]byte{0x5a}, 16384-12)
	for i := range 16 {
		mch := byte(0)
		if i == 15 {
			mch = 0x02
		}
		req = append(req, pdata(pdv(3, mch, frag))...)
	}
	acc = pdata(pdv(3, 0x03, command(CStoreRSP, UIDCTImageStorage, false)))
	return req, acc
}

// BenchmarkConnFeedPData measures the steady state: P-DATA-TF with command
// and data-set PDVs, fed in 1448-byte TCP segments. It must not allocate.
func BenchmarkConnFeedPData(b *testing.B) {
	session, sessionAcc := syntheticSession()
	req, acc := storeStream()
	var c Conn
	c.Feed(true, firstPDU(session))
	c.Feed(false, firstPDU(sessionAcc))
	c.Feed(true, req) // warm up: command buffer allocated once
	b.SetBytes(int64(len(req) + len(acc)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for off := 0; off < len(req); off += 1448 {
			c.Feed(true, req[off:min(off+1448, len(req))])
		}
		c.Feed(false, acc)
	}
	b.StopTimer()
	if cmds := c.Association().Commands; len(cmds) != 2 || c.Err() != nil {
		b.Fatalf("commands %+v err %v", cmds, c.Err())
	}
}

// BenchmarkConnHunt measures hunting for a header through data that looks
// like a data set (a mid-stream join).
func BenchmarkConnHunt(b *testing.B) {
	junk := bytes.Repeat([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x00\x00\x00"), 1<<12)
	var c Conn
	b.SetBytes(int64(len(junk)))
	b.ReportAllocs()
	for range b.N {
		for off := 0; off < len(junk); off += 1448 {
			c.Feed(true, junk[off:min(off+1448, len(junk))])
		}
	}
}

// BenchmarkConnAssociate measures a full association negotiation (this path
// allocates the strings it reports).
func BenchmarkConnAssociate(b *testing.B) {
	session, sessionAcc := syntheticSession()
	rq, ac := firstPDU(session), firstPDU(sessionAcc)
	b.SetBytes(int64(len(rq) + len(ac)))
	b.ReportAllocs()
	for range b.N {
		var c Conn
		c.Feed(true, rq)
		c.Feed(false, ac)
	}
}
