package inventorytest

import (
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
)

// PolicyZones places assets in the zones of p.
//
// Interim: policy/segment's Segmenter replaces it when it lands.
func PolicyZones(p *policy.Policy) zones { return zones{p} }

type zones struct{ p *policy.Policy }

func (z zones) Zone(a *model.Asset) string {
	e := policy.Endpoint{Vantage: a.Key.Vantage, VLAN: a.Key.VLAN, MAC: a.Key.MAC, Class: a.Class.OrUnknown(), AETitle: a.AETitle}
	if a.Key.KeyedByIP() || len(a.Addresses) == 0 {
		e.IP = a.Key.IP
	} else {
		e.IP = a.Addresses[0].IP
		for _, ad := range a.Addresses {
			if ad.IP.Is4() {
				e.IP = ad.IP
				break
			}
		}
	}
	return z.p.ZoneOf(&e)
}
