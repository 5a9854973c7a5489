package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/store/inventory"
)

// API paging: JSON pages hold DefaultLimit items unless limit says
// otherwise, at most MaxLimit; CSV exports everything unless limit is
// given.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// APIPrefix is where APIHandler expects to be mounted.
const APIPrefix = "/api/v1/"

// LandingLinks point the exporter's landing page at the web page and the
// API (exporter.ServerOptions.Links).
var LandingLinks = []web.LandingLinks{
	{Address: UIPrefix, Text: "Inventory", Description: "devices, violations and changes (web page)"},
	{Address: APIPrefix + "summary", Text: "Inventory API", Description: "JSON/CSV API under /api/v1/ (see docs/api.md)"},
}

// APIHandler serves the read-only JSON/CSV API under /api/v1/ (mount it at
// "/api/v1/"). See docs/api.md.
func (s *Server) APIHandler() http.Handler {
	mux := http.NewServeMux()
	extra := s.extraParams("format")
	mux.HandleFunc("GET /api/v1/assets", list(s, listAPI[inventory.AssetQuery, inventory.AssetRecord]{
		name: "assets", header: s.inv.CSVHeader(inventory.AssetCSVHeader),
		parse: func(v url.Values, now time.Time, pg inventory.Paging) (inventory.AssetQuery, error) {
			return inventory.ParseAssetQuery(v, now, pg, extra...)
		}, find: s.inv.Assets, each: s.inv.EachAsset}))
	mux.HandleFunc("GET /api/v1/assets/{ref}", s.apiAsset)
	mux.HandleFunc("GET /api/v1/violations", list(s, listAPI[inventory.ViolationQuery, inventory.ViolationRecord]{
		name: "violations", header: s.inv.CSVHeader(inventory.ViolationCSVHeader),
		parse: func(v url.Values, now time.Time, pg inventory.Paging) (inventory.ViolationQuery, error) {
			return inventory.ParseViolationQuery(v, now, pg, true, extra...)
		}, find: s.inv.Violations, each: s.inv.EachViolation}))
	mux.HandleFunc("GET /api/v1/flows", list(s, listAPI[inventory.FlowQuery, inventory.FlowRecord]{
		name: "flows", header: s.inv.CSVHeader(inventory.FlowCSVHeader),
		parse: func(v url.Values, now time.Time, pg inventory.Paging) (inventory.FlowQuery, error) {
			return inventory.ParseFlowQuery(v, now, pg, true, extra...)
		}, find: s.inv.Flows, each: s.inv.EachFlow}))
	mux.HandleFunc("GET /api/v1/events", list(s, listAPI[inventory.EventQuery, inventory.EventRecord]{
		name: "events", header: s.inv.CSVHeader(inventory.EventCSVHeader),
		parse: func(v url.Values, now time.Time, pg inventory.Paging) (inventory.EventQuery, error) {
			return inventory.ParseEventQuery(v, now, pg, true, extra...)
		}, find: s.inv.Events, each: s.inv.EachEvent}))
	mux.HandleFunc("GET /api/v1/summary", s.apiNoParams(func(ctx context.Context) (any, error) { return s.inv.Summary(ctx) }))
	mux.HandleFunc("GET /api/v1/matrix", s.apiNoParams(func(ctx context.Context) (any, error) { return s.inv.Matrix(ctx) }))
	mux.HandleFunc("GET /api/v1/advisories", s.apiAdvisories)
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path, "")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "the API is read-only: use GET or HEAD", "")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// ErrorRecord is the body of every API error.
type ErrorRecord struct {
	Status  int    `json:"status"`
	Error   string `json:"error"`   // the status text, "Bad Request"
	Message string `json:"message"` // what went wrong
	Param   string `json:"param,omitempty"`
}

