package inventory_test

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/store/inventory"
)

// FuzzParseQuery feeds raw URL queries (as the API and the page receive
// them) to ParseRawQuery and every list's parser: nothing panics, every
// error is a *ParamError, a query Go's parser takes whole is read the same
// way, and what is accepted is in range.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{
		"", "class=infusion-pump&sort=-last_seen&limit=50", "vlan=abc;", "vlan=20&state=active", "seen_since=7d",
		"new_since=2026-01-05T08:00:00Z&sort=last_seen", "mac=00-1B-63-84-45-E6", "mac=001b.6384.45e6", "ip=fe80::1",
		"search=%25%27%20OR%201%3D1--", "search=a%3Bb", "service=dicom&port=104&proto=tcp&order=asc",
		"type=new-asset&since=24h&until=2026-03-01T00:00:00Z", "severity=critical&src_zone=pumps&dst_zone=internet",
		"limit=1001", "offset=-1", "sort=hostname%3BDROP%20TABLE%20assets", "format=csv&zone=pumps", "class=pacs&class=pacs",
		"modality=ct", "a=1&&b=2", "=", "%zz=1", "vlan=%zz", "x;y=1", "seen_since=1.5d&limit=0&offset=99999999999999999999",
	} {
		f.Add(seed)
	}
	now := t0
	pg := inventory.Paging{Default: 100, Max: 1000}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := inventory.ParseRawQuery(raw)
		var pe *inventory.ParamError
		if err != nil {
			if !errors.As(err, &pe) {
				t.Fatalf("ParseRawQuery(%q): %v is not a *ParamError", raw, err)
			}
			return
		}
		if std, err := url.ParseQuery(raw); err == nil && !reflect.DeepEqual(v, std) && !(len(v) == 0 && len(std) == 0) {
			t.Fatalf("ParseRawQuery(%q) = %v, url.ParseQuery %v", raw, v, std)
		}
		if strings.Contains(raw, ";") {
			t.Fatalf("ParseRawQuery(%q) accepted a \";\"", raw)
		}
		check := func(what string, err error, limit, offset int, vlan *uint16) {
			if err != nil {
				if !errors.As(err, &pe) {
					t.Fatalf("%s(%q): %v is not a *ParamError", what, raw, err)
				}
				return
			}
			if limit < 1 || limit > pg.Max || offset < 0 || (vlan != nil && *vlan > 4095) {
				t.Fatalf("%s(%q): limit %d, offset %d, vlan %v accepted", what, raw, limit, offset, vlan)
			}
		}
		aq, err := inventory.ParseAssetQuery(v, now, pg, "format")
		check("ParseAssetQuery", err, aq.Limit, aq.Offset, aq.VLAN)
		if err == nil && aq.Sort.By != "" && aq.Sort.String() != strings.TrimSpace(v.Get("sort")) {
			t.Fatalf("sort %q read as %+v", v.Get("sort"), aq.Sort)
		}
		vq, err := inventory.ParseViolationQuery(v, now, pg, true, "format")
		check("ParseViolationQuery", err, vq.Limit, vq.Offset, vq.VLAN)
		fq, err := inventory.ParseFlowQuery(v, now, pg, true, "format")
		check("ParseFlowQuery", err, fq.Limit, fq.Offset, fq.VLAN)
		eq, err := inventory.ParseEventQuery(v, now, pg, true, "format")
		check("ParseEventQuery", err, eq.Limit, eq.Offset, eq.VLAN)
	})
}
