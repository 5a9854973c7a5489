package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/store/inventory"
)

// assetCmd prints everything known about one device.
func assetCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("asset", "MAC_OR_IP", stderr)
	var f inventoryFlags
	f.register(fs, "table or json")
	values := queryFlags(fs, []string{"vantage", "vlan"})
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// Flags may follow the address too: wardwatch asset 00:1b:... --vlan 20.
	var refs []string
	for fs.NArg() > 0 {
		refs = append(refs, fs.Arg(0))
		if err := parseFlags(fs, fs.Args()[1:]); err != nil {
			return err
		}
	}
	if len(refs) != 1 {
		return usageError("asset: want exactly one MAC or IP address (usage: wardwatch asset [--vlan N] MAC_OR_IP)")
	}
	if f.output != "table" && f.output != "json" {
		return usageError("-o %q: want table or json", f.output)
	}
	if _, _, err := inventory.ParseAssetRef(refs[0]); err != nil {
		return usageError("asset: %q is not a MAC or IP address", refs[0])
	}
	rq, err := inventory.ParseAssetRefQuery(values())
	if err != nil {
		return queryError("asset", err)
	}
	inv, closeDB, err := f.open()
	if err != nil {
		return err
	}
	defer closeDB()
	d, err := inv.Asset(ctx, refs[0], rq)
	if errors.Is(err, inventory.ErrNotFound) {
		return &exitError{code: 1, err: fmt.Errorf("asset: no asset %s in %s", refs[0], scope(rq))}
	}
	if err != nil {
		return err
	}
	if f.output == "json" {
		return writeJSON(stdout, d)
	}
	return printAsset(stdout, d, nowFunc())
}

func scope(rq inventory.AssetRefQuery) string {
	var s []string
	if rq.VLAN != nil {
		s = append(s, fmt.Sprintf("VLAN %d", *rq.VLAN))
	}
	if rq.Vantage != "" {
		s = append(s, "vantage "+rq.Vantage)
	}
	if len(s) == 0 {
		return "the inventory"
	}
	return "the inventory (" + strings.Join(s, ", ") + ")"
}

