package api

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store/inventory"
)

// The web page is rendered on the server from these templates (html/template
// escapes everything that came from the wire) and styled by one stylesheet;
// one small script adds keyboard shortcuts. Nothing is loaded from
// elsewhere: it works air-gapped.
//
//go:embed ui/*.html ui/static/*
var uiFiles embed.FS

// UIPrefix is where UIHandler expects to be mounted.
const UIPrefix = "/ui/"

// ContentSecurityPolicy is sent with every /ui/ response: everything from
// the sensor itself, no inline script or style, no framing.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// UI paging: rows per page by default, at most.
const (
	UIDefaultLimit = 100
	UIMaxLimit     = 1000
)

type ui struct {
	s      *Server
	inv    *inventory.Service
	pages  map[string]*template.Template
	static http.Handler
}

// UIHandler serves the web page under /ui/ (mount it at "/ui/"):
//
//	/ui/                  the inventory: summary, filters, table, CSV export
//	/ui/assets/{ref}      one device (ref: MAC or IP; ?vantage=&vlan= narrow it)
//	/ui/flows             who talks to whom, on which service
//	/ui/zones             the zone-to-zone matrix (which zones talk, violations)
//	/ui/violations        policy violations
//	/ui/events            changes (new devices, addresses, names, classes, ...)
//	/ui/advisories        manufacturer advisories that name devices, with evidence and remediation
//	/ui/static/...        the stylesheet and script
func (s *Server) UIHandler() http.Handler {
	u := &ui{s: s, inv: s.inv, pages: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"ago":        u.ago,
		"assetURL":   u.assetURL,
		"seenBy":     seenBy,
		"join":       strings.Join,
		"classLabel": classLabel,
		"bytes":      humanBytes,
		"dev": func(vantage string, vlan uint16, mac, ip, label string) devLink {
			if mac != "" {
				return devLink{URL: u.assetURL(vantage, vlan, mac), Label: label}
			}
			return devLink{URL: deviceURL(vantage, vlan, mac, ip), Label: label}
		},
		"flowEnd":      flowEnd,
		"plainColumns": plainColumns,
		"tableOf":      func(cols []column, items any) tableView { return tableView{cols, items} },
		"remediation":  remediationHTML,
		"product":      productLabel,
	}
	base := template.Must(template.New("base").Funcs(funcs).ParseFS(uiFiles, "ui/base.html"))
	for _, name := range []string{"inventory", "asset", "flows", "zones", "violations", "events", "advisories", "error"} {
		u.pages[name] = template.Must(template.Must(base.Clone()).ParseFS(uiFiles, "ui/"+name+".html"))
	}
	static, err := fs.Sub(uiFiles, "ui/static")
	if err != nil {
		panic(err)
	}
	u.static = http.StripPrefix(UIPrefix+"static/", http.FileServerFS(static))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /ui/{$}", u.inventory)
	mux.HandleFunc("GET /ui/assets/{ref}", u.asset)
	mux.HandleFunc("GET /ui/flows", u.flows())
	mux.HandleFunc("GET /ui/zones", u.zones)
	mux.HandleFunc("GET /ui/violations", u.violations())
	mux.HandleFunc("GET /ui/events", u.events())
	mux.HandleFunc("GET /ui/advisories", u.advisories)
	mux.Handle("GET /ui/static/{file}", u.static) // files only: no directory listing
	mux.HandleFunc("/ui/", func(w http.ResponseWriter, r *http.Request) {
		u.error(w, r, http.StatusNotFound, "There is no page at "+r.URL.Path+".")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			u.error(w, r, http.StatusMethodNotAllowed, "This page is read-only.")
			return
		}
		if strings.HasPrefix(r.URL.Path, UIPrefix+"static/") {
			h.Set("Cache-Control", "max-age=300")
		} else {
			h.Set("Cache-Control", "no-store")
		}
		mux.ServeHTTP(w, r)
	})
}

