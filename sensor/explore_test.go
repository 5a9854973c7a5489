package sensor

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

func TestExploreShared(t *testing.T) {
	if os.Getenv("WW_EXPLORE") == "" {
		t.Skip("set WW_EXPLORE=1")
	}
	root := sharedPcaps(t)
	files, _ := filepath.Glob(filepath.Join(root, "*", "*"))
	sort.Strings(files)
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		c, sum, err := replayFile(t, f, Config{Tunnels: true})
		if c == nil {
			fmt.Printf("%-60s OPEN ERR %v\n", filepath.Base(f), err)
			continue
		}
		keys := map[string]bool{}
		for _, o := range c.obs {
			keys[o.Key.String()] = true
		}
		fmt.Printf("%-55s pk=%d mal=%d err=%v tr=%d obs=%d assets=%d err=%v\n", filepath.Base(f), sum.Packets, sum.Malformed, sum.DecodeErrors, sum.Truncated, len(c.obs), len(keys), err)
		if os.Getenv("WW_EXPLORE") == "2" {
			var ks []string
			for k := range keys {
				ks = append(ks, k)
			}
			sort.Strings(ks)
			for _, k := range ks {
				fmt.Println("    ", k)
			}
		}
	}
}
