package dicom

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/internal/pcaptest"
)

// The capture helpers are shared with sensor/hl7 (sensor/internal/pcaptest).
type segment = pcaptest.Segment

func sharedPcapPath(rel string) (string, error) { return pcaptest.SharedPcapPath(rel) }

func sharedPcap(tb testing.TB, rel string) string { return pcaptest.SharedPcap(tb, rel) }

func tcpSegments(tb testing.TB, path string, serverPort uint16) []segment {
	return pcaptest.TCPSegments(tb, path, serverPort)
}

func joined(segs []segment, fromClient bool) []byte { return pcaptest.Joined(segs, fromClient) }

// --- PDU builders (PS3.8 9.3) for synthetic streams ---

func pdu(typ byte, body []byte) []byte {
	b := []byte{typ, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[2:], uint32(len(body)))
	return append(b, body...)
}

func item(typ byte, value []byte) []byte {
	b := []byte{typ, 0, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(len(value)))
	return append(b, value...)
}

func ae(s string) []byte {
	b := bytes.Repeat([]byte{' '}, 16)
	copy(b, s)
	return b
}

type pcSpec struct {
	id       byte
	abstract string
	ts       []string
	result   byte // AC only
}

type userInfo struct {
	maxPDU   uint32
	implUID  string
	implVer  string
	roles    []RoleSelection
	identity []byte // raw user identity item value (RQ)
}

func (u userInfo) bytes() []byte {
	var v []byte
	ml := make([]byte, 4)
	binary.BigEndian.PutUint32(ml, u.maxPDU)
	v = append(v, item(itemMaxLength, ml)...)
	if u.implUID != "" {
		v = append(v, item(itemImplClassUID, []byte(u.implUID))...)
	}
	for _, r := range u.roles {
		rv := make([]byte, 2)
		binary.BigEndian.PutUint16(rv, uint16(len(r.SOPClass)))
		rv = append(rv, r.SOPClass...)
		rv = append(rv, b2u(r.SCU), b2u(r.SCP))
		v = append(v, item(itemRoleSelection, rv)...)
	}
	if u.implVer != "" {
		v = append(v, item(itemImplVersionName, []byte(u.implVer))...)
	}
	if u.identity != nil {
		v = append(v, item(itemUserIdentityRQ, u.identity)...)
	}
	return item(itemUserInfo, v)
}

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func associate(typ byte, calling, called string, pcs []pcSpec, u userInfo) []byte {
	body := []byte{0, 1, 0, 0}
	body = append(body, ae(called)...)
	body = append(body, ae(calling)...)
	body = append(body, make([]byte, 32)...)
	body = append(body, item(itemAppContext, []byte(UIDApplicationContext))...)
	for _, pc := range pcs {
		if typ == PDUAssociateRQ {
			v := []byte{pc.id, 0, 0, 0}
			v = append(v, item(itemAbstractSyntax, []byte(pc.abstract))...)
			for _, ts := range pc.ts {
				v = append(v, item(itemTransferSyntax, []byte(ts))...)
			}
			body = append(body, item(itemPresContextRQ, v)...)
		} else {
			v := []byte{pc.id, 0, pc.result, 0}
			for _, ts := range pc.ts {
				v = append(v, item(itemTransferSyntax, []byte(ts))...)
			}
			body = append(body, item(itemPresContextAC, v)...)
		}
	}
	body = append(body, u.bytes()...)
	return pdu(typ, body)
}

// pdv is one presentation data value item.
func pdv(pcid, mch byte, value []byte) []byte {
	b := make([]byte, 6, 6+len(value))
	binary.BigEndian.PutUint32(b, uint32(len(value)+2))
	b[4], b[5] = pcid, mch
	return append(b, value...)
}

func pdata(pdvs ...[]byte) []byte { return pdu(PDUPData, bytes.Join(pdvs, nil)) }

// element encodes one implicit VR little endian element.
func element(group, elem uint16, value []byte) []byte {
	b := make([]byte, 8, 8+len(value))
	binary.LittleEndian.PutUint16(b, group)
	binary.LittleEndian.PutUint16(b[2:], elem)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(value)))
	return append(b, value...)
}