// printAsset writes the device as labelled lines and tables, within 120
// columns.
func printAsset(w io.Writer, d *inventory.AssetDetailRecord, now time.Time) error {
	a := &d.Asset
	title := a.Hostname
	if title == "" {
		title = a.Ref()
	}
	class := string(a.Class)
	if a.Modality != "" {
		class += " (" + a.Modality + ")"
	}
	fmt.Fprintf(w, "%s: %s, confidence %d%%\n\n", trunc(printable(title), 60), class, a.ClassConfidence)

	kv := newTable(w)
	kv.caps(12, 104)
	mac := a.MAC
	if mac == "" {
		mac = "none (keyed by IP)"
	} else if a.Randomized {
		mac += " (randomized)"
	}
	kv.write([]string{"MAC", mac})
	kv.write([]string{"Vendor", a.Vendor})
	kv.write([]string{"IPs", strings.Join(a.IPs, " ")})
	kv.write([]string{"Hostname", a.Hostname})
	vlan := fmt.Sprintf("%d at %s", a.VLAN, a.Vantage)
	if a.OuterVLAN != 0 {
		vlan = fmt.Sprintf("%d (outer %d) at %s", a.VLAN, a.OuterVLAN, a.Vantage)
	}
	kv.write([]string{"VLAN", vlan})
	zone := a.Zone
	if zone == "" {
		zone = "(no policy)"
	}
	kv.write([]string{"Zone", zone})
	kv.write([]string{"State", fmt.Sprintf("%s, last seen %s (%s ago)", a.State, a.LastSeen, age(a.LastSeen, now))})
	kv.write([]string{"First seen", a.FirstSeen})
	kv.write([]string{"Traffic", fmt.Sprintf("%d packets, %d bytes", a.Packets, a.Bytes)})
	c := &d.Classification
	for _, x := range [][2]string{{"Manufacturer", c.Manufacturer}, {"Model", c.Model}, {"OS", c.OS},
		{"Class since", c.ChangedAt}, {"DHCP vendor", d.DHCP.VendorClass}, {"DHCP options", d.DHCP.ParamList},
		{"DHCP client", d.DHCP.ClientID}, {"AE titles", strings.Join(a.AETitles, ", ")},
		{"HL7 apps", strings.Join(a.HL7Apps, ", ")}} {
		if x[1] != "" {
			kv.write([]string{x[0], x[1]})
		}
	}
	if err := kv.flush(); err != nil {
		return err
	}

	section(w, "Evidence", len(c.Evidence))
	t := newTable(w, "SOURCE", "VALUE", "RULE", "STRENGTH", "LAST SEEN")
	t.caps(18, 40, 24, 8, 20)
	for _, e := range c.Evidence {
		t.row(string(e.Source), e.Value, e.Rule, fmt.Sprint(e.Strength), e.LastSeen)
	}
	if err := flushIf(t, len(c.Evidence)); err != nil {
		return err
	}

	section(w, "Addresses", len(d.Addresses))
	t = newTable(w, "IP", "SOURCE", "FIRST SEEN", "LAST SEEN")
	t.caps(39, 16, 20, 20)
	for _, ad := range d.Addresses {
		t.row(ad.IP, string(ad.Source), ad.FirstSeen, ad.LastSeen)
	}
	if err := flushIf(t, len(d.Addresses)); err != nil {
		return err
	}

	section(w, "Hostnames", len(d.Hostnames))
	t = newTable(w, "NAME", "SOURCE", "FIRST SEEN", "LAST SEEN")
	t.caps(40, 12, 20, 20)
	for _, h := range d.Hostnames {
		t.row(h.Name, string(h.Source), h.FirstSeen, h.LastSeen)
	}
	if err := flushIf(t, len(d.Hostnames)); err != nil {
		return err
	}

	section(w, "DICOM", len(d.DICOM))
	t = newTable(w, "ROLE", "AE TITLE", "PEER AE", "PEER", "ASSOC", "RESULT", "SOP CLASSES")
	t.caps(4, 16, 16, 21, 5, 9, 31)
	for _, x := range d.DICOM {
		var sops []string
		for _, s := range x.SOPClasses {
			name := s.Name
			if name == "" {
				name = s.UID
			}
			sops = append(sops, name)
		}
		t.row(x.Role, x.AETitle, x.PeerAETitle, hostPort(x.PeerIP, x.Port), fmt.Sprint(x.Associations),
			x.LastResult, strings.Join(sops, ", "))
	}
	if err := flushIf(t, len(d.DICOM)); err != nil {
		return err
	}

	section(w, "HL7", len(d.HL7))
	t = newTable(w, "ROLE", "APPLICATION", "PEER APPLICATION", "PEER", "MESSAGES", "TYPES")
	t.caps(8, 20, 20, 21, 8, 25)
	for _, x := range d.HL7 {
		var types []string
		for _, m := range x.MessageTypes {
			types = append(types, fmt.Sprintf("%s×%d", m.Type, m.Count))
		}
		t.row(x.Role, join2(x.Application, x.Facility), join2(x.PeerApplication, x.PeerFacility),
			hostPort(x.PeerIP, x.Port), fmt.Sprint(x.Messages), strings.Join(types, " "))
	}
	if err := flushIf(t, len(d.HL7)); err != nil {
		return err
	}

	section(w, "Peers", d.PeersTotal)
	t = newTable(w, "DIRECTION", "PEER", "PEER NAME", "PEER CLASS", "SERVICE", "CONNS", "BYTES", "SEEN")
	t.caps(9, 29, 16, 18, 14, 6, 10, 4)
	for _, p := range d.Peers {
		dir := "uses →"
		if p.Role == "server" {
			dir = "← serves"
		}
		t.row(dir, p.PeerIP, p.PeerHostname, string(p.PeerClass), service(p.Proto, p.Port, p.Service), fmt.Sprint(p.Connections),
			fmt.Sprint(p.Bytes), age(p.LastSeen, now))
	}
	if err := flushIf(t, len(d.Peers)); err != nil {
		return err
	}
	more(w, len(d.Peers), d.PeersTotal)

	section(w, "Violations", d.ViolationsTotal)
	t = newTable(w, "SEEN", "SEVERITY", "RULE", "ZONES", "SOURCE", "DESTINATION", "SERVICE", "COUNT")
	t.caps(4, 8, 22, 26, 15, 15, 11, 5)
	for _, v := range d.Violations {
		t.row(age(v.LastSeen, now), v.Severity, v.Rule, v.SrcZone+" → "+v.DstZone, v.SrcIP, v.DstIP,
			service(v.Proto, v.Port, v.Service), fmt.Sprint(v.Count))
	}
	if err := flushIf(t, len(d.Violations)); err != nil {
		return err
	}
	more(w, len(d.Violations), d.ViolationsTotal)

	section(w, "Events", d.EventsTotal)
	t = newTable(w, "TIME", "TYPE", "IP", "CHANGE")
	t.caps(20, 24, 15, 50)
	for _, e := range d.Events {
		t.row(e.Time, string(e.Type), e.IP, change(e.OldValue, e.NewValue))
	}
	if err := flushIf(t, len(d.Events)); err != nil {
		return err
	}
	more(w, len(d.Events), d.EventsTotal)

	if len(d.OtherMatches) > 0 {
		section(w, "Also matches", len(d.OtherMatches))
		t = newTable(w, "VLAN", "VANTAGE", "MAC", "IP", "HOSTNAME", "CLASS", "LAST SEEN")
		t.caps(4, 16, 17, 15, 16, 18, 20)
		for _, m := range d.OtherMatches {
			t.row(u16(m.VLAN), m.Vantage, m.MAC, m.IP, m.Hostname, string(m.Class), m.LastSeen)
		}
		if err := t.flush(); err != nil {
			return err
		}
		fmt.Fprintln(w, "(narrow with --vlan N and --vantage V)")
	}
	return nil
}

func section(w io.Writer, name string, n int) {
	fmt.Fprintf(w, "\n%s (%d)\n", name, n)
}

func flushIf(t *table, n int) error {
	if n == 0 {
		return nil
	}
	return t.flush()
}

func more(w io.Writer, shown, total int) {
	if total > shown {
		fmt.Fprintf(w, "(latest %d of %d shown; see wardwatch flows/violations/events --mac)\n", shown, total)
	}
}

func hostPort(ip string, port uint16) string {
	if strings.Contains(ip, ":") {
		return fmt.Sprintf("[%s]:%d", ip, port)
	}
	return fmt.Sprintf("%s:%d", ip, port)
}

func join2(app, facility string) string {
	if facility == "" {
		return app
	}
	return app + "@" + facility
}
