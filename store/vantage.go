package store

import "time"

// Vantage is where a device of the central inventory (store/central) was
// seen: by which sensor (and its site), at which vantage point and VLAN,
// first and last. A sensor's own database has one vantage per asset, its
// key, and leaves AssetDetail.Vantages empty.
type Vantage struct {
	Sensor, Site        string
	Vantage             string
	VLAN                uint16
	FirstSeen, LastSeen time.Time
}
