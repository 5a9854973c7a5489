package dicom

import "encoding/binary"

// Command Field values (PS3.7 E.1). A response has bit 0x8000 set.
const (
	CStoreRQ       = 0x0001
	CGetRQ         = 0x0010
	CFindRQ        = 0x0020
	CMoveRQ        = 0x0021
	CEchoRQ        = 0x0030
	NEventReportRQ = 0x0100
	NGetRQ         = 0x0110
	NSetRQ         = 0x0120
	NActionRQ      = 0x0130
	NCreateRQ      = 0x0140
	NDeleteRQ      = 0x0150
	CCancelRQ      = 0x0FFF
	ResponseBit    = 0x8000
	CStoreRSP      = CStoreRQ | ResponseBit
	CEchoRSP       = CEchoRQ | ResponseBit
	CFindRSP       = CFindRQ | ResponseBit
)

const (
	unknownCommand  = "UNKNOWN"
	tagGroupCommand = 0x0000
)

var commandNames = map[uint16]string{
	CStoreRQ:                     "C-STORE-RQ",
	CStoreRQ | ResponseBit:       "C-STORE-RSP",
	CGetRQ:                       "C-GET-RQ",
	CGetRQ | ResponseBit:         "C-GET-RSP",
	CFindRQ:                      "C-FIND-RQ",
	CFindRQ | ResponseBit:        "C-FIND-RSP",
	CMoveRQ:                      "C-MOVE-RQ",
	CMoveRQ | ResponseBit:        "C-MOVE-RSP",
	CEchoRQ:                      "C-ECHO-RQ",
	CEchoRQ | ResponseBit:        "C-ECHO-RSP",
	CCancelRQ:                    "C-CANCEL-RQ",
	NEventReportRQ:               "N-EVENT-REPORT-RQ",
	NEventReportRQ | ResponseBit: "N-EVENT-REPORT-RSP",
	NGetRQ:                       "N-GET-RQ",
	NGetRQ | ResponseBit:         "N-GET-RSP",
	NSetRQ:                       "N-SET-RQ",
	NSetRQ | ResponseBit:         "N-SET-RSP",
	NActionRQ:                    "N-ACTION-RQ",
	NActionRQ | ResponseBit:      "N-ACTION-RSP",
	NCreateRQ:                    "N-CREATE-RQ",
	NCreateRQ | ResponseBit:      "N-CREATE-RSP",
	NDeleteRQ:                    "N-DELETE-RQ",
	NDeleteRQ | ResponseBit:      "N-DELETE-RSP",
}

// CommandName returns the PS3.7 name of a Command Field value, e.g.
// "C-STORE-RQ", or "UNKNOWN". The result is one of a fixed set of strings and
// is safe to use as a metric label.
func CommandName(field uint16) string {
	if n, ok := commandNames[field]; ok {
		return n
	}
	return unknownCommand
}

// parseCommand reads a complete command set (implicit VR little endian,
// group 0000 only). Only the command field and the affected/requested SOP
// class UID are used.
func (c *Conn) parseCommand(b []byte, fromRequestor bool) {
	var (
		field     uint16
		haveField bool
		affected  []byte
		requested []byte
	)
	for off := 0; off < len(b); {
		if len(b)-off < 8 {
			c.fail(ErrMalformed)
			return
		}
		group := binary.LittleEndian.Uint16(b[off:])
		elem := binary.LittleEndian.Uint16(b[off+2:])
		l := int64(binary.LittleEndian.Uint32(b[off+4:]))
		off += 8
		if group != tagGroupCommand || l > int64(len(b)-off) {
			c.fail(ErrMalformed)
			return
		}
		v := b[off : off+int(l)]
		off += int(l)
		switch elem {
		case 0x0002: // Affected SOP Class UID
			affected = v
		case 0x0003: // Requested SOP Class UID
			requested = v
		case 0x0100: // Command Field
			if len(v) != 2 {
				c.fail(ErrMalformed)
				return
			}
			field = binary.LittleEndian.Uint16(v)
			haveField = true
		}
	}
	if !haveField {
		c.fail(ErrMalformed)
		return
	}
	if affected == nil {
		affected = requested
	}
	c.stats.Commands++
	c.recordCommand(field, affected, fromRequestor)
}

func (c *Conn) recordCommand(field uint16, sop []byte, fromRequestor bool) {
	cmds := c.assoc.Commands
	for i := range cmds {
		if cmds[i].Field == field && cmds[i].FromRequestor == fromRequestor &&
			equalClean(cmds[i].AffectedSOPClass, sop, maxUIDLen) {
			cmds[i].Count++
			return
		}
	}
	if len(cmds) >= c.lim.MaxCommands {
		return
	}
	c.assoc.Commands = append(cmds, Command{
		Field:            field,
		Name:             CommandName(field),
		AffectedSOPClass: cleanString(sop, maxUIDLen),
		FromRequestor:    fromRequestor,
		Count:            1,
	})
}