func writeError(w http.ResponseWriter, code int, msg, param string) {
	writeJSON(w, code, ErrorRecord{Status: code, Error: http.StatusText(code), Message: msg, Param: param})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // JSON, not HTML: "&" stays "&"
	_ = enc.Encode(v)
}

// fail answers err: 400 for a *ParamError, 404 for ErrNotFound, else 500
// (logged; the body does not carry database details).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *inventory.ParamError
	switch {
	case errors.As(err, &pe):
		writeError(w, http.StatusBadRequest, pe.Error(), pe.Param)
	case errors.Is(err, inventory.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error(), "")
	case errors.Is(err, context.Canceled):
		// the client went away
	default:
		s.log.Error("api query failed", zap.String("path", r.URL.Path), zap.Error(err))
		writeError(w, http.StatusInternalServerError, "the query failed; see the sensor's log", "")
	}
}

// extraParams are names the list parsers allow besides their own: names,
// and on a central inventory its sensor and site filters.
func (s *Server) extraParams(names ...string) []string {
	if s.inv.Central() {
		names = append(names, inventory.FleetParams...)
	}
	return names
}

// query parses the request's query parameters: a pair Go would silently
// drop (a ";", a bad %-escape) is a *ParamError.
func query(r *http.Request) (url.Values, error) { return inventory.ParseRawQuery(r.URL.RawQuery) }

// wantCSV decides the format: the format parameter (json or csv) if given,
// else the first of text/csv or application/json in Accept, else JSON.
func wantCSV(r *http.Request, q url.Values) (bool, error) {
	if vs, ok := q["format"]; ok {
		switch {
		case len(vs) > 1:
			return false, &inventory.ParamError{Param: "format", Msg: "given more than once"}
		case vs[0] == "csv":
			return true, nil
		case vs[0] == "json" || vs[0] == "":
			return false, nil
		}
		return false, &inventory.ParamError{Param: "format", Msg: fmt.Sprintf("%q is not one of json, csv", vs[0])}
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
				continue
			}
		}
		switch mt {
		case "text/csv":
			return true, nil
		case "application/json", "application/*", "*/*":
			return false, nil
		}
	}
	return false, nil
}

// paging returns the paging of a list request in the given format.
func paging(csv bool) inventory.Paging {
	if csv {
		return inventory.Paging{}
	}
	return inventory.Paging{Default: DefaultLimit, Max: MaxLimit}
}

// listAPI is a list endpoint: the query parse reads (with the paging of
// the format asked for), answered as a JSON page by find or as a CSV
// export streamed by each, under header, in a file named after name.
type listAPI[Q, R any] struct {
	name   string
	header []string
	parse  func(url.Values, time.Time, inventory.Paging) (Q, error)
	find   func(context.Context, Q) (inventory.Page[R], error)
	each   func(context.Context, Q, func([]R) error) (int, error)
}

func list[Q, R any, P interface {
	*R
	inventory.CSVRow
}](s *Server, l listAPI[Q, R]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := query(r)
		csv := false
		if err == nil {
			csv, err = wantCSV(r, v)
		}
		var q Q
		if err == nil {
			q, err = l.parse(v, s.inv.Now(), paging(csv))
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if csv || heavyPage(v) {
			release, ok := s.heavy.acquire()
			if !ok {
				s.busy(w, r)
				return
			}
			defer release()
		}
		if csv {
			exportCSV[Q, R, P](s, w, r, l, q)
			return
		}
		page, err := l.find(r.Context(), q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, page)
	}
}

// heavyPage reports whether a JSON list request asks for a page larger
// than the default.
func heavyPage(v url.Values) bool {
	n, err := strconv.Atoi(v.Get("limit"))
	return err == nil && n > DefaultLimit
}

// ExportTimeout bounds one CSV export: the rows come from one database
// snapshot, which the database cannot recycle its write-ahead log past
// while it is held, so a client that reads too slowly is cut off.
const ExportTimeout = 10 * time.Minute

