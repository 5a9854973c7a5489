package exporter

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/exporter-toolkit/web"
	"go.uber.org/zap/zaptest"
	"golang.org/x/crypto/bcrypt"
)

// startServer runs s on its listeners until the test ends and returns the
// base URL of the first one.
func startServer(t *testing.T, s *Server, scheme string) string {
	t.Helper()
	addrs, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	return scheme + "://" + addrs[0].String()
}

func localFlags(configFile string) *web.FlagConfig {
	return &web.FlagConfig{
		WebListenAddresses: &[]string{"127.0.0.1:0"},
		WebConfigFile:      &configFile,
		WebSystemdSocket:   new(bool),
	}
}

type response struct {
	code   int
	body   string
	header http.Header
}

func do(t *testing.T, c *http.Client, method, url string, auth ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(auth) == 2 {
		req.SetBasicAuth(auth[0], auth[1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, string(b), resp.Header}
}

func TestServerEndpoints(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg, fixedSources(), Options{Version: "1.2.3", Revision: "abc123"})
	exercise(m)

	var notReady atomic.Pointer[error]
	var reloads atomic.Int32
	var reloadErr atomic.Pointer[error]
	s := NewServer(ServerOptions{
		Web:        localFlags(""),
		Gatherer:   reg,
		Registerer: reg,
		Logger:     zaptest.NewLogger(t),
		Version:    "1.2.3",
		Links:      []web.LandingLinks{{Address: "/api/v1/assets", Text: "Assets API"}},
		Ready: func() error {
			if p := notReady.Load(); p != nil {
				return *p
			}
			return nil
		},
		Reload: func(ctx context.Context) error {
			reloads.Add(1)
			if p := reloadErr.Load(); p != nil {
				return *p
			}
			return nil
		},
	})
	s.Handle("GET /api/v1/assets", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `[]`)
	}))
	base := startServer(t, s, "http")
	c := &http.Client{Timeout: 10 * time.Second}

	r := do(t, c, "GET", base+"/metrics")
	if r.code != 200 {
		t.Fatalf("/metrics: %d %s", r.code, r.body)
	}
	for _, want := range []string{
		`wardwatch_build_info{goversion=`,
		`wardwatch_capture_packets_total{interface="span0"} 1500`,
		`wardwatch_policy_violations_total{dst_zone="internet",rule="no-internet",severity="critical",src_zone="imaging"} 2`,
		`wardwatch_assets{class="infusion-pump",state="active",zone="clinical"} 4`,
		`go_goroutines `, `process_start_time_seconds `,
		`promhttp_metric_handler_requests_total{code="200"}`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	promtoolCheckMetrics(t, r.body)

	if r := do(t, c, "GET", base+"/-/healthy"); r.code != 200 || strings.TrimSpace(r.body) != "Healthy" {
		t.Errorf("/-/healthy: %d %q", r.code, r.body)
	}
	if r := do(t, c, "HEAD", base+"/-/healthy"); r.code != 200 {
		t.Errorf("HEAD /-/healthy: %d", r.code)
	}
	if r := do(t, c, "GET", base+"/-/ready"); r.code != 200 || strings.TrimSpace(r.body) != "Ready" {
		t.Errorf("/-/ready: %d %q", r.code, r.body)
	}
	errNotReady := errors.New("store not open")
	notReady.Store(&errNotReady)
	if r := do(t, c, "GET", base+"/-/ready"); r.code != 503 || !strings.Contains(r.body, "store not open") {
		t.Errorf("/-/ready when not ready: %d %q", r.code, r.body)
	}

	if r := do(t, c, "POST", base+"/-/reload"); r.code != 200 || reloads.Load() != 1 {
		t.Errorf("POST /-/reload: %d %q, %d reloads", r.code, r.body, reloads.Load())
	}
	errBad := errors.New("policy.yml: line 3: unknown zone \"imagng\"")
	reloadErr.Store(&errBad)
	if r := do(t, c, "POST", base+"/-/reload"); r.code != 500 || !strings.Contains(r.body, `unknown zone "imagng"`) {
		t.Errorf("failing POST /-/reload: %d %q", r.code, r.body)
	}
	r = do(t, c, "GET", base+"/-/reload")
	if r.code != 405 || r.header.Get("Allow") != "POST" {
		t.Errorf("GET /-/reload: %d, Allow %q", r.code, r.header.Get("Allow"))
	}
	if reloads.Load() != 2 {
		t.Errorf("GET /-/reload called the reload callback (%d calls)", reloads.Load())
	}

	r = do(t, c, "GET", base+"/")
	if r.code != 200 || !strings.Contains(r.body, "Wardwatch") || !strings.Contains(r.body, `href="/metrics"`) ||
		!strings.Contains(r.body, `href="/api/v1/assets"`) || !strings.Contains(r.body, "1.2.3") {
		t.Errorf("landing page: %d\n%s", r.code, r.body)
	}
	if r := do(t, c, "GET", base+"/nonexistent"); r.code != 404 {
		t.Errorf("/nonexistent: %d", r.code)
	}
	if r := do(t, c, "GET", base+"/api/v1/assets"); r.code != 200 || r.body != "[]" {
		t.Errorf("mounted handler: %d %q", r.code, r.body)
	}
}

func TestReloadNotConfigured(t *testing.T) {
	s := NewServer(ServerOptions{Gatherer: prometheus.NewRegistry()})
	req, _ := http.NewRequest("POST", "/-/reload", nil)
	rec := &recorder{header: http.Header{}}
	s.Handler().ServeHTTP(rec, req)
	if rec.code != http.StatusNotImplemented {
		t.Errorf("POST /-/reload without Reload: %d", rec.code)
	}
}

