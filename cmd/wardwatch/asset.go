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
	values := queryFlags(fs, append([]string{"vantage", "vlan"}, inventory.FleetParams...))
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
	rq, err := inventory.ParseAssetRefQuery(values(), inventory.FleetParams...)
	if err != nil {
		return queryError("asset", err)
	}
	inv, closeDB, err := f.open(ctx)
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
	return printAsset(stdout, outputWidth(stdout, f.wide), d, nowFunc())
}

func scope(rq inventory.AssetRefQuery) string {
	var s []string
	if rq.VLAN != nil {
		s = append(s, fmt.Sprintf("VLAN %d", *rq.VLAN))
	}
	if rq.Vantage != "" {
		s = append(s, "vantage "+rq.Vantage)
	}
	if rq.Sensor != "" {
		s = append(s, "sensor "+rq.Sensor)
	}
	if rq.Site != "" {
		s = append(s, "site "+rq.Site)
	}
	if len(s) == 0 {
		return "the inventory"
	}
	return "the inventory (" + strings.Join(s, ", ") + ")"
}

// printAsset writes the device as labelled lines and tables fitted to
// width (0: never cut): its identity, then one section per kind of fact.
func printAsset(w io.Writer, width int, d *inventory.AssetDetailRecord, now time.Time) error {
	for _, part := range []func(*table, *inventory.AssetDetailRecord, time.Time) error{
		printIdentity, printEvidence, printAddresses, printHostnames, printSignals, printDICOM, printHL7, printPeers,
		printViolations, printEvents, printAdvisoriesOf, printOtherMatches,
	} {
		if err := part(newTable(w, width), d, now); err != nil {
			return err
		}
	}
	return nil
}

// printIdentity writes the title line and the asset's labelled fields;
// optional ones only when known.
func printIdentity(kv *table, d *inventory.AssetDetailRecord, now time.Time) error {
	a := &d.Asset
	title := a.Hostname
	if title == "" {
		title = a.Ref()
	}
	class := string(a.Class)
	if a.Modality != "" {
		class += " (" + a.Modality + ")"
	}
	fmt.Fprintf(kv.w, "%s: %s, confidence %d%%\n\n", trunc(printable(title), 60), class, a.ClassConfidence)

	mac := a.MAC
	if mac == "" {
		mac = "none (keyed by IP)"
	} else if a.Randomized {
		mac += " (randomized)"
	}
	vlan := fmt.Sprintf("%d at %s", a.VLAN, a.Vantage)
	if a.OuterVLAN != 0 {
		vlan = fmt.Sprintf("%d (outer %d) at %s", a.VLAN, a.OuterVLAN, a.Vantage)
	}
	zone := a.Zone
	if zone == "" {
		zone = "(no policy)"
	}
	c := &d.Classification
	kv.cut(-1, 20)
	for _, x := range [][2]string{{"MAC", mac}, {"Vendor", a.Vendor}, {"IPs", strings.Join(a.IPs, " ")},
		{"Hostname", a.Hostname}, {"VLAN", vlan}, {"Zone", zone},
		{"State", fmt.Sprintf("%s, last seen %s (%s ago)", a.State, a.LastSeen, age(a.LastSeen, now))},
		{"Critical", criticalLine(a, now)},
		{"First seen", a.FirstSeen}, {"Traffic", fmt.Sprintf("%d packets, %d bytes", a.Packets, a.Bytes)}} {
		if x[1] != "" || x[0] != "Critical" {
			kv.row(x[:]...)
		}
	}
	for i, v := range a.Vantages { // a central inventory's: every sensor that saw the device
		label := ""
		if i == 0 {
			label = "Seen by"
		}
		kv.row(label, fmt.Sprintf("%s (%s) at %s, VLAN %d, %s .. %s", v.Sensor, v.Site, v.Vantage, v.VLAN,
			v.FirstSeen, v.LastSeen))
	}
	for _, x := range [][2]string{{"Manufacturer", c.Manufacturer}, {"Model", c.Model}, {"Version", c.Version}, {"OS", c.OS},
		{"Class since", c.ChangedAt}, {"DHCP vendor", d.DHCP.VendorClass}, {"DHCP options", d.DHCP.ParamList},
		{"DHCP client", d.DHCP.ClientID}, {"AE titles", strings.Join(a.AETitles, ", ")},
		{"HL7 apps", strings.Join(a.HL7Apps, ", ")}} {
		if x[1] != "" {
			kv.row(x[:]...)
		}
	}
	return kv.flush()
}

func printEvidence(t *table, d *inventory.AssetDetailRecord, _ time.Time) error {
	ev := d.Classification.Evidence
	t.header = []string{"SOURCE", "VALUE", "RULE", "STRENGTH", "LAST SEEN"}
	t.cut(-1, 12, 10, -1, -1)
	for _, e := range ev {
		t.row(string(e.Source), e.Value, e.Rule, fmt.Sprint(e.Strength), e.LastSeen)
	}
	return t.section("Evidence", len(ev), len(ev))
}

