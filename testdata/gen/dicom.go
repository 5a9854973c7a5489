package main

import (
	"encoding/binary"
	"sort"
)

// DICOM upper-layer PDUs (PS3.8) and DIMSE messages (PS3.7).

const (
	uidAppContext   = "1.2.840.10008.3.1.1.1"
	uidVerification = "1.2.840.10008.1.1"
	uidCTStorage    = "1.2.840.10008.5.1.4.1.1.2"
	uidStudyFind    = "1.2.840.10008.5.1.4.1.2.2.1"
	uidImplicitLE   = "1.2.840.10008.1.2"
	uidExplicitLE   = "1.2.840.10008.1.2.1"

	// Demo implementation identity: UUID-derived UIDs (2.25.x) need no
	// registered root.
	demoImplUID = "2.25.163059425380437127315542296517101264551"
)

// presCtx is a proposed presentation context.
type presCtx struct {
	id       byte
	abstract string
	ts       []string
}

// presResult is an accepted (or refused) presentation context.
type presResult struct {
	id     byte
	result byte // 0 acceptance, 3 abstract syntax not supported, 4 transfer syntaxes not supported
	ts     string
}

func aeTitle(s string) []byte {
	b := []byte("                ")
	copy(b, s)
	return b
}

// item encodes a variable item: type, reserved, 16-bit length, content.
func item(t byte, content []byte) []byte {
	b := []byte{t, 0, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(len(content)))
	return append(b, content...)
}

// pdu encodes a PDU: type, reserved, 32-bit length, body.
func pdu(t byte, body []byte) []byte {
	b := []byte{t, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[2:], uint32(len(body)))
	return append(b, body...)
}

func userInfo(maxPDU uint32, implUID, implVersion string) []byte {
	var u []byte
	u = append(u, item(0x51, u32(maxPDU))...)
	u = append(u, item(0x52, []byte(implUID))...)
	u = append(u, item(0x55, []byte(implVersion))...)
	return item(0x50, u)
}

func assocHeader(called, calling string) []byte {
	b := []byte{0, 1, 0, 0} // protocol version 1, reserved
	b = append(b, aeTitle(called)...)
	b = append(b, aeTitle(calling)...)
	return append(b, make([]byte, 32)...)
}

// associateRQ builds an A-ASSOCIATE-RQ.
func associateRQ(called, calling string, pcs []presCtx, maxPDU uint32, implVersion string) []byte {
	b := assocHeader(called, calling)
	b = append(b, item(0x10, []byte(uidAppContext))...)
	for _, pc := range pcs {
		c := []byte{pc.id, 0, 0, 0}
		c = append(c, item(0x30, []byte(pc.abstract))...)
		for _, ts := range pc.ts {
			c = append(c, item(0x40, []byte(ts))...)
		}
		b = append(b, item(0x20, c)...)
	}
	b = append(b, userInfo(maxPDU, demoImplUID, implVersion)...)
	return pdu(0x01, b)
}

// associateAC builds an A-ASSOCIATE-AC.
func associateAC(called, calling string, res []presResult, maxPDU uint32, implVersion string) []byte {
	b := assocHeader(called, calling)
	b = append(b, item(0x10, []byte(uidAppContext))...)
	for _, r := range res {
		c := []byte{r.id, 0, r.result, 0}
		c = append(c, item(0x40, []byte(r.ts))...)
		b = append(b, item(0x21, c)...)
	}
	b = append(b, userInfo(maxPDU, demoImplUID, implVersion)...)
	return pdu(0x02, b)
}

// associateRJ builds an A-ASSOCIATE-RJ.
func associateRJ(result, source, reason byte) []byte {
	return pdu(0x03, []byte{0, result, source, reason})
}

func releaseRQ() []byte { return pdu(0x05, make([]byte, 4)) }
func releaseRP() []byte { return pdu(0x06, make([]byte, 4)) }