// view is what every page template gets.
type view struct {
	Title   string
	Nav     string // inventory, flows, zones, violations, events, advisories
	Summary inventory.SummaryRecord
	Version string
	Data    any
}

func (u *ui) render(w http.ResponseWriter, r *http.Request, code int, name string, v view) {
	if v.Version == "" {
		v.Version = u.s.version
	}
	var buf bytes.Buffer
	if err := u.pages[name].ExecuteTemplate(&buf, "base", v); err != nil {
		u.s.log.Error("rendering a page failed", zap.String("page", name), zap.Error(err))
		http.Error(w, "rendering the page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

type errorData struct {
	Status  int
	Text    string
	Message string
}

func (u *ui) error(w http.ResponseWriter, r *http.Request, code int, msg string) {
	u.render(w, r, code, "error", view{Title: http.StatusText(code), Data: errorData{code, http.StatusText(code), msg}})
}

// fail renders err: 400 naming the parameter, 404, or 500 (logged).
func (u *ui) fail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *inventory.ParamError
	switch {
	case errors.As(err, &pe):
		u.error(w, r, http.StatusBadRequest, "Bad filter: "+pe.Error()+".")
	case errors.Is(err, inventory.ErrNotFound):
		u.error(w, r, http.StatusNotFound, err.Error())
	default:
		u.s.log.Error("ui query failed", zap.String("path", r.URL.Path), zap.Error(err))
		u.error(w, r, http.StatusInternalServerError, "The query failed; see the sensor's log.")
	}
}

// summary is shown on every page; a failure leaves it empty (logged).
func (u *ui) summary(r *http.Request) inventory.SummaryRecord {
	s, err := u.inv.Summary(r.Context())
	if err != nil {
		u.s.log.Warn("ui summary failed", zap.Error(err))
	}
	return s
}

// option is a <select> entry.
type option struct {
	Value, Label string
	Selected     bool
}

type inventoryData struct {
	Form     url.Values
	Page     inventory.Page[inventory.AssetRecord]
	From, To int
	Prev     string
	Next     string
	CSV      string
	Classes  []option
	States   []option
	Zones    []option
	Sorts    []option
	Columns  []column
	Charts   []chart
	Filtered bool
	Central  bool // a central inventory: the sensor and site filters and the "Seen by" column
}

// inventoryColumns are the inventory table's columns and the sort keys
// (store.AssetSorts) their headers sort by.
var inventoryColumns = []columnDef{
	{Label: "Device", Key: "mac"}, {Label: "IP"}, {Label: "Hostname", Key: "hostname"}, {Label: "Class", Key: "class"},
	{Label: "Manufacturer", Key: "vendor", Class: "wide-only"}, {Label: "Model", Key: "model"}, {Label: "Zone"},
	{Label: "VLAN", Key: "vlan", Class: "wide-only"}, {Label: "State"},
	{Label: "Last seen", Key: "last_seen", DescFirst: true},
}

func (u *ui) inventory(w http.ResponseWriter, r *http.Request) {
	v, err := form(r)
	var q inventory.AssetQuery
	if err == nil {
		q, err = inventory.ParseAssetQuery(v, u.inv.Now(), inventory.Paging{Default: UIDefaultLimit, Max: UIMaxLimit},
			u.s.extraParams()...)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	page, err := u.inv.Assets(r.Context(), q)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	s := u.summary(r)
	d := inventoryData{Form: v, Page: page, Filtered: len(v) > 0, Central: u.inv.Central()}
	d.From, d.To = pageRange(page.Offset, len(page.Items))
	d.Prev, d.Next = pageLinks(r.URL.Path, v, page)
	d.CSV = csvLink("assets", v)
	cols := inventoryColumns
	if d.Central {
		cols = append([]columnDef{{Label: "Seen by"}}, cols...)
	}
	d.Columns = sortColumns(r.URL.Path, v, "sort", q.Sort.String(), cols)
	d.Charts = summaryCharts(s)

	d.Classes = []option{{Label: "any class"}}
	for _, c := range model.Classes {
		label := string(c)
		if n := s.ByClass[c]; n > 0 {
			label += " (" + strconv.Itoa(n) + ")"
		}
		d.Classes = append(d.Classes, option{Value: string(c), Label: label, Selected: q.Class == c})
	}
	d.States = []option{{Label: "any state"}}
	for _, st := range inventory.FilterStates {
		n, ok := s.ByState[st]
		if !ok && !slices.Contains(inventory.States, st) && q.State != st {
			continue // a critical device's state, offered once some device has it
		}
		d.States = append(d.States, option{Value: st, Label: st + " (" + strconv.Itoa(n) + ")",
			Selected: q.State == st})
	}
	d.Zones = []option{{Label: "any zone"}}
	zones := make([]string, 0, len(s.ByZone))
	for z := range s.ByZone {
		zones = append(zones, z)
	}
	if q.Zone != "" && s.ByZone[q.Zone] == 0 {
		zones = append(zones, q.Zone)
	}
	sort.Strings(zones)
	for _, z := range zones {
		d.Zones = append(d.Zones, option{Value: z, Label: z + " (" + strconv.Itoa(s.ByZone[z]) + ")", Selected: q.Zone == z})
	}
	for _, so := range []struct{ v, l string }{
		{"", "VLAN, MAC"}, {"-last_seen", "last seen, newest"}, {"last_seen", "last seen, oldest"},
		{"-first_seen", "first seen, newest"}, {"mac", "MAC"}, {"class", "class"}, {"hostname", "hostname"},
		{"vendor", "vendor"}, {"model", "model"},
		{"-packets", "packets, most"}, {"-confidence", "confidence, highest"},
	} {
		d.Sorts = append(d.Sorts, option{Value: so.v, Label: so.l, Selected: q.Sort.String() == so.v})
	}
	u.render(w, r, http.StatusOK, "inventory", view{Title: "Inventory", Nav: "inventory", Summary: s, Data: d})
}

type assetData struct {
	Ref    string
	Detail *inventory.AssetDetailRecord
}

func (u *ui) asset(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	v, err := form(r)
	var rq inventory.AssetRefQuery
	if err == nil {
		rq, err = inventory.ParseAssetRefQuery(v, u.s.extraParams()...)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d, err := u.inv.Asset(r.Context(), ref, rq)
	if errors.Is(err, inventory.ErrNotFound) {
		u.error(w, r, http.StatusNotFound, "No device "+ref+refScope(rq)+" is in the inventory.")
		return
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	title := d.Asset.Hostname
	if title == "" {
		title = d.Asset.Ref()
	}
	u.render(w, r, http.StatusOK, "asset", view{Title: title, Nav: "inventory", Summary: u.summary(r),
		Data: assetData{Ref: ref, Detail: d}})
}

type listData[T any] struct {
	Form       url.Values
	Page       inventory.Page[T]
	From, To   int
	Prev, Next string
	CSV        string
	Options    []option
	Columns    []column
	Filtered   bool
}

// newListData is the data of a list page: the page, its range, links to
// the pages before and after and to the CSV export of everything, and the
// column headers, the time column sorting by order (desc by default).
func newListData[T any](r *http.Request, v url.Values, api string, page inventory.Page[T], desc bool,
	cols []columnDef) listData[T] {
	d := listData[T]{Form: v, Page: page, Filtered: len(v) > 0, CSV: csvLink(api, v)}
	d.From, d.To = pageRange(page.Offset, len(page.Items))
	d.Prev, d.Next = pageLinks(r.URL.Path, v, page)
	order := "asc"
	if desc {
		order = "desc"
	}
	cur := map[string]string{"desc": "-time", "asc": "time"}[order]
	d.Columns = sortColumns(r.URL.Path, v, "order", cur, cols)
	return d
}

// timeOrdered are a list's columns: the first (its time) sorts it, newest
// first by default; the others do not.
func timeOrdered(labels ...string) []columnDef {
	cols := make([]columnDef, len(labels))
	for i, l := range labels {
		cols[i].Label = l
	}
	cols[0].Key, cols[0].DescFirst = "time", true
	return cols
}

// The columns of the lists (their time column sorts them).
var (
	violationColumns = timeOrdered("Last seen", "Severity", "Rule", "Zones", "Source", "Destination", "Service", "Count")
	eventColumns     = timeOrdered("Time", "Change", "Device", "VLAN", "IP", "From", "To")
	flowColumns      = timeOrdered("Last seen", "Client", "Server", "Service", "Connections", "Traffic")
)

// plainColumns are the headers of a list, without sort links (the lists
// of one device's page).
func plainColumns(list string) []column {
	defs := map[string][]columnDef{"violations": violationColumns, "events": eventColumns, "flows": flowColumns}[list]
	out := make([]column, len(defs))
	for i, d := range defs {
		out[i].Label = d.Label
	}
	return out
}

// tableView is what a table template gets: its headers and rows.
type tableView struct {
	Columns []column
	Items   any
}

// listPage serves the page of a list (nav name, title): its query parsed
// by parse from the form (newest first by default), answered by find,
// under cols, with the options of its select (the one filter each list
// offers as a choice).
func listPage[Q, T any](u *ui, name, title string, cols []columnDef,
	parse func(url.Values, time.Time, inventory.Paging, bool, ...string) (Q, error),
	find func(context.Context, Q) (inventory.Page[T], error), desc func(*Q) bool, options func(*Q) []option) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := form(r)
		var q Q
		if err == nil {
			q, err = parse(v, u.inv.Now(), inventory.Paging{Default: UIDefaultLimit, Max: UIMaxLimit}, true,
				u.s.extraParams()...)
		}
		var page inventory.Page[T]
		if err == nil {
			page, err = find(r.Context(), q)
		}
		if err != nil {
			u.fail(w, r, err)
			return
		}
		d := newListData(r, v, name, page, desc(&q), cols)
		d.Options = options(&q)
		u.render(w, r, http.StatusOK, name, view{Title: title, Nav: name, Summary: u.summary(r), Data: d})
	}
}

// choices are the options of a select: none (label any) and each of values.
func choices[T ~string](any string, values []T, selected T) []option {
	out := []option{{Label: any}}
	for _, v := range values {
		out = append(out, option{Value: string(v), Label: string(v), Selected: v == selected})
	}
	return out
}

func (u *ui) violations() http.HandlerFunc {
	return listPage(u, "violations", "Violations", violationColumns, inventory.ParseViolationQuery, u.inv.Violations,
		func(q *inventory.ViolationQuery) bool { return q.Desc },
		func(q *inventory.ViolationQuery) []option {
			return choices("any severity", inventory.Severities, q.Severity)
		})
}

func (u *ui) events() http.HandlerFunc {
	return listPage(u, "events", "Changes", eventColumns, inventory.ParseEventQuery, u.inv.Events,
		func(q *inventory.EventQuery) bool { return q.Desc },
		func(q *inventory.EventQuery) []option { return choices("any change", model.EventTypes, q.Type) })
}

func (u *ui) flows() http.HandlerFunc {
	return listPage(u, "flows", "Flows", flowColumns, inventory.ParseFlowQuery, u.inv.Flows,
		func(q *inventory.FlowQuery) bool { return q.Desc },
		func(q *inventory.FlowQuery) []option { return choices("any service", model.Services, q.Service) })
}

type zonesData struct {
	Matrix inventory.MatrixRecord
	Rows   []matrixRow
}

type matrixRow struct {
	Zone  string
	Cells []inventory.MatrixCell
}

func (u *ui) zones(w http.ResponseWriter, r *http.Request) {
	v, err := form(r)
	for name := range v {
		err = &inventory.ParamError{Param: name, Msg: "unknown parameter (the zone matrix takes none)"}
		break
	}
	var m inventory.MatrixRecord
	if err == nil {
		m, err = u.inv.Matrix(r.Context())
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := zonesData{Matrix: m}
	for _, src := range m.Zones {
		row := matrixRow{Zone: src}
		for _, dst := range m.Zones {
			row.Cells = append(row.Cells, m.Cell(src, dst))
		}
		d.Rows = append(d.Rows, row)
	}
	u.render(w, r, http.StatusOK, "zones", view{Title: "Zones", Nav: "zones", Summary: u.summary(r), Data: d})
}

// form reads the request's query: a pair Go would drop (a ";") is a
// *ParamError; empty fields (a submitted form sends every field) are
// left out.
func form(r *http.Request) (url.Values, error) {
	v, err := query(r)
	return nonEmpty(v), err
}

// csvLink is the CSV export of the list api with the filters of v (all
// pages).
func csvLink(api string, v url.Values) string {
	c := cloneValues(v)
	c.Del("limit")
	c.Del("offset")
	c.Set("format", "csv")
	return APIPrefix + api + "?" + c.Encode()
}

// nonEmpty drops empty form fields (a submitted form sends every field).
func nonEmpty(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		for _, s := range vs {
			if strings.TrimSpace(s) != "" {
				out[k] = append(out[k], s)
			}
		}
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func pageRange(offset, n int) (from, to int) {
	if n == 0 {
		return 0, 0
	}
	return offset + 1, offset + n
}

func pageLinks[T any](p string, v url.Values, page inventory.Page[T]) (prev, next string) {
	if page.Limit <= 0 {
		return "", ""
	}
	if page.Offset > 0 {
		q := cloneValues(v)
		if o := page.Offset - page.Limit; o > 0 {
			q.Set("offset", strconv.Itoa(o))
		} else {
			q.Del("offset")
		}
		prev = p + "?" + q.Encode()
	}
	if page.Offset+len(page.Items) < page.Total {
		q := cloneValues(v)
		q.Set("offset", strconv.Itoa(page.Offset+len(page.Items)))
		next = p + "?" + q.Encode()
	}
	return prev, next
}

// assetURL is the device page of the asset (vantage, vlan, ref); on a
// central inventory, a device with a MAC is one over every vantage and
// VLAN, and its page is not narrowed to one.
func (u *ui) assetURL(vantage string, vlan uint16, ref string) string {
	if u.inv.Central() && ref != "" {
		if _, err := model.ParseMAC(ref); err == nil {
			return UIPrefix + "assets/" + url.PathEscape(ref)
		}
	}
	return assetURL(vantage, vlan, ref)
}

// seenBy lists the sensors (with their sites) of a central device's
// vantages, the latest first.
func seenBy(vs []inventory.VantageRecord) string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vs {
		s := v.Sensor + " (" + v.Site + ")"
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}

// assetURL is the device page of the asset (vantage, vlan, ref).
func assetURL(vantage string, vlan uint16, ref string) string {
	if ref == "" {
		return ""
	}
	q := url.Values{"vlan": {strconv.Itoa(int(vlan))}}
	if vantage != "" {
		q.Set("vantage", vantage)
	}
	return UIPrefix + "assets/" + url.PathEscape(ref) + "?" + q.Encode()
}

func classLabel(class model.Class, modality string) string {
	if modality != "" {
		return string(class) + " (" + modality + ")"
	}
	return string(class)
}

// devLink is a device reference in a table: Label, linked to URL if set.
type devLink struct{ URL, Label string }

// deviceURL links a flow's or event's end: its device page when its own
// MAC is known, else the inventory filtered to its IP (which may be a
// device on another VLAN, or nothing: a routed or external address).
func deviceURL(vantage string, vlan uint16, mac, ip string) string {
	switch {
	case mac != "":
		return assetURL(vantage, vlan, mac)
	case ip != "":
		return UIPrefix + "?" + url.Values{"ip": {ip}}.Encode()
	}
	return ""
}

// ago renders an RFC 3339 time relative to now: "5m ago".
func (u *ui) ago(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return ""
	}
	return inventory.Age(u.inv.Now().Sub(t)) + " ago"
}

func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
