package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint/advisory"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
	"github.com/wardwatch/wardwatch/store"
	"github.com/wardwatch/wardwatch/store/central"
	"github.com/wardwatch/wardwatch/store/inventory"
)

// nowFunc is the clock lifecycle states and ages are computed against;
// tests set it.
var nowFunc = time.Now

// paramHelp documents the query flags of the inventory verbs; each flag is
// the API parameter of the same name with "-" for "_" (docs/inventory.md).
var paramHelp = map[string]string{
	"class":      "only this device class (infusion-pump, patient-monitor, imaging-modality, pacs, ...)",
	"modality":   "only imaging modalities of this DICOM modality (CT, MR, US, CR, DX, ...)",
	"vendor":     "vendor (IEEE OUI) or manufacturer contains this (case-insensitive)",
	"vantage":    "only this vantage point",
	"vlan":       "only this VLAN (0 = untagged)",
	"zone":       "only this policy zone (needs a policy: --policy.file or policy.file)",
	"ip":         "only assets that used this IP address",
	"mac":        "only this MAC address (any of 00:1b:63:84:45:e6, 00-1B-63-84-45-E6, 001b.6384.45e6)",
	"search":     "hostname, model, DICOM AE title or HL7 application contains this (case-insensitive)",
	"state":      "only assets in this lifecycle state: active, dormant or retired",
	"seen_since": "only those seen within this window or since this time (24h, 7d, 2026-01-05T08:00:00Z)",
	"new_since":  "only those first seen within this window or since this time (7d, RFC 3339)",
	"sort":       "sort by vantage, vlan, mac, hostname, vendor, class, model, confidence, first_seen, last_seen, packets, bytes; leading - for descending",
	"limit":      "at most this many (default: all)",
	"offset":     "skip this many first",
	"order":      "asc (oldest first, the default) or desc (newest first)",
	"rule":       "only violations of this policy rule",
	"src_zone":   "only violations from this zone (the client's)",
	"dst_zone":   "only violations to this zone (the server's)",
	"severity":   "only this severity: low, medium, high, critical",
	"proto":      "only this IP protocol: tcp, udp, icmp or a number",
	"port":       "only this server port",
	"service":    "only this service: " + strings.Join(model.Services, ", "),
	"sensor":     "only what this sensor saw (a central inventory: --central)",
	"site":       "only what the sensors of this site saw (a central inventory: --central)",
	"type":       "only this event type (new-device, new-ip, ip-moved, hostname-changed, class-changed, policy-violation, ...)",
	"since":      "only events at or after this (24h, 7d, RFC 3339)",
	"until":      "only events before this (24h, 7d, RFC 3339)",
}

// queryFlags registers a string flag for each API parameter and returns a
// function collecting the flags given into url.Values, so the CLI and the
// API share one parser (inventory.Parse*Query) and its messages.
func queryFlags(fs *flag.FlagSet, params []string) func() url.Values {
	for _, p := range params {
		fs.String(flagName(p), "", paramHelp[p])
	}
	return func() url.Values {
		v := url.Values{}
		fs.Visit(func(f *flag.Flag) {
			for _, p := range params {
				if flagName(p) == f.Name {
					v.Set(p, f.Value.String())
				}
			}
		})
		return v
	}
}

func flagName(param string) string { return strings.ReplaceAll(param, "_", "-") }

// queryError turns an inventory.ParamError into a usage error naming the flag.
func queryError(verb string, err error) error {
	var pe *inventory.ParamError
	if errors.As(err, &pe) {
		return usageError("%s: --%s: %s", verb, flagName(pe.Param), pe.Msg)
	}
	return err
}

// inventoryFlags are the flags every inventory verb shares.
type inventoryFlags struct {
	cf         commonFlags
	central    string // DSN of a central inventory; "" for the local database
	centralPW  string
	policyFile string
	output     string
	wide       bool
	stderr     io.Writer
	// advisoriesDir is the advisories directory open used.
	advisoriesDir string
}

func (f *inventoryFlags) register(fs *flag.FlagSet, outputs string) {
	f.stderr = fs.Output()
	f.cf.register(fs, false)
	f.cf.registerAdvisories(fs)
	fs.StringVar(&f.policyFile, "policy.file", "", "segmentation policy for zones (default: policy.file from the config)")
	fs.StringVar(&f.central, "central", "", "read the central inventory of many sensors at this PostgreSQL `DSN` (as central.dsn, without the password) instead of the local database")
	fs.StringVar(&f.centralPW, "central.password-file", "", "`file` holding the central database's password (default: central.password_file from the config; pgx also reads PGPASSFILE/~/.pgpass)")
	fs.StringVar(&f.output, "o", "table", "output format: "+outputs)
	fs.BoolVar(&f.wide, "wide", false, "never cut table cells (default: fit the terminal's width, $COLUMNS, else 120)")
	timeFlag(fs, "now", "evaluate states, ages and --seen-since as of this RFC 3339 time (e.g. the end of a replayed capture); default: now",
		func(t time.Time) { nowFunc = func() time.Time { return t } })
}