// pData builds a P-DATA-TF with one PDV: last fragment of a command or data set.
func pData(pcID byte, command bool, data []byte) []byte {
	mch := byte(0x02) // last fragment
	if command {
		mch |= 0x01
	}
	pdv := make([]byte, 6, 6+len(data))
	binary.BigEndian.PutUint32(pdv, uint32(2+len(data)))
	pdv[4], pdv[5] = pcID, mch
	return pdu(0x04, append(pdv, data...))
}

// elem is one data element.
type elem struct {
	tag uint32 // group<<16 | element
	vr  string
	val []byte
}

func eUI(tag uint32, s string) elem {
	b := []byte(s)
	if len(b)%2 == 1 {
		b = append(b, 0)
	}
	return elem{tag, "UI", b}
}

func eStr(tag uint32, vr, s string) elem {
	b := []byte(s)
	if len(b)%2 == 1 {
		b = append(b, ' ')
	}
	return elem{tag, vr, b}
}

func eUS(tag uint32, v uint16) elem {
	b := make([]byte, 2)
	binary.LittleEndian.PutUint16(b, v)
	return elem{tag, "US", b}
}

func eUL(tag uint32, v uint32) elem {
	b := make([]byte, 4)
	binary.LittleEndian.PutUint32(b, v)
	return elem{tag, "UL", b}
}

// encodeElems encodes elements (sorted by tag) in implicit or explicit VR
// little endian.
func encodeElems(es []elem, explicit bool) []byte {
	es = append([]elem(nil), es...)
	sort.SliceStable(es, func(i, j int) bool { return es[i].tag < es[j].tag })
	var b []byte
	for _, e := range es {
		var h [12]byte
		binary.LittleEndian.PutUint16(h[0:], uint16(e.tag>>16))
		binary.LittleEndian.PutUint16(h[2:], uint16(e.tag))
		if !explicit {
			binary.LittleEndian.PutUint32(h[4:], uint32(len(e.val)))
			b = append(b, h[:8]...)
		} else {
			copy(h[4:6], e.vr)
			switch e.vr {
			case "OB", "OW", "OF", "SQ", "UT", "UN":
				binary.LittleEndian.PutUint32(h[8:], uint32(len(e.val)))
				b = append(b, h[:12]...)
			default:
				binary.LittleEndian.PutUint16(h[6:], uint16(len(e.val)))
				b = append(b, h[:8]...)
			}
		}
		b = append(b, e.val...)
	}
	return b
}

// command encodes a DIMSE command set (always implicit VR LE) with its
// group length.
func command(es ...elem) []byte {
	body := encodeElems(es, false)
	return append(encodeElems([]elem{eUL(0x00000000, uint32(len(body)))}, false), body...)
}

const (
	tAffectedSOPClass    = 0x00000002
	tCommandField        = 0x00000100
	tMessageID           = 0x00000110
	tMessageIDResponded  = 0x00000120
	tPriority            = 0x00000700
	tCommandDataSetType  = 0x00000800
	tStatus              = 0x00000900
	tAffectedSOPInstance = 0x00001000

	noDataSet  = 0x0101
	hasDataSet = 0x0001
)

func cEchoRQ(id uint16) []byte {
	return command(eUI(tAffectedSOPClass, uidVerification), eUS(tCommandField, 0x0030),
		eUS(tMessageID, id), eUS(tCommandDataSetType, noDataSet))
}

func cEchoRSP(id uint16) []byte {
	return command(eUI(tAffectedSOPClass, uidVerification), eUS(tCommandField, 0x8030),
		eUS(tMessageIDResponded, id), eUS(tCommandDataSetType, noDataSet), eUS(tStatus, 0))
}

func cStoreRQ(id uint16, class, inst string) []byte {
	return command(eUI(tAffectedSOPClass, class), eUS(tCommandField, 0x0001), eUS(tMessageID, id),
		eUS(tPriority, 0), eUS(tCommandDataSetType, hasDataSet), eUI(tAffectedSOPInstance, inst))
}