func uidValue(s string) []byte {
	b := []byte(s)
	if len(b)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func us(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }

// command encodes a command set with the given command field and affected
// SOP class UID (tag (0000,0002), or (0000,0003) if requested is set).
func command(field uint16, sop string, requested bool) []byte {
	var els []byte
	tag := uint16(0x0002)
	if requested {
		tag = 0x0003
	}
	els = append(els, element(0, tag, uidValue(sop))...)
	els = append(els, element(0, 0x0100, us(field))...)
	els = append(els, element(0, 0x0110, us(7))...)      // message ID
	els = append(els, element(0, 0x0800, us(0x0101))...) // no data set
	gl := binary.LittleEndian.AppendUint32(nil, uint32(len(els)))
	return append(element(0, 0x0000, gl), els...)
}

var (
	releaseRQ = pdu(PDUReleaseRQ, []byte{0, 0, 0, 0})
	releaseRP = pdu(PDUReleaseRP, []byte{0, 0, 0, 0})
)

// syntheticSession returns the two directions of a C-ECHO + C-STORE session
// whose data set carries a PHI canary, with fragmented command sets,
// several data PDVs and a release.
func syntheticSession() (req, acc []byte) {
	ct := UIDCTImageStorage
	rq := associate(PDUAssociateRQ, "MODALITY1", "PACS1", []pcSpec{
		{id: 1, abstract: UIDVerification, ts: []string{UIDImplicitVRLittleEndian}},
		{id: 3, abstract: ct, ts: []string{UIDExplicitVRLittleEndian, UIDImplicitVRLittleEndian}},
		{id: 5, abstract: UIDMRImageStorage, ts: []string{UIDImplicitVRLittleEndian}},
	}, userInfo{
		maxPDU: 16384, implUID: "1.2.3.4.5", implVer: "SYNTH_1",
		roles:    []RoleSelection{{SOPClass: ct, SCU: true, SCP: false}},
		identity: append([]byte{2, 0, 0, 8}, "DOE^JANE\x00\x06secret"...),
	})
	ac := associate(PDUAssociateAC, "MODALITY1", "PACS1", []pcSpec{
		{id: 1, result: ResultAcceptance, ts: []string{UIDImplicitVRLittleEndian}},
		{id: 3, result: ResultAcceptance, ts: []string{UIDExplicitVRLittleEndian}},
		{id: 5, result: ResultAbstractSyntaxNotSupported, ts: []string{UIDImplicitVRLittleEndian}},
	}, userInfo{maxPDU: 32768, implUID: "1.2.3.9", implVer: "SYNTH_SCP"})

	echo := command(CEchoRQ, UIDVerification, false)
	store := command(CStoreRQ, ct, false)
	dataset := bytes.Repeat([]byte("(0010,0010) PN DOE^JANE CANARY0042 "), 300)

	req = append(req, rq...)
	req = append(req, pdata(pdv(1, 0x03, echo))...)
	// C-STORE-RQ: command in two fragments over two PDUs, then the data set
	// in 4 KiB fragments, several per PDU.
	req = append(req, pdata(pdv(3, 0x01, store[:20]))...)
	req = append(req, pdata(pdv(3, 0x03, store[20:]), pdv(3, 0x00, dataset[:4096]))...)
	for off := 4096; off < len(dataset); off += 4096 {
		end := min(off+4096, len(dataset))
		mch := byte(0x00)
		if end == len(dataset) {
			mch = 0x02
		}
		req = append(req, pdata(pdv(3, mch, dataset[off:end]))...)
	}
	req = append(req, pdata(pdv(3, 0x03, command(CStoreRQ, ct, false)))...) // second C-STORE-RQ, no data
	req = append(req, releaseRQ...)

	acc = append(acc, ac...)
	acc = append(acc, pdata(pdv(1, 0x03, command(CEchoRQ|ResponseBit, UIDVerification, false)))...)
	acc = append(acc, pdata(pdv(3, 0x03, command(CStoreRQ|ResponseBit, ct, false)))...)
	acc = append(acc, releaseRP...)
	return req, acc
}

func feedAll(c *Conn, req, acc []byte) {
	c.Feed(true, req)
	c.Feed(false, acc)
}

// firstPDU returns the first PDU of a stream that starts on a PDU boundary.
func firstPDU(b []byte) []byte {
	return b[:6+int(binary.BigEndian.Uint32(b[2:6]))]
}