// exportCSV streams the list q selects as CSV: the header row, then the
// rows chunk by chunk as the cursor reads them, never the whole list in
// memory. The total comes last, as the trailer X-Total-Count. A failure
// after the first byte can no longer change the status: it is logged and
// the connection is cut, so the client sees an incomplete transfer rather
// than a short file.
func exportCSV[Q, R any, P interface {
	*R
	inventory.CSVRow
}](s *Server, w http.ResponseWriter, r *http.Request, l listAPI[Q, R], q Q) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="wardwatch-`+l.name+`.csv"`)
	h.Set("Trailer", "X-Total-Count")
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), ExportTimeout)
	defer cancel()
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(ExportTimeout))
	cw := inventory.NewCSVWriter(w)
	started := false
	n, err := l.each(ctx, q, func(recs []R) error {
		if !started {
			started = true
			if err := cw.Header(l.header); err != nil {
				return err
			}
		}
		if err := inventory.WriteCSVRows[R, P](cw, recs); err != nil {
			return err
		}
		return cw.Flush()
	})
	if err == nil && !started {
		err = cw.Header(l.header)
		started = true
	}
	if err == nil {
		err = cw.Flush()
	}
	switch {
	case err != nil && !started:
		s.fail(w, r, err)
	case err != nil:
		if !errors.Is(err, context.Canceled) {
			s.log.Error("csv export failed after its first rows", zap.String("path", r.URL.Path), zap.Error(err))
		}
		panic(http.ErrAbortHandler) // cut the connection: the file is incomplete
	default:
		h.Set("X-Total-Count", strconv.Itoa(n))
	}
}

func (s *Server) apiAsset(w http.ResponseWriter, r *http.Request) {
	v, err := query(r)
	var rq inventory.AssetRefQuery
	if err == nil {
		rq, err = inventory.ParseAssetRefQuery(v, s.extraParams()...)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ref := r.PathValue("ref")
	d, err := s.inv.Asset(r.Context(), ref, rq)
	if errors.Is(err, inventory.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no asset "+ref+refScope(rq), "")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func refScope(rq inventory.AssetRefQuery) string {
	var s string
	if rq.VLAN != nil {
		s += " on VLAN " + strconv.Itoa(int(*rq.VLAN))
	}
	if rq.Vantage != "" {
		s += " at vantage " + rq.Vantage
	}
	return s
}

// apiNoParams serves an endpoint that takes no parameter with get's
// answer as JSON.
func (s *Server) apiNoParams(get func(context.Context) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := query(r)
		for name := range v {
			err = &inventory.ParamError{Param: name, Msg: "unknown parameter (" + strings.TrimPrefix(r.URL.Path, APIPrefix) +
				" takes none)"}
			break
		}
		var x any
		if err == nil {
			x, err = get(r.Context())
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, x)
	}
}

// apiAdvisories answers the advisories that name devices of the inventory:
// JSON (inventory.AdvisoriesRecord) or CSV (a row per advisory and
// device). Its one parameter is format.
func (s *Server) apiAdvisories(w http.ResponseWriter, r *http.Request) {
	v, err := query(r)
	for name := range v {
		if name != "format" {
			err = &inventory.ParamError{Param: name, Msg: "unknown parameter (advisories takes format only)"}
			break
		}
	}
	csv := false
	if err == nil {
		csv, err = wantCSV(r, v)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rec, err := s.inv.Advisories(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !csv {
		writeJSON(w, http.StatusOK, rec)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="wardwatch-advisories.csv"`)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	cw := inventory.NewCSVWriter(w)
	err = cw.Header(inventory.AdvisoryCSVHeader)
	for i := 0; err == nil && i < len(rec.Advisories); i++ {
		err = cw.Rows(rec.Advisories[i].CSVRows())
	}
	if err == nil {
		err = cw.Flush()
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		s.log.Error("advisories csv failed", zap.Error(err))
	}
}
