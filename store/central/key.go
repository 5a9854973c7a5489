package central

import (
	"crypto/sha256"
	"encoding/binary"
)

// Key tags: the kind of row a key names. They are part of the hash, so the
// keys of different kinds of rows never coincide by construction. Never
// change them, nor keyOf's encoding: the central database's rows are keyed
// by them, and a change would duplicate every row at the next push.
const (
	tagAsset     = "asset"
	tagDICOMAE   = "dicom_ae"
	tagHL7App    = "hl7_app"
	tagFlow      = "flow"
	tagViolation = "violation"
	tagEvent     = "event"
)

// keyOf hashes a natural key into a central row key: the first 8 bytes of
// SHA-256 over the tag and the parts, each part encoded with a type byte,
// strings with their length, so that ("ab", "c") and ("a", "bc") differ.
// Parts are strings or int64. 64 bits keep the indexes small; the chance of
// any collision among a million rows of one kind is below 1e-7.
func keyOf(tag string, parts ...any) int64 {
	h := sha256.New()
	var buf [9]byte
	writeString := func(s string) {
		buf[0] = 's'
		binary.BigEndian.PutUint64(buf[1:], uint64(len(s)))
		h.Write(buf[:])
		h.Write([]byte(s))
	}
	writeString(tag)
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			writeString(v)
		case int64:
			buf[0] = 'i'
			binary.BigEndian.PutUint64(buf[1:], uint64(v))
			h.Write(buf[:])
		default:
			panic("central: key part of unsupported type") // a programming error in tables.go
		}
	}
	var sum [sha256.Size]byte
	return int64(binary.BigEndian.Uint64(h.Sum(sum[:0])))
}

// AssetKey is the central key of the asset (vantage, vlan, mac, keyIP) of
// sensor: assets.key and every asset_key column. keyIP is "" for an asset
// keyed by MAC, mac "" for one keyed by IP (the SQLite assets columns).
func AssetKey(sensor, vantage string, vlan int, mac, keyIP string) int64 {
	return keyOf(tagAsset, sensor, vantage, int64(vlan), mac, keyIP)
}
