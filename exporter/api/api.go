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
}

// Server serves the inventory's API and web page.
type Server struct {
	inv     *inventory.Service
	log     *zap.Logger
	version string
}

// New returns a Server over o.Inventory. It panics if o.Inventory is nil.
func New(o Options) *Server {
	if o.Inventory == nil {
		panic("api: Options.Inventory is nil")
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return &Server{inv: o.Inventory, log: o.Logger, version: o.Version}
}
