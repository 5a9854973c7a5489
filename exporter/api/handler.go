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
	mux.HandleFunc("GET /api/v1/assets", list(s, "assets", inventory.AssetCSVHeader,
		func(v url.Values, now time.Time, pg inventory.Paging) (inventory.AssetQuery, error) {
			return inventory.ParseAssetQuery(v, now, pg, "format")
		}, s.inv.Assets))
	mux.HandleFunc("GET /api/v1/assets/{ref}", s.apiAsset)
	mux.HandleFunc("GET /api/v1/violations", list(s, "violations", inventory.ViolationCSVHeader,
		func(v url.Values, now time.Time, pg inventory.Paging) (inventory.ViolationQuery, error) {
			return inventory.ParseViolationQuery(v, now, pg, true, "format")
		}, s.inv.Violations))
	mux.HandleFunc("GET /api/v1/flows", list(s, "flows", inventory.FlowCSVHeader,
		func(v url.Values, now time.Time, pg inventory.Paging) (inventory.FlowQuery, error) {
			return inventory.ParseFlowQuery(v, now, pg, true, "format")
		}, s.inv.Flows))
	mux.HandleFunc("GET /api/v1/events", list(s, "events", inventory.EventCSVHeader,
		func(v url.Values, now time.Time, pg inventory.Paging) (inventory.EventQuery, error) {
			return inventory.ParseEventQuery(v, now, pg, true, "format")
		}, s.inv.Events))
	mux.HandleFunc("GET /api/v1/summary", s.apiSummary)
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

// wantCSV decides the format: the format parameter (json or csv) if given,
// else the first of text/csv or application/json in Accept, else JSON.
func wantCSV(r *http.Request) (bool, error) {
	q := r.URL.Query()
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

func writeCSVPage[R any, P interface {
	*R
	inventory.CSVRow
}](w http.ResponseWriter, name string, header []string, page inventory.Page[R]) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="wardwatch-`+name+`.csv"`)
	h.Set("X-Total-Count", strconv.Itoa(page.Total))
	w.WriteHeader(http.StatusOK)
	_ = inventory.WriteCSV[R, P](w, header, page.Items)
}

// list serves a list endpoint: the query parse reads (with the paging of
// the format asked for), answered by find, as JSON or as CSV under header
// in a file named after name.
func list[Q, R any, P interface {
	*R
	inventory.CSVRow
}](s *Server, name string, header []string, parse func(url.Values, time.Time, inventory.Paging) (Q, error),
	find func(context.Context, Q) (inventory.Page[R], error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		csv, err := wantCSV(r)
		var q Q
		if err == nil {
			q, err = parse(r.URL.Query(), s.inv.Now(), paging(csv))
		}
		var page inventory.Page[R]
		if err == nil {
			page, err = find(r.Context(), q)
		}
		switch {
		case err != nil:
			s.fail(w, r, err)
		case csv:
			writeCSVPage[R, P](w, name, header, page)
		default:
			writeJSON(w, http.StatusOK, page)
		}
	}
}

func (s *Server) apiAsset(w http.ResponseWriter, r *http.Request) {
	rq, err := inventory.ParseAssetRefQuery(r.URL.Query())
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

func (s *Server) apiSummary(w http.ResponseWriter, r *http.Request) {
	for name := range r.URL.Query() {
		s.fail(w, r, &inventory.ParamError{Param: name, Msg: "unknown parameter (summary takes none)"})
		return
	}
	sum, err := s.inv.Summary(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sum)
}
