package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wardwatch/wardwatch/sensor/model"
	"github.com/wardwatch/wardwatch/store"
)

// assetRecord is the one shape an asset has in JSON and CSV output.
type assetRecord struct {
	Vantage         string   `json:"vantage"`
	VLAN            uint16   `json:"vlan"`
	OuterVLAN       uint16   `json:"outer_vlan,omitempty"`
	MAC             string   `json:"mac"`
	KeyedBy         string   `json:"keyed_by"`
	IPs             []string `json:"ips"`
	Hostname        string   `json:"hostname"`
	Vendor          string   `json:"vendor"`
	Randomized      bool     `json:"randomized"`
	Class           string   `json:"class"`
	DHCPParamList   string   `json:"dhcp_param_list"`
	DHCPVendorClass string   `json:"dhcp_vendor_class"`
	FirstSeen       string   `json:"first_seen"`
	LastSeen        string   `json:"last_seen"`
	Packets         uint64   `json:"packets"`
	Bytes           uint64   `json:"bytes"`
}

func toRecord(a model.Asset) assetRecord {
	r := assetRecord{
		Vantage: a.Key.Vantage, VLAN: a.Key.VLAN, OuterVLAN: a.OuterVLAN, KeyedBy: "mac",
		Hostname: a.Hostname, Vendor: a.Vendor, Randomized: a.Randomized, Class: a.Class,
		DHCPParamList: a.DHCPParamList, DHCPVendorClass: a.DHCPVendorClass,
		FirstSeen: rfc3339(a.FirstSeen), LastSeen: rfc3339(a.LastSeen), Packets: a.Packets, Bytes: a.Bytes,
		IPs: []string{},
	}
	if a.Key.KeyedByIP() {
		r.KeyedBy = "ip"
		r.IPs = append(r.IPs, a.Key.IP.String())
	} else {
		r.MAC = a.Key.MAC.String()
	}
	for _, ad := range a.Addresses {
		if a.Key.KeyedByIP() && ad.IP == a.Key.IP {
			continue
		}
		r.IPs = append(r.IPs, ad.IP.String())
	}
	if r.Class == "" {
		r.Class = "unknown"
	}
	return r
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func assetsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("assets", "", stderr)
	var cf commonFlags
	cf.register(fs, false)
	output := fs.String("o", "table", "output format: table, json or csv")
	vlan := fs.Int("vlan", -1, "only assets on this VLAN")
	mac := fs.String("mac", "", "only the asset with this MAC address")
	limit := fs.Int("limit", 0, "at most this many assets (0: all)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	db, err := store.OpenReadOnly(cfg.Store.Path)
	if err != nil {
		return err
	}
	defer db.Close()
	f := store.AssetFilter{Limit: *limit}
	if *vlan >= 0 {
		v := uint16(*vlan)
		f.VLAN = &v
	}
	if *mac != "" {
		m, err := model.ParseMAC(*mac)
		if err != nil {
			return usageError("assets: --mac: %v", err)
		}
		f.MAC = m.String()
	}
	assets, err := db.Assets(ctx, f)
	if err != nil {
		return err
	}
	recs := make([]assetRecord, 0, len(assets))
	for _, a := range assets {
		recs = append(recs, toRecord(a))
	}
	switch *output {
	case "json":
		return writeJSON(stdout, recs)
	case "csv":
		w := csv.NewWriter(stdout)
		w.Write([]string{"vantage", "vlan", "outer_vlan", "mac", "keyed_by", "ips", "hostname", "vendor", "randomized", "class",
			"dhcp_param_list", "dhcp_vendor_class", "first_seen", "last_seen", "packets", "bytes"})
		for _, r := range recs {
			w.Write([]string{r.Vantage, u16(r.VLAN), u16(r.OuterVLAN), r.MAC, r.KeyedBy, strings.Join(r.IPs, " "), r.Hostname, r.Vendor,
				strconv.FormatBool(r.Randomized), r.Class, r.DHCPParamList, r.DHCPVendorClass, r.FirstSeen, r.LastSeen,
				strconv.FormatUint(r.Packets, 10), strconv.FormatUint(r.Bytes, 10)})
		}
		w.Flush()
		return w.Error()
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VLAN\tMAC\tIP\tHOSTNAME\tVENDOR\tCLASS\tLAST SEEN\tPACKETS")
	for _, r := range recs {
		ip := ""
		if len(r.IPs) > 0 {
			ip = r.IPs[0]
			if len(r.IPs) > 1 {
				ip += fmt.Sprintf(" +%d", len(r.IPs)-1)
			}
		}
		id := r.MAC
		if r.KeyedBy == "ip" {
			id = "(by IP)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", r.VLAN, id, ip, trunc(r.Hostname, 20), trunc(r.Vendor, 24), r.Class,
			r.LastSeen, r.Packets)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d assets\n", len(recs))
	return nil
}

func checkOutput(o string) error {
	switch o {
	case "table", "json", "csv":
		return nil
	}
	return usageError("-o %q: want table, json or csv", o)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func u16(v uint16) string { return strconv.Itoa(int(v)) }

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