// timeFlag registers a flag taking an RFC 3339 time, given to set.
func timeFlag(fs *flag.FlagSet, name, usage string, set func(time.Time)) {
	fs.Func(name, usage, func(s string) error {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fmt.Errorf("want an RFC 3339 time such as 2026-01-05T08:10:00Z")
		}
		set(t)
		return nil
	})
}

// open loads the config and the policy and opens the database read-only
// (it works while the daemon writes), or with --central the central
// inventory. Call close when done.
func (f *inventoryFlags) open(ctx context.Context) (inv *inventory.Service, close func(), err error) {
	cfg, err := f.cf.load()
	if err != nil {
		return nil, nil, err
	}
	// Zones need the policy: --policy.file must load; the config's
	// policy.file (perhaps unreadable for this user) only warns.
	var p *policy.Policy
	switch {
	case f.policyFile != "":
		if p, err = policy.Load(f.policyFile); err != nil {
			return nil, nil, fmt.Errorf("policy: %s", oneLine(err))
		}
	case cfg.Policy.File != "":
		if p, err = policy.Load(cfg.Policy.File); err != nil {
			fmt.Fprintf(f.stderr, "wardwatch: warning: no zones: policy: %s\n", oneLine(err))
			p = nil
		}
	}
	// Advisories likewise: --advisories.dir must load; the config's
	// advisories.dir only warns.
	set, err := loadAdvisories(cfg.Advisories.Dir, f.stderr)
	if err != nil {
		if f.cf.advisoriesDir != "" {
			return nil, nil, err
		}
		fmt.Fprintf(f.stderr, "wardwatch: warning: no advisories: %s\n", oneLine(err))
	}
	f.advisoriesDir = cfg.Advisories.Dir
	if f.central != "" {
		pw := f.centralPW
		if pw == "" {
			pw = cfg.Central.PasswordFile
		}
		c, err := central.OpenInventory(ctx, central.InventoryOptions{DSN: f.central, PasswordFile: pw})
		if err != nil {
			return nil, nil, err
		}
		return newCentralInventory(c, segment.Fixed(p), cfg, nowFunc, func() *advisory.Set { return set }), c.Close, nil
	}
	db, err := store.OpenReadOnly(cfg.Store.Path)
	if err != nil {
		return nil, nil, err
	}
	inv = newInventory(db, segment.Fixed(p), cfg, nowFunc, time.Time{}, func() *advisory.Set { return set })
	return inv, func() { db.Close() }, nil
}

// dir is the advisories directory in use once open has run ("" for none).
func (f *inventoryFlags) dir() string { return f.advisoriesDir }

// listVerb is an inventory verb that prints a list (assets, violations,
// flows, events): its query parameters, parsed by parse into the query the
// service method find answers, printed as JSON, as CSV under csvHeader, or
// as the table rows makes, followed by the count of one and many.
type listVerb[Q, R any] struct {
	name      string
	params    []string
	hint      func(arg string) string // added to the error for an argument; nil for none
	parse     func(v url.Values, now time.Time) (Q, error)
	find      func(*inventory.Service, context.Context, Q) (inventory.Page[R], error)
	each      func(*inventory.Service, context.Context, Q, func([]R) error) (int, error) // -o csv: streamed
	csvHeader []string
	rows      func(t *table, items []R, now time.Time)
	one, many string
}

// runList runs the list verb v with args.
func runList[Q, R any, P interface {
	*R
	inventory.CSVRow
}](ctx context.Context, v listVerb[Q, R], args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet(v.name, "", stderr)
	var f inventoryFlags
	f.register(fs, "table, json or csv")
	values := queryFlags(fs, append(slices.Clone(v.params), inventory.FleetParams...))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		hint := ""
		if v.hint != nil {
			hint = v.hint(fs.Arg(0))
		}
		return usageError("%s: unexpected argument %q%s", v.name, fs.Arg(0), hint)
	}
	if err := checkOutput(f.output); err != nil {
		return err
	}
	q, err := v.parse(values(), nowFunc())
	if err != nil {
		return queryError(v.name, err)
	}
	inv, closeDB, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	if f.output == "csv" { // streamed from the database's cursor, as the API exports
		cw := inventory.NewCSVWriter(stdout)
		if err := cw.Header(inv.CSVHeader(v.csvHeader)); err != nil {
			return err
		}
		if _, err := v.each(inv, ctx, q, func(recs []R) error { return inventory.WriteCSVRows[R, P](cw, recs) }); err != nil {
			return queryError(v.name, err)
		}
		return cw.Flush()
	}
	page, err := v.find(inv, ctx, q)
	if err != nil {
		return queryError(v.name, err)
	}
	if f.output == "json" {
		return writeJSON(stdout, page.Items)
	}
	t := newTable(stdout, outputWidth(stdout, f.wide))
	v.rows(t, page.Items, nowFunc())
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, countLine(len(page.Items), page.Total, v.one, v.many))
	return nil
}

func assetsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runList(ctx, listVerb[inventory.AssetQuery, inventory.AssetRecord]{
		name: "assets", params: inventory.AssetQueryParams,
		hint: func(arg string) string { return " (for one device: wardwatch asset " + arg + ")" },
		parse: func(v url.Values, now time.Time) (inventory.AssetQuery, error) {
			return inventory.ParseAssetQuery(v, now, inventory.Paging{}, inventory.FleetParams...)
		},
		find: (*inventory.Service).Assets, each: (*inventory.Service).EachAsset, csvHeader: inventory.AssetCSVHeader,
		rows: assetRows, one: "asset", many: "assets",
	}, args, stdout, stderr)
}

// assetRows fills t with the assets: a VANTAGE column when they come from
// several vantage points (the same MAC on two is two devices), the IPv4
// address first, the manufacturer (else the OUI's vendor), and a MODEL
// column when a device's model is known.
func assetRows(t *table, items []inventory.AssetRecord, now time.Time) {
	vantages := severalVantages(items, func(r *inventory.AssetRecord) string { return r.Vantage })
	models := slices.ContainsFunc(items, func(r inventory.AssetRecord) bool { return r.Model != "" })
	fleet := slices.ContainsFunc(items, func(r inventory.AssetRecord) bool { return r.Sensor != "" })
	t.column(fleet, "SENSOR", 8)
	t.column(fleet, "SITE", 8)
	t.column(vantages, "VANTAGE", 8)
	t.column(true, "VLAN", -1)
	t.column(true, "MAC", -1)
	t.column(true, "IP", 15)
	t.column(true, "HOSTNAME", 10)
	t.column(true, "CLASS", 13)
	t.column(true, "VENDOR", 8)
	t.column(models, "MODEL", 8)
	t.column(true, "ZONE", 8)
	t.column(true, "STATE", -1)
	t.column(true, "SEEN", -1)
	for _, r := range items {
		id := r.MAC
		if r.KeyedBy == "ip" {
			id = "(by IP)"
		}
		class := string(r.Class)
		if r.Modality != "" {
			class += "/" + r.Modality
		}
		vendor := r.Manufacturer
		if vendor == "" {
			vendor = r.Vendor
		}
		sensors, sites := vantageSummary(r.Vantages)
		t.row(sensors, sites, r.Vantage, u16(r.VLAN), id, ipSummary(r.IPs), r.Hostname, class, vendor, r.Model, r.Zone, r.State,
			age(r.LastSeen, now))
	}
}

// vantageSummary is a central device's SENSOR and SITE cells: the sensor
// and site that saw it last, with "+N" for the others that saw it too.
func vantageSummary(vs []inventory.VantageRecord) (sensors, sites string) {
	if len(vs) == 0 {
		return "", ""
	}
	summary := func(name func(*inventory.VantageRecord) string) string {
		seen := map[string]bool{}
		for i := range vs {
			seen[name(&vs[i])] = true
		}
		s := name(&vs[0]) // the latest
		if len(seen) > 1 {
			s += fmt.Sprintf(" +%d", len(seen)-1)
		}
		return s
	}
	return summary(func(v *inventory.VantageRecord) string { return v.Sensor }),
		summary(func(v *inventory.VantageRecord) string { return v.Site })
}

// severalVantages reports whether items come from more than one vantage
// point.
func severalVantages[R any](items []R, vantage func(*R) string) bool {
	for i := range items {
		if vantage(&items[i]) != vantage(&items[0]) {
			return true
		}
	}
	return false
}

// countLine is the last line under a table: "48 assets", or
// "10 of 48 assets shown" when a limit or offset cut the list.
func countLine(shown, total int, one, many string) string {
	noun := many
	if total == 1 {
		noun = one
	}
	if shown == total {
		return fmt.Sprintf("%d %s", total, noun)
	}
	return fmt.Sprintf("%d of %d %s shown", shown, total, noun)
}

// ipSummary is the address a table shows for a device, with "+N" for its
// others: the first IPv4 address, else the first that is not link-local
// (fe80::, which says little and is long), else the first.
func ipSummary(ips []string) string {
	if len(ips) == 0 {
		return ""
	}
	best := slices.IndexFunc(ips, func(s string) bool { a, err := netip.ParseAddr(s); return err == nil && a.Is4() })
	if best < 0 {
		best = slices.IndexFunc(ips, func(s string) bool {
			a, err := netip.ParseAddr(s)
			return err == nil && !a.IsLinkLocalUnicast()
		})
	}
	ip := ips[max(best, 0)]
	if len(ips) == 1 {
		return ip
	}
	return fmt.Sprintf("%s +%d", ip, len(ips)-1)
}

// age is how long ago an RFC 3339 time was, in at most 4 characters.
func age(s string, now time.Time) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return ""
	}
	return inventory.Age(now.Sub(t))
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