func cStoreRSP(id uint16, class, inst string) []byte {
	return command(eUI(tAffectedSOPClass, class), eUS(tCommandField, 0x8001), eUS(tMessageIDResponded, id),
		eUS(tCommandDataSetType, noDataSet), eUS(tStatus, 0), eUI(tAffectedSOPInstance, inst))
}

func cFindRQ(id uint16) []byte {
	return command(eUI(tAffectedSOPClass, uidStudyFind), eUS(tCommandField, 0x0020), eUS(tMessageID, id),
		eUS(tPriority, 0), eUS(tCommandDataSetType, hasDataSet))
}

func cFindRSP(id uint16, status uint16, data bool) []byte {
	dt := uint16(noDataSet)
	if data {
		dt = hasDataSet
	}
	return command(eUI(tAffectedSOPClass, uidStudyFind), eUS(tCommandField, 0x8020), eUS(tMessageIDResponded, id),
		eUS(tCommandDataSetType, dt), eUS(tStatus, status))
}

// Demo study identifiers (2.25.x UUID-derived, fictional).
const (
	demoStudyUID  = "2.25.285134519861273590781426305911624190513"
	demoSeriesUID = "2.25.285134519861273590781426305911624190514"
	demoSOPUID    = "2.25.285134519861273590781426305911624190515"
)

// ctDataSet is a tiny CT image (8x8, 16-bit) in explicit VR little endian.
// PatientName DEMO^PATIENT is the PHI canary: it appears only in data-set PDVs.
func ctDataSet() []byte {
	px := make([]byte, 8*8*2)
	for i := 0; i < 64; i++ {
		binary.LittleEndian.PutUint16(px[2*i:], uint16(i*64))
	}
	return encodeElems([]elem{
		eStr(0x00080005, "CS", "ISO_IR 100"),
		eUI(0x00080016, uidCTStorage),
		eUI(0x00080018, demoSOPUID),
		eStr(0x00080020, "DA", "20260105"),
		eStr(0x00080030, "TM", "081200"),
		eStr(0x00080060, "CS", "CT"),
		eStr(0x00080070, "LO", "SIEMENS"),
		eStr(0x00081010, "SH", "CT-SOMATOM-01"),
		eStr(0x00100010, "PN", "DEMO^PATIENT"),
		eStr(0x00100020, "LO", "DEMO0001"),
		eUI(0x0020000D, demoStudyUID),
		eUI(0x0020000E, demoSeriesUID),
		eStr(0x00200013, "IS", "1"),
		eUS(0x00280002, 1),
		eStr(0x00280004, "CS", "MONOCHROME2"),
		eUS(0x00280010, 8),
		eUS(0x00280011, 8),
		eUS(0x00280100, 16),
		eUS(0x00280101, 12),
		eUS(0x00280102, 11),
		eUS(0x00280103, 0),
		{0x7FE00010, "OW", px},
	}, true)
}

// findQuery is a study-level C-FIND identifier (implicit VR LE) with
// universal matching on the patient: it carries no patient data.
func findQuery() []byte {
	return encodeElems([]elem{
		eStr(0x00080020, "DA", "20260105"),
		eStr(0x00080052, "CS", "STUDY"),
		eStr(0x00080061, "CS", ""),
		eStr(0x00100010, "PN", ""),
		eStr(0x00100020, "LO", ""),
		eUI(0x0020000D, ""),
	}, false)
}

// findMatch is the PACS' pending response identifier (implicit VR LE).
func findMatch() []byte {
	return encodeElems([]elem{
		eStr(0x00080020, "DA", "20260105"),
		eStr(0x00080052, "CS", "STUDY"),
		eStr(0x00080054, "AE", "PACS_MAIN"),
		eStr(0x00080061, "CS", "CT"),
		eStr(0x00100010, "PN", "DEMO^PATIENT"),
		eStr(0x00100020, "LO", "DEMO0001"),
		eUI(0x0020000D, demoStudyUID),
	}, false)
}