type recorder struct {
	header http.Header
	code   int
	body   strings.Builder
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int)        { r.code = code }

// TestGracefulShutdown checks that Run waits for a request in flight.
func TestGracefulShutdown(t *testing.T) {
	s := NewServer(ServerOptions{Web: localFlags(""), Gatherer: prometheus.NewRegistry(), Logger: zaptest.NewLogger(t)})
	entered, release := make(chan struct{}), make(chan struct{})
	s.Handle("/slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "done")
	}))
	addrs, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	got := make(chan response, 1)
	go func() {
		resp, err := http.Get("http://" + addrs[0].String() + "/slow")
		if err != nil {
			got <- response{code: -1, body: err.Error()}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- response{code: resp.StatusCode, body: string(b)}
	}()
	<-entered
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Run returned (%v) with a request in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if r := <-got; r.code != 200 || r.body != "done" {
		t.Errorf("in-flight request: %d %q", r.code, r.body)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	if _, err := net.DialTimeout("tcp", addrs[0].String(), time.Second); err == nil {
		t.Error("listener still open after Run returned")
	}
}

func TestListenErrors(t *testing.T) {
	// An invalid web config file fails before anything is bound.
	bad := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(bad, []byte("basic_auth_users:\n  admin: not-a-bcrypt-hash\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := NewServer(ServerOptions{Web: localFlags(bad), Gatherer: prometheus.NewRegistry()})
	if _, err := s.Listen(); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("Listen with a bad web config: %v", err)
	}
	if err := s.Run(context.Background()); err == nil {
		t.Error("Run with a bad web config succeeded")
	}

	// A port already taken.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f := localFlags("")
	*f.WebListenAddresses = []string{l.Addr().String()}
	s = NewServer(ServerOptions{Web: f, Gatherer: prometheus.NewRegistry()})
	if _, err := s.Listen(); err == nil {
		t.Error("Listen on a taken port succeeded")
	}
}

func TestWebConfig(t *testing.T) {
	dir := t.TempDir()
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	users := fmt.Sprintf("basic_auth_users:\n  prometheus: %q\n", hash)
	certFile, keyFile, pool := selfSignedCert(t, dir)

	for _, tc := range []struct {
		name, config, scheme string
		client               *http.Client
	}{
		{"basic auth", users, "http", &http.Client{Timeout: 10 * time.Second}},
		{"tls and basic auth",
			fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\n  min_version: TLS12\n%s", certFile, keyFile, users),
			"https",
			&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yml")
			if err := os.WriteFile(path, []byte(tc.config), 0o600); err != nil {
				t.Fatal(err)
			}
			reg := prometheus.NewRegistry()
			NewMetrics(reg, fixedSources(), Options{})
			s := NewServer(ServerOptions{Web: localFlags(path), Gatherer: reg, Logger: zaptest.NewLogger(t)})
			s.Handle("/api/v1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "api") }))
			base := startServer(t, s, tc.scheme)

			for _, path := range []string{"/metrics", "/api/v1/assets", "/-/healthy"} {
				if r := do(t, tc.client, "GET", base+path); r.code != 401 {
					t.Errorf("%s without credentials: %d", path, r.code)
				}
				if r := do(t, tc.client, "GET", base+path, "prometheus", "wrong"); r.code != 401 {
					t.Errorf("%s with a wrong password: %d", path, r.code)
				}
				if r := do(t, tc.client, "GET", base+path, "prometheus", "s3cret"); r.code != 200 {
					t.Errorf("%s with credentials: %d %s", path, r.code, r.body)
				}
			}
			r := do(t, tc.client, "GET", base+"/metrics", "prometheus", "s3cret")
			if !strings.Contains(r.body, "wardwatch_build_info") {
				t.Error("/metrics over web config lacks wardwatch_build_info")
			}
			if tc.scheme == "https" {
				// Plain HTTP to the TLS listener is refused.
				plain := strings.Replace(base, "https://", "http://", 1)
				resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(plain + "/metrics")
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode == 200 {
						t.Error("plain HTTP served metrics on the TLS listener")
					}
				}
			}
		})
	}
}

// selfSignedCert writes a certificate for 127.0.0.1 and its key to dir.
func selfSignedCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "wardwatch test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestAddFlags(t *testing.T) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	f := AddFlags(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(*f.WebListenAddresses, []string{DefaultListenAddress}) || *f.WebConfigFile != "" || *f.WebSystemdSocket {
		t.Errorf("defaults: %v %q %v", *f.WebListenAddresses, *f.WebConfigFile, *f.WebSystemdSocket)
	}

	fs = flag.NewFlagSet("run", flag.ContinueOnError)
	f = AddFlags(fs)
	if err := fs.Parse([]string{"--web.listen-address=127.0.0.1:9929", "--web.listen-address", "[::1]:9929", "--web.config.file=/etc/wardwatch/web.yml"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(*f.WebListenAddresses, []string{"127.0.0.1:9929", "[::1]:9929"}) || *f.WebConfigFile != "/etc/wardwatch/web.yml" {
		t.Errorf("parsed: %v %q", *f.WebListenAddresses, *f.WebConfigFile)
	}
}

// promtoolCheckMetrics lints exposition text with promtool, as
// node_exporter's checkmetrics.sh does.
func promtoolCheckMetrics(t *testing.T, text string) {
	t.Helper()
	promtool := lookPromtool(t)
	if promtool == "" {
		return
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// lookPromtool returns promtool's path, or "" after logging a skip notice.
func lookPromtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool not found in PATH; skipping promtool checks (Debian: apt-get install prometheus)")
		return ""
	}
	return p
}
