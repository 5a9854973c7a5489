package ieeecsv

import (
	"testing"

	"github.com/wardwatch/wardwatch/fingerprint/oui/internal/tablefmt"
)

func TestNormalizeOrg(t *testing.T) {
	for in, want := range map[string]string{
		"  VMware, Inc. ":                       "VMware, Inc.",
		"Shenzhen YOUHUA Technology Co., Ltd\t": "Shenzhen YOUHUA Technology Co., Ltd",
		"Sichuan\u00a0AI-Link\u00a0Technology":  "Sichuan AI-Link Technology",
		"SHENZHEN\u2002TONG BO WEI":             "SHENZHEN TONG BO WEI",
		"\u200bASUNG TECHNO CO.,Ltd":            "ASUNG TECHNO CO.,Ltd",
		"Jiangsu fulian  Communication":         "Jiangsu fulian Communication",
		"Drägerwerk AG & Co. KG aA":             "Drägerwerk AG & Co. KG aA",
		" \u200b\t":                             "",
	} {
		if got := NormalizeOrg(in); got != want {
			t.Errorf("NormalizeOrg(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatKey(t *testing.T) {
	for _, c := range []struct {
		r    tablefmt.Registry
		k    uint64
		want string
	}{
		{tablefmt.MAL, 0x005056, "00-50-56"},
		{tablefmt.MAM, 0x208593B, "20-85-93-B"},
		{tablefmt.MAS, 0x70B3D5F2F, "70-B3-D5-F2-F"},
	} {
		if got := FormatKey(c.r, c.k); got != c.want {
			t.Errorf("FormatKey(%v, %#x) = %q, want %q", c.r, c.k, got, c.want)
		}
	}
}
