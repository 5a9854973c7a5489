// Package api serves the inventory over HTTP: the read-only JSON/CSV API
// under /api/v1/ and the web page under /ui/ (server-rendered from
// templates embedded in the binary: no build step, no CDN).
//
// The answers are store/inventory's, the same the CLI verbs print: this
// package parses URL query parameters into the service's queries (with
// the service's parser, so a bad one is a *inventory.ParamError naming
// it, answered with 400), negotiates JSON or CSV, pages, and renders. The
// daemon mounts the handlers with exporter.Server.Handle, so they sit
// behind the same listeners, TLS and basic auth as /metrics. See
// docs/api.md.
package api

import (
	"net/http"
	"strconv"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/store/inventory"
)

// Options configure New. Inventory is required.
type Options struct {
	Inventory *inventory.Service
	// Logger receives errors the handlers answer with 500. Default none.
	Logger *zap.Logger
	// Version is shown in the web page's footer.
	Version string
	// MaxHeavy bounds the heavy requests served at once: CSV exports and
	// JSON pages larger than DefaultLimit; more are answered 503 with
	// Retry-After. Default DefaultMaxHeavy.
	MaxHeavy int
}

// DefaultMaxHeavy is Options.MaxHeavy's default: each heavy request keeps
// one database connection (of four) and a core busy.
const DefaultMaxHeavy = 2

// RetryAfter is the Retry-After of a 503 for too many heavy requests.
const RetryAfter = 5

// Server serves the inventory's API and web page.
type Server struct {
	inv     *inventory.Service
	log     *zap.Logger
	version string
	heavy   semaphore
}

// New returns a Server over o.Inventory. It panics if o.Inventory is nil.
func New(o Options) *Server {
	if o.Inventory == nil {
		panic("api: Options.Inventory is nil")
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.MaxHeavy <= 0 {
		o.MaxHeavy = DefaultMaxHeavy
	}
	return &Server{inv: o.Inventory, log: o.Logger, version: o.Version, heavy: make(semaphore, o.MaxHeavy)}
}

// semaphore admits as many holders as its capacity.
type semaphore chan struct{}

// acquire takes a place without waiting; ok is false when all are taken.
func (s semaphore) acquire() (release func(), ok bool) {
	select {
	case s <- struct{}{}:
		return func() { <-s }, true
	default:
		return nil, false
	}
}

// busy answers a heavy request beyond MaxHeavy: 503, come back later.
func (s *Server) busy(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", strconv.Itoa(RetryAfter))
	writeError(w, http.StatusServiceUnavailable, "the sensor is serving "+strconv.Itoa(cap(s.heavy))+
		" exports or large pages already: retry in "+strconv.Itoa(RetryAfter)+" s", "")
	s.log.Debug("heavy request refused", zap.String("path", r.URL.Path))
}
