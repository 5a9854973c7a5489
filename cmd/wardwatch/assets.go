package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
	"github.com/wardwatch/wardwatch/store"
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
	"sort":       "sort by vantage, vlan, mac, hostname, vendor, class, confidence, first_seen, last_seen, packets, bytes; leading - for descending",
	"limit":      "at most this many (default: all)",
	"offset":     "skip this many first",
	"order":      "asc (oldest first, the default) or desc (newest first)",
	"rule":       "only violations of this policy rule",
	"severity":   "only this severity: low, medium, high, critical",
	"proto":      "only this IP protocol: tcp, udp, icmp or a number",
	"port":       "only this server port",
	"service":    "only this service (dicom, hl7, https, dns, ...)",
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
	policyFile string
	output     string
	stderr     io.Writer
}

func (f *inventoryFlags) register(fs *flag.FlagSet, outputs string) {
	f.stderr = fs.Output()
	f.cf.register(fs, false)
	fs.StringVar(&f.policyFile, "policy.file", "", "segmentation policy for zones (default: policy.file from the config)")
	fs.StringVar(&f.output, "o", "table", "output format: "+outputs)
	fs.Func("now", "evaluate states, ages and --seen-since as of this RFC 3339 time (e.g. the end of a replayed capture); default: now",
		func(s string) error {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return fmt.Errorf("want an RFC 3339 time such as 2026-01-05T08:10:00Z")
			}
			nowFunc = func() time.Time { return t }
			return nil
		})
}

// open loads the config and the policy and opens the database read-only
// (it works while the daemon writes). Call close when done.
func (f *inventoryFlags) open() (inv *inventory.Service, close func(), err error) {
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
	db, err := store.OpenReadOnly(cfg.Store.Path)
	if err != nil {
		return nil, nil, err
	}
	inv = newInventory(db, segment.Fixed(p), cfg, nowFunc)
	return inv, func() { db.Close() }, nil
}

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
	csvHeader []string
	rows      func(w io.Writer, items []R, now time.Time) *table
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
	values := queryFlags(fs, v.params)
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
	inv, closeDB, err := f.open()
	if err != nil {
		return err
	}
	defer closeDB()
	page, err := v.find(inv, ctx, q)
	if err != nil {
		return queryError(v.name, err)
	}
	switch f.output {
	case "json":
		return writeJSON(stdout, page.Items)
	case "csv":
		return inventory.WriteCSV[R, P](stdout, v.csvHeader, page.Items)
	}
	if err := v.rows(stdout, page.Items, nowFunc()).flush(); err != nil {
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
			return inventory.ParseAssetQuery(v, now, inventory.Paging{})
		},
		find: (*inventory.Service).Assets, csvHeader: inventory.AssetCSVHeader, rows: assetRows, one: "asset", many: "assets",
	}, args, stdout, stderr)
}

func assetRows(w io.Writer, items []inventory.AssetRecord, now time.Time) *table {
	t := newTable(w, "VLAN", "MAC", "IP", "HOSTNAME", "CLASS", "VENDOR", "ZONE", "STATE", "SEEN")
	t.caps(4, 17, 15, 17, 19, 11, 10, 7, 4)
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
		t.row(u16(r.VLAN), id, ipSummary(r.IPs), r.Hostname, class, vendor, r.Zone, r.State, age(r.LastSeen, now))
	}
	return t
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

// ipSummary is the first IP, with "+N" for the others.
func ipSummary(ips []string) string {
	if len(ips) == 0 {
		return ""
	}
	if len(ips) == 1 {
		return ips[0]
	}
	return fmt.Sprintf("%s +%d", ips[0], len(ips)-1)
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

// trunc shortens s to at most n characters, marking a cut with "…".
func trunc(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// printable replaces control characters (terminal escapes, tabs, newlines
// in names that came from the wire) with "?", so a table cell is one line
// that cannot drive the terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return '?'
		}
		return r
	}, s)
}

// table is an aligned text table whose columns are cut to fixed widths, so
// a row never exceeds the sum of the caps plus two spaces per column: the
// inventory verbs keep that within 120.
type table struct {
	w       io.Writer
	buf     bytes.Buffer
	tw      *tabwriter.Writer
	widths  []int
	started bool
	header  []string
}

func newTable(w io.Writer, header ...string) *table {
	t := &table{w: w, header: header}
	t.tw = tabwriter.NewWriter(&t.buf, 0, 0, 2, ' ', 0)
	return t
}

func (t *table) caps(widths ...int) { t.widths = widths }

func (t *table) row(cells ...string) {
	if !t.started {
		t.started = true
		if len(t.header) > 0 {
			t.write(t.header)
		}
	}
	t.write(cells)
}

func (t *table) write(cells []string) {
	out := make([]string, len(cells))
	for i, c := range cells {
		c = printable(c)
		if i < len(t.widths) {
			c = trunc(c, t.widths[i])
		}
		out[i] = c
	}
	fmt.Fprintln(t.tw, strings.Join(out, "\t"))
}

// flush writes the table, without trailing blanks; an empty table still
// gets its header.
func (t *table) flush() error {
	if !t.started {
		t.started = true
		if len(t.header) > 0 {
			t.write(t.header)
		}
	}
	if err := t.tw.Flush(); err != nil {
		return err
	}
	var out bytes.Buffer
	for line := range strings.Lines(t.buf.String()) {
		out.WriteString(strings.TrimRight(line, " \n"))
		out.WriteByte('\n')
	}
	t.buf.Reset()
	_, err := t.w.Write(out.Bytes())
	return err
}
