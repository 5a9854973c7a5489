package api

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
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
//	/ui/violations        policy violations
//	/ui/events            changes (new devices, addresses, names, classes, ...)
//	/ui/static/...        the stylesheet and script
func (s *Server) UIHandler() http.Handler {
	u := &ui{s: s, inv: s.inv, pages: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"ago":        u.ago,
		"assetURL":   assetURL,
		"join":       strings.Join,
		"classLabel": classLabel,
		"bytes":      humanBytes,
		"dev": func(vantage string, vlan uint16, mac, ip, label string) devLink {
			return devLink{URL: deviceURL(vantage, vlan, mac, ip), Label: label}
		},
	}
	base := template.Must(template.New("base").Funcs(funcs).ParseFS(uiFiles, "ui/base.html"))
	for _, name := range []string{"inventory", "asset", "violations", "events", "error"} {
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
	mux.HandleFunc("GET /ui/violations", u.violations)
	mux.HandleFunc("GET /ui/events", u.events)
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
	Nav     string // inventory, violations, events
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
	Filtered bool
}

func (u *ui) inventory(w http.ResponseWriter, r *http.Request) {
	v := nonEmpty(r.URL.Query())
	q, err := inventory.ParseAssetQuery(v, u.inv.Now(), inventory.Paging{Default: UIDefaultLimit, Max: UIMaxLimit})
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
	d := inventoryData{Form: v, Page: page, Filtered: len(v) > 0}
	d.From, d.To = pageRange(page.Offset, len(page.Items))
	d.Prev, d.Next = pageLinks(r.URL.Path, v, page)
	csvQ := cloneValues(v)
	csvQ.Del("limit")
	csvQ.Del("offset")
	csvQ.Set("format", "csv")
	d.CSV = "/api/v1/assets?" + csvQ.Encode()

	d.Classes = []option{{Label: "any class"}}
	for _, c := range model.Classes {
		label := string(c)
		if n := s.ByClass[c]; n > 0 {
			label += " (" + strconv.Itoa(n) + ")"
		}
		d.Classes = append(d.Classes, option{Value: string(c), Label: label, Selected: q.Class == c})
	}
	d.States = []option{{Label: "any state"}}
	for _, st := range inventory.States {
		d.States = append(d.States, option{Value: st, Label: st + " (" + strconv.Itoa(s.ByState[st]) + ")",
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
		{"vendor", "vendor"},
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
	rq, err := inventory.ParseAssetRefQuery(nonEmpty(r.URL.Query()))
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
	Filtered   bool
}

func (u *ui) violations(w http.ResponseWriter, r *http.Request) {
	v := nonEmpty(r.URL.Query())
	q, err := inventory.ParseViolationQuery(v, u.inv.Now(), inventory.Paging{Default: UIDefaultLimit, Max: UIMaxLimit}, true)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	page, err := u.inv.Violations(r.Context(), q)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := listData[inventory.ViolationRecord]{Form: v, Page: page, Filtered: len(v) > 0, Options: []option{{Label: "any severity"}}}
	for _, s := range inventory.Severities {
		d.Options = append(d.Options, option{Value: s, Label: s, Selected: q.Severity == s})
	}
	u.fillList(r, v, "violations", &d.From, &d.To, &d.Prev, &d.Next, &d.CSV, page.Offset, len(page.Items), page.Total, page.Limit)
	u.render(w, r, http.StatusOK, "violations", view{Title: "Violations", Nav: "violations", Summary: u.summary(r), Data: d})
}

func (u *ui) events(w http.ResponseWriter, r *http.Request) {
	v := nonEmpty(r.URL.Query())
	q, err := inventory.ParseEventQuery(v, u.inv.Now(), inventory.Paging{Default: UIDefaultLimit, Max: UIMaxLimit}, true)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	page, err := u.inv.Events(r.Context(), q)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := listData[inventory.EventRecord]{Form: v, Page: page, Filtered: len(v) > 0, Options: []option{{Label: "any change"}}}
	for _, t := range model.EventTypes {
		d.Options = append(d.Options, option{Value: string(t), Label: string(t), Selected: q.Type == t})
	}
	u.fillList(r, v, "events", &d.From, &d.To, &d.Prev, &d.Next, &d.CSV, page.Offset, len(page.Items), page.Total, page.Limit)
	u.render(w, r, http.StatusOK, "events", view{Title: "Changes", Nav: "events", Summary: u.summary(r), Data: d})
}

func (u *ui) fillList(r *http.Request, v url.Values, api string, from, to *int, prev, next, csv *string,
	offset, n, total, limit int) {
	*from, *to = pageRange(offset, n)
	*prev, *next = pageLinks(r.URL.Path, v, inventory.Page[struct{}]{Total: total, Limit: limit, Offset: offset,
		Items: make([]struct{}, n)})
	c := cloneValues(v)
	c.Del("limit")
	c.Del("offset")
	c.Set("format", "csv")
	*csv = "/api/v1/" + api + "?" + c.Encode()
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
