package store

// How values are stored in columns.

import (
	"math"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// keyColumns returns the mac, key_ip and keyed_by columns of a normalised
// key.
func keyColumns(k model.AssetKey) (mac, keyIP, keyedBy string) {
	if k.KeyedByIP() {
		return "", k.IP.String(), "ip"
	}
	return k.MAC.String(), "", "mac"
}

// ns converts a time to the stored form: Unix nanoseconds, 0 for the zero
// time.
func ns(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNS is the inverse of ns, in UTC.
func fromNS(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func i64(u uint64) int64 {
	if u > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(u)
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// ipText is an address's stored form, empty when invalid.
func ipText(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	return ip.String()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