func printAddresses(t *table, d *inventory.AssetDetailRecord, _ time.Time) error {
	t.header = []string{"IP", "SOURCE", "FIRST SEEN", "LAST SEEN"}
	for _, ad := range d.Addresses {
		t.row(ad.IP, string(ad.Source), ad.FirstSeen, ad.LastSeen)
	}
	return t.section("Addresses", len(d.Addresses), len(d.Addresses))
}

func printHostnames(t *table, d *inventory.AssetDetailRecord, _ time.Time) error {
	t.header = []string{"NAME", "SOURCE", "FIRST SEEN", "LAST SEEN"}
	t.cut(12, -1, -1, -1)
	for _, h := range d.Hostnames {
		t.row(h.Name, string(h.Source), h.FirstSeen, h.LastSeen)
	}
	return t.section("Hostnames", len(d.Hostnames), len(d.Hostnames))
}

func printSignals(t *table, d *inventory.AssetDetailRecord, _ time.Time) error {
	t.header = []string{"SOURCE", "VALUE", "REPORTS", "FIRST SEEN", "LAST SEEN"}
	t.cut(-1, 12, -1, -1, -1)
	for _, x := range d.Signals {
		t.row(string(x.Source), x.Value, fmt.Sprint(x.Reports), x.FirstSeen, x.LastSeen)
	}
	return t.section("Signals", len(d.Signals), len(d.Signals))
}

func printDICOM(t *table, d *inventory.AssetDetailRecord, _ time.Time) error {
	t.header = []string{"ROLE", "AE TITLE", "PEER AE", "PEER", "ASSOC", "RESULT", "SOP CLASSES"}
	t.cut(-1, -1, -1, -1, -1, -1, 12)
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
	return t.section("DICOM", len(d.DICOM), len(d.DICOM))
}

func printHL7(t *table, d *inventory.AssetDetailRecord, _ time.Time) error {
	t.header = []string{"ROLE", "APPLICATION", "PEER APPLICATION", "PEER", "MESSAGES", "TYPES"}
	t.cut(-1, 10, 10, -1, -1, 10)
	for _, x := range d.HL7 {
		var types []string
		for _, m := range x.MessageTypes {
			types = append(types, fmt.Sprintf("%s×%d", m.Type, m.Count))
		}
		t.row(x.Role, join2(x.Application, x.Facility), join2(x.PeerApplication, x.PeerFacility),
			hostPort(x.PeerIP, x.Port), fmt.Sprint(x.Messages), strings.Join(types, " "))
	}
	return t.section("HL7", len(d.HL7), len(d.HL7))
}

func printPeers(t *table, d *inventory.AssetDetailRecord, now time.Time) error {
	t.header = []string{"DIRECTION", "PEER", "PEER NAME", "PEER CLASS", "SERVICE", "CONNS", "BYTES", "SEEN"}
	t.cut(-1, 15, 10, 10, -1, -1, -1, -1)
	for _, p := range d.Peers {
		dir := "uses →"
		if p.Role == "server" {
			dir = "← serves"
		}
		t.row(dir, p.PeerIP, p.PeerHostname, string(p.PeerClass), service(p.Proto, p.Port, p.Service), fmt.Sprint(p.Connections),
			fmt.Sprint(p.Bytes), age(p.LastSeen, now))
	}
	return t.section("Peers", len(d.Peers), d.PeersTotal)
}

func printViolations(t *table, d *inventory.AssetDetailRecord, now time.Time) error {
	violationRows(t, d.Violations, now)
	return t.section("Violations", len(d.Violations), d.ViolationsTotal)
}

func printEvents(t *table, d *inventory.AssetDetailRecord, _ time.Time) error {
	t.header = []string{"TIME", "TYPE", "IP", "CHANGE"}
	t.cut(-1, -1, 15, 16)
	for _, e := range d.Events {
		t.row(e.Time, string(e.Type), e.IP, change(e.OldValue, e.NewValue))
	}
	return t.section("Events", len(d.Events), d.EventsTotal)
}

// printOtherMatches lists the further assets the reference matched, if
// any.
func printOtherMatches(t *table, d *inventory.AssetDetailRecord, _ time.Time) error {
	if len(d.OtherMatches) == 0 {
		return nil
	}
	t.header = []string{"VLAN", "VANTAGE", "MAC", "IP", "HOSTNAME", "CLASS", "LAST SEEN"}
	t.cut(-1, 8, -1, 15, 10, 10, -1)
	for _, m := range d.OtherMatches {
		t.row(u16(m.VLAN), m.Vantage, m.MAC, m.IP, m.Hostname, string(m.Class), m.LastSeen)
	}
	if err := t.section("Also matches", len(d.OtherMatches), len(d.OtherMatches)); err != nil {
		return err
	}
	_, err := fmt.Fprintln(t.w, "(narrow with --vlan N and --vantage V)")
	return err
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

// criticalLine says, for a critical device (the policy's critical
// section), when it last answered the ARP liveness probe; "" for another.
func criticalLine(a *inventory.AssetRecord, now time.Time) string {
	switch {
	case !a.Critical:
		return ""
	case a.ProbedAt != "":
		return fmt.Sprintf("yes; probe answered %s (%s ago)", a.ProbedAt, age(a.ProbedAt, now))
	}
	return "yes"
}
