package exporter

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"
	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"
	"go.uber.org/zap/zapcore"
)

// DefaultListenAddress is where the sensor serves HTTP unless
// --web.listen-address says otherwise.
//
// Port 9929 is provisional. Exporters take their default port from the
// Prometheus "Default port allocations" wiki
// (https://github.com/prometheus/prometheus/wiki/Default-port-allocations)
// so that two exporters on one host never collide and the instance label
// stays stable across restarts. The wiki could not be checked from the
// build environment, and the 9100-9999 block was reported fully allocated
// in 2023 (new entries continue above 10000), so 9929 must be confirmed
// free, or replaced by the next free entry, and registered before the
// first release. Only this constant changes.
const DefaultListenAddress = ":9929"

// DefaultMetricsPath is where metrics are served unless
// ServerOptions.MetricsPath says otherwise.
const DefaultMetricsPath = "/metrics"

// ServerOptions configure NewServer. Gatherer is required.
type ServerOptions struct {
	// Web holds the exporter-toolkit flags: listen addresses (tcp
	// host:port or vsock://:port, repeatable), systemd socket activation and
	// the web config file (TLS, basic auth, HTTP headers, rate limit;
	// re-read on every request). nil, or no addresses, means
	// DefaultListenAddress with no web config. See AddFlags.
	Web *web.FlagConfig
	// Gatherer is served at MetricsPath: the registry passed to NewMetrics.
	Gatherer prometheus.Gatherer
	// Registerer, if set, receives promhttp's own metrics
	// (promhttp_metric_handler_requests_total, ..._requests_in_flight,
	// ..._errors_total). Usually the same registry.
	Registerer prometheus.Registerer
	// MetricsPath is the telemetry path (--web.telemetry-path). Default
	// DefaultMetricsPath.
	MetricsPath string
	// MaxRequests limits concurrent metrics requests (--web.max-requests);
	// more get 503. Default 40 (node_exporter's); negative means no limit.
	MaxRequests int
	// Logger receives the web layer's logs. Default zap.NewNop().
	Logger *zap.Logger
	// Version is shown on the landing page.
	Version string
	// Links are added to the landing page after the built-in ones, e.g.
	// for handlers mounted with Handle.
	Links []web.LandingLinks
	// Ready reports whether the sensor is ready to serve (/-/ready answers
	// 200, else 503 with the error). nil means always ready.
	Ready func() error
	// Reload re-reads the configuration for POST /-/reload (200, or 500
	// with the error). It should record its outcome with
	// Metrics.ReloadResult, as the SIGHUP path does. nil makes /-/reload
	// answer 501.
	Reload func(ctx context.Context) error
	// ShutdownTimeout bounds the graceful shutdown when Run's context ends;
	// connections still open after it are closed. Default 5s.
	ShutdownTimeout time.Duration
	// AuthFailureBurst and AuthFailureInterval limit wrong basic-auth
	// credentials per client address (see authLimiter): after
	// AuthFailureBurst failures, one more every AuthFailureInterval; beyond
	// that, requests with credentials get 429 before the bcrypt check.
	// Defaults DefaultAuthFailureBurst and DefaultAuthFailureInterval. Not
	// applied with --web.systemd-socket or vsock listeners, which
	// exporter-toolkit opens and serves itself.
	AuthFailureBurst    int
	AuthFailureInterval time.Duration
}

// Server serves the sensor's HTTP endpoints on every configured listener,
// with the TLS and basic auth of the web config file applied to all of them.
type Server struct {
	opts      ServerOptions
	flags     web.FlagConfig
	log       *zap.Logger
	slog      *slog.Logger
	mux       *http.ServeMux
	authLimit *authLimiter

	mu        sync.Mutex
	listened  bool
	running   bool
	listeners []net.Listener // ours (tcp); nil when exporter-toolkit listens (systemd, vsock)
}

