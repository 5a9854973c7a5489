package hl7

import (
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

// deframeAll returns copies of the messages in an MLLP stream.
func deframeAll(stream []byte, maxMsg int) ([][]byte, DeframerStats) {
	d := NewDeframer(maxMsg)
	var out [][]byte
	d.Feed(stream, func(m []byte) { out = append(out, append([]byte(nil), m...)) })
	return out, d.Stats()
}

// frame wraps a message in MLLP framing.
func frame(msg string) []byte { return []byte("\x0b" + msg + "\x1c\r") }

// Synthetic messages (fictional). devMsg carries equipment identifiers in
// PRT and OBX-18 next to PHI canaries in PID, PV1 and OBX-5.
const (
	devMsg = "MSH|^~\\&|MONITOR_GW^1.2.3.4^ISO|ICU_EAST|EMR|GENERAL_HOSP|20240101120000||ORU^R01^ORU_R01|MSG00042|P|2.6\r" +
		"PID|1||PATID1234^^^HOSP^MR||DOE^JANE^Q||19700101|F|||1 Canary Rd^^Springfield^IL^62701\r" +
		"PV1|1|I|ICU^101^A\r" +
		"OBR|1||ORD1|8867-4^Heart rate^LN\r" +
		"PRT|1|AD||EQUIP||||||PUMP-7731^INFUSION^1.2.840.999^ISO||||||(01)00888888000011~(01)00888888000028\r" +
		"OBX|1|NM|8867-4^Heart rate^LN||72|/min|||||F|||20240101120000||||MON-0042^PHILIPS^1.3.6.1.4.1.999^ISO~BED-101^^\r" +
		"OBX|2|ST|SECRET^Comment||DOE JANE SAYS HELLO||||||F|||||||MON-0042^PHILIPS^1.3.6.1.4.1.999^ISO\r" +
		"OBX|3|NM|8310-5^Temp^LN||37.0|Cel|||||F\r"
	ackMsg = "MSH|^~\\&|EMR|GENERAL_HOSP|MONITOR_GW^1.2.3.4^ISO|ICU_EAST|20240101120001||ACK^R01^ACK|ACK00042|P|2.6\rMSA|AE|MSG00042|Unknown bed\r"
)

// phiCanaries are strings from PID/NK1/PV1/AL1/OBX-5 of the captures and the
// synthetic messages that must never appear in what the parser returns.
var phiCanaries = []string{
	"MOUSE", "MICKEY", "MINNIE", "19281118", "135769", "Main St", "Buena", "939-5555", "ohtoodles", "Penicillin",
	"Cat dander", "DUCK", "DONALD", "GOOF", "19240101", "FORT WAYNE", "12345", "DOE", "JANE", "PATID", "Canary",
	"Springfield", "SECRET", "HELLO", "Heart rate",
}
