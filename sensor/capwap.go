package sensor

import "errors"

// CAPWAP data channel (RFC 5415): a wireless controller and its access
// points carry the clients' frames in UDP on port 5247, as native 802.11
// frames (wireless binding 1, RFC 5416) or as 802.3 frames. A SPAN of the
// controller's uplink sees the clients only inside this tunnel, so it is
// opened like the mirror tunnels: the client's frame becomes the inner
// frame and the client an asset (vantage ".../capwap").
//
// Only the data channel is opened. Its DTLS-protected variant (preamble
// type 1), keep-alives, fragments (not reassembled), management and control
// frames, protected (encrypted) and null data frames, A-MSDUs and
// four-address (WDS) frames carry nothing decoded and are left alone.

// CAPWAPDataPort is the CAPWAP data channel's UDP port (RFC 5415 section 3.1).
const CAPWAPDataPort = 5247

// maxWLANFrame bounds the Ethernet frame rebuilt from an 802.11 frame
// (802.11's largest MSDU is 2304 bytes; an A-MSDU, not opened, 7935).
const maxWLANFrame = 4096

var (
	errCAPWAPShort  = errors.New("capwap: header shorter than 8 bytes or its HLEN")
	errCAPWAPHeader = errors.New("capwap: not version 0, or HLEN under 8 bytes")
	errWLANShort    = errors.New("capwap: 802.11 frame shorter than its header")
)

// openCAPWAP reads the CAPWAP data channel datagram in f.Payload and
// returns the client frame it carries, as an Ethernet frame.
func (d *Decoder) openCAPWAP(f *Frame, depth int) ([]byte, bool) {
	inner, ok, err := capwapFrame(f.Payload, d.wlan[depth])
	if err != nil {
		d.fail(LayerTunnel)
		return nil, false
	}
	if !ok {
		return nil, true
	}
	f.pushTunnel(tunnelCAPWAP, 0)
	return inner, true
}

// capwapFrame returns the frame carried by the CAPWAP data channel
// datagram p as an Ethernet frame: an 802.3 payload as it is, a native
// 802.11 data frame rebuilt into buf. ok is false (with a nil error) for a
// well-formed datagram that carries nothing to decode.
func capwapFrame(p, buf []byte) (frame []byte, ok bool, err error) {
	if len(p) < 8 {
		return nil, false, errCAPWAPShort
	}
	if p[0]>>4 != 0 {
		return nil, false, errCAPWAPHeader
	}
	if p[0]&0x0f != 0 {
		return nil, false, nil // DTLS-protected (type 1): nothing readable
	}
	hlen := int(p[1]>>3) * 4
	if hlen < 8 {
		return nil, false, errCAPWAPHeader
	}
	if len(p) < hlen {
		return nil, false, errCAPWAPShort
	}
	wbid := (p[2] >> 1) & 0x1f
	native := p[2]&0x01 != 0
	fragment := p[3]&0x80 != 0
	keepAlive := p[3]&0x08 != 0
	payload := p[hlen:]
	if fragment || keepAlive || len(payload) == 0 {
		return nil, false, nil
	}
	if !native {
		return payload, true, nil // an 802.3 frame
	}
	if wbid != 1 {
		return nil, false, nil // a binding other than IEEE 802.11
	}
	return wlanToEthernet(payload, buf)
}

// wlanToEthernet rebuilds the 802.11 data frame w as an Ethernet frame in
// buf: destination and source address of the frame, then the EtherType of
// an RFC 1042 or 802.1H SNAP header with what follows it (Ethernet II), or
// the length and LLC payload (802.3). Cisco controllers send the frame
// control field byte-swapped; a version other than 0 in the first byte
// tells (the flags byte of a data frame to or from the distribution system
// always has one of its two low bits set).
func wlanToEthernet(w, buf []byte) ([]byte, bool, error) {
	if len(w) < 24 {
		return nil, false, errWLANShort
	}
	fc, flags := w[0], w[1]
	if fc&0x03 != 0 {
		fc, flags = flags, fc // Cisco's swapped frame control
	}
	if fc&0x03 != 0 {
		return nil, false, errCAPWAPHeader
	}
	if (fc>>2)&0x03 != 2 {
		return nil, false, nil // management or control frame
	}
	subtype := fc >> 4
	if subtype&0x04 != 0 || flags&0x40 != 0 {
		return nil, false, nil // null data (no payload), or protected
	}
	var dst, src []byte
	switch flags & 0x03 {
	case 0x01: // to DS: receiver (BSSID), transmitter = source, destination
		src, dst = w[10:16], w[16:22]
	case 0x02: // from DS: destination, BSSID, source
		dst, src = w[4:10], w[16:22]
	default:
		return nil, false, nil // IBSS or four-address (WDS) frame
	}
	hdr := 24
	if subtype&0x08 != 0 { // QoS data: QoS control, and HT control with +HTC/Order
		hdr += 2
		if flags&0x80 != 0 {
			hdr += 4
		}
		if len(w) < hdr {
			return nil, false, errWLANShort
		}
		if w[24]&0x80 != 0 {
			return nil, false, nil // A-MSDU: subframes, not opened
		}
	}
	if len(w) < hdr {
		return nil, false, errWLANShort
	}
	body := w[hdr:]
	copy(buf[0:6], dst)
	copy(buf[6:12], src)
	var n int
	if len(body) >= 8 && body[0] == 0xaa && body[1] == 0xaa && body[2] == 0x03 &&
		body[3] == 0 && body[4] == 0 && (body[5] == 0 || body[5] == 0xf8) {
		// RFC 1042 (00-00-00) or 802.1H (00-00-f8) SNAP: Ethernet II.
		if 12+len(body)-6 > len(buf) {
			return nil, false, nil
		}
		n = 12 + copy(buf[12:], body[6:])
	} else {
		if len(body) > 1500 || 14+len(body) > len(buf) {
			return nil, false, nil
		}
		buf[12], buf[13] = byte(len(body)>>8), byte(len(body))
		n = 14 + copy(buf[14:], body)
	}
	return buf[:n], true, nil
}