// NewServer builds the server and its routes: the landing page at /,
// metrics at MetricsPath, /-/healthy, /-/ready and /-/reload. It panics if
// opts.Gatherer is nil.
func NewServer(opts ServerOptions) *Server {
	if opts.Gatherer == nil {
		panic("exporter: ServerOptions.Gatherer is nil")
	}
	if opts.MetricsPath == "" {
		opts.MetricsPath = DefaultMetricsPath
	}
	if opts.MaxRequests == 0 {
		opts.MaxRequests = 40
	} else if opts.MaxRequests < 0 {
		opts.MaxRequests = 0 // promhttp: no limit
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.AuthFailureBurst <= 0 {
		opts.AuthFailureBurst = DefaultAuthFailureBurst
	}
	if opts.AuthFailureInterval <= 0 {
		opts.AuthFailureInterval = DefaultAuthFailureInterval
	}
	s := &Server{opts: opts, log: opts.Logger.Named("web"), mux: http.NewServeMux()}
	s.authLimit = newAuthLimiter(opts.AuthFailureBurst, opts.AuthFailureInterval, s.log)
	s.slog = slog.New(zapslog.NewHandler(s.log.Core(), zapslog.WithName(s.log.Name())))
	s.flags = normaliseFlags(opts.Web)

	var metrics http.Handler = promhttp.HandlerFor(opts.Gatherer, promhttp.HandlerOpts{
		ErrorLog:            mustStdLog(s.log.Named("promhttp"), zapcore.ErrorLevel),
		ErrorHandling:       promhttp.ContinueOnError,
		Registry:            opts.Registerer,
		MaxRequestsInFlight: opts.MaxRequests,
	})
	if opts.Registerer != nil {
		metrics = promhttp.InstrumentMetricHandler(opts.Registerer, metrics)
	}
	s.mux.Handle(opts.MetricsPath, onlyMethods(metrics, http.MethodGet, http.MethodHead))
	s.mux.HandleFunc("/-/healthy", s.healthy)
	s.mux.HandleFunc("/-/ready", s.ready)
	s.mux.HandleFunc("/-/reload", s.reload)
	s.mux.Handle("/", s.landingPage())
	return s
}

func normaliseFlags(in *web.FlagConfig) web.FlagConfig {
	var f web.FlagConfig
	if in != nil {
		f = *in
	}
	if f.WebSystemdSocket == nil {
		f.WebSystemdSocket = new(bool)
	}
	if f.WebConfigFile == nil {
		f.WebConfigFile = new(string)
	}
	if f.WebListenAddresses == nil || len(*f.WebListenAddresses) == 0 {
		f.WebListenAddresses = &[]string{DefaultListenAddress}
	}
	return f
}

func (s *Server) landingPage() http.Handler {
	links := []web.LandingLinks{
		{Address: s.opts.MetricsPath, Text: "Metrics", Description: "Prometheus metrics"},
		{Address: "/-/healthy", Text: "Health", Description: "200 while the process serves HTTP"},
		{Address: "/-/ready", Text: "Readiness", Description: "200 once capture and store are running"},
	}
	lp, err := web.NewLandingPage(web.LandingConfig{
		Name:        "Wardwatch",
		Description: "Passive network asset discovery and IoMT segmentation sensor",
		Version:     s.opts.Version,
		Links:       append(links, s.opts.Links...),
		Profiling:   "false", // no /debug/pprof is served
	})
	if err != nil { // only a template bug gets here
		s.log.Error("landing page", zap.Error(err))
		return http.RedirectHandler(s.opts.MetricsPath, http.StatusFound)
	}
	return lp
}

// Handle mounts h at pattern (net/http.ServeMux syntax, methods and
// wildcards included) behind the same listeners, TLS and basic auth as
// /metrics, e.g. "/api/v1/" or "GET /ui/". It panics if pattern conflicts
// with a registered one, like ServeMux.Handle.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
}

// Handler returns the server's routes without listeners, TLS or basic
// auth, for tests. Serving it directly would bypass the web config file.
func (s *Server) Handler() http.Handler { return s.mux }

func (s *Server) healthy(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	text(w, http.StatusOK, "Healthy")
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	if s.opts.Ready != nil {
		if err := s.opts.Ready(); err != nil {
			text(w, http.StatusServiceUnavailable, "Not ready: "+err.Error())
			return
		}
	}
	text(w, http.StatusOK, "Ready")
}

func (s *Server) reload(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodPost) {
		return
	}
	if s.opts.Reload == nil {
		text(w, http.StatusNotImplemented, "Reload is not supported")
		return
	}
	if err := s.opts.Reload(r.Context()); err != nil {
		s.log.Error("reload via /-/reload failed", zap.Error(err))
		text(w, http.StatusInternalServerError, "Reload failed: "+err.Error())
		return
	}
	s.log.Info("configuration reloaded via /-/reload")
	text(w, http.StatusOK, "Reloaded")
}

// onlyMethods answers other methods than these with 405, as the API does.
func onlyMethods(h http.Handler, methods ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allow(w, r, methods...) {
			h.ServeHTTP(w, r)
		}
	})
}

func allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	text(w, http.StatusMethodNotAllowed, "Method not allowed, use "+strings.Join(methods, " or "))
	return false
}

func text(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, msg+"\n")
}

// Listen binds the configured TCP listen addresses and returns their
// addresses (with the actual port when one was :0), so cmd can fail before
// starting capture when the port is taken. A web config file is validated
// here too. With systemd socket activation or a vsock address it binds
// nothing and returns nil: Run lets exporter-toolkit listen. Run calls
// Listen if it has not been called; after a successful Listen, call Run
// (it closes the listeners when it returns).
func (s *Server) Listen() ([]net.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.listened {
		if err := s.listen(); err != nil {
			return nil, err
		}
		s.listened = true
	}
	addrs := make([]net.Addr, len(s.listeners))
	for i, l := range s.listeners {
		addrs[i] = l.Addr()
	}
	return addrs, nil
}

func (s *Server) listen() error {
	if path := *s.flags.WebConfigFile; path != "" {
		if err := web.Validate(path); err != nil {
			return fmt.Errorf("web config file %s: %w", path, err)
		}
	}
	if s.toolkitListens() {
		return nil
	}
	for _, addr := range *s.flags.WebListenAddresses {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			for _, l := range s.listeners {
				_ = l.Close()
			}
			s.listeners = nil
			return err
		}
		s.listeners = append(s.listeners, l)
	}
	return nil
}

// toolkitListens reports whether exporter-toolkit must acquire the
// listeners itself (systemd socket activation, vsock).
func (s *Server) toolkitListens() bool {
	if *s.flags.WebSystemdSocket {
		return true
	}
	for _, a := range *s.flags.WebListenAddresses {
		if strings.HasPrefix(a, "vsock://") {
			return true
		}
	}
	return false
}

func (s *Server) newHTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          mustStdLog(s.log.Named("http"), zapcore.WarnLevel),
	}
}

// Run serves until ctx ends, then shuts down gracefully (in-flight requests
// get ServerOptions.ShutdownTimeout) and returns nil. It returns early with
// an error if a listener cannot be bound or served, e.g. because the web
// config file is invalid.
//
// Each TCP listener gets its own http.Server passed to exporter-toolkit's
// web.Serve: web.ServeMultiple shares one server between listeners and
// web.Serve replaces its Handler, which races with more than one listener.
// With systemd socket activation or vsock, web.ListenAndServe does
// everything.
func (s *Server) Run(ctx context.Context) error {
	if _, err := s.Listen(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return errors.New("exporter: Server.Run called twice")
	}
	s.running = true
	listeners := s.listeners
	s.mu.Unlock()

	var servers []*http.Server
	errc := make(chan error, max(1, len(listeners)))
	if listeners == nil {
		srv := s.newHTTPServer()
		servers = append(servers, srv)
		go func() { errc <- web.ListenAndServe(srv, &s.flags, s.slog) }()
	} else {
		for _, l := range listeners {
			srv := s.newHTTPServer()
			servers = append(servers, srv)
			ll := &limitedListener{Listener: l, srv: srv, lim: s.authLimit}
			go func() { errc <- web.Serve(ll, srv, &s.flags, s.slog) }()
		}
	}

	var runErr error
	running := len(servers)
	select {
	case <-ctx.Done():
	case err := <-errc:
		running--
		if !errors.Is(err, http.ErrServerClosed) {
			runErr = err
		}
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.ShutdownTimeout)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil {
			s.log.Warn("graceful shutdown timed out, closing connections", zap.Error(err))
			_ = srv.Close()
		}
	}
	for ; running > 0; running-- {
		if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) && runErr == nil {
			runErr = err
		}
	}
	for _, l := range listeners {
		_ = l.Close() // web.Serve may have returned before serving it
	}
	return runErr
}

// mustStdLog adapts a zap logger to the *log.Logger net/http and promhttp
// want, writing at lvl.
func mustStdLog(l *zap.Logger, lvl zapcore.Level) *log.Logger {
	std, err := zap.NewStdLogAt(l, lvl)
	if err != nil { // only for an invalid level
		return zap.NewStdLog(l)
	}
	return std
}

// AddFlags registers exporter-toolkit's standard web flags on fs under
// their usual names and returns them for ServerOptions.Web:
//
//	--web.listen-address (repeatable; default DefaultListenAddress)
//	--web.config.file    (TLS and basic auth; see exporter-toolkit docs/web-configuration.md)
//	--web.systemd-socket (Linux only)
func AddFlags(fs *flag.FlagSet) *web.FlagConfig {
	addrs := &listFlag{values: []string{DefaultListenAddress}}
	fs.Var(addrs, "web.listen-address",
		"`address` to serve metrics and the web interface on, e.g. :9929 or [::1]:9929, vsock://:9929; repeatable")
	configFile := fs.String("web.config.file", "",
		"path to an exporter-toolkit web config file enabling TLS and/or basic auth (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md)")
	systemd := new(bool)
	if runtime.GOOS == "linux" {
		fs.BoolVar(systemd, "web.systemd-socket", false, "use systemd socket activation listeners instead of --web.listen-address")
	}
	return &web.FlagConfig{WebListenAddresses: &addrs.values, WebConfigFile: configFile, WebSystemdSocket: systemd}
}

// listFlag is a repeatable string flag whose default is replaced by the
// first value given.
type listFlag struct {
	values []string
	set    bool
}

func (f *listFlag) String() string {
	if f == nil {
		return ""
	}
	return strings.Join(f.values, ",")
}

func (f *listFlag) Set(v string) error {
	if !f.set {
		f.values, f.set = nil, true
	}
	f.values = append(f.values, v)
	return nil
}
