package exporter

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"
	"golang.org/x/crypto/bcrypt"
)

// TestMetricsMethods: /metrics answers only GET and HEAD; POST, PUT and
// DELETE get 405 with Allow, as /-/healthy and the API do.
func TestMetricsMethods(t *testing.T) {
	reg := prometheus.NewRegistry()
	NewMetrics(reg, fixedSources(), Options{})
	base := startServer(t, NewServer(ServerOptions{Web: localFlags(""), Gatherer: reg, Logger: zaptest.NewLogger(t)}), "http")
	c := &http.Client{Timeout: 10 * time.Second}
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		if r := do(t, c, m, base+"/metrics"); r.code != 405 || r.header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s /metrics: %d, Allow %q; want 405, GET, HEAD", m, r.code, r.header.Get("Allow"))
		}
	}
	for _, m := range []string{"GET", "HEAD"} {
		if r := do(t, c, m, base+"/metrics"); r.code != 200 {
			t.Errorf("%s /metrics: %d", m, r.code)
		}
	}
}

// authServer serves with basic auth (user prometheus, password s3cret; the
// lowest bcrypt cost, to keep the test fast on a loaded machine: the limit
// does not depend on it) and the given failure limit.
func authServer(t *testing.T, burst int, interval time.Duration) (*Server, string) {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(path, fmt.Appendf(nil, "basic_auth_users:\n  prometheus: %q\n", hash), 0o600); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	NewMetrics(reg, fixedSources(), Options{})
	s := NewServer(ServerOptions{Web: localFlags(path), Gatherer: reg, Logger: zaptest.NewLogger(t),
		AuthFailureBurst: burst, AuthFailureInterval: interval})
	return s, startServer(t, s, "http")
}

// clientFrom connects from a given loopback source address (Linux routes
// all of 127.0.0.0/8 to lo), so two clients are two addresses.
func clientFrom(src string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// TestAuthFailureLimit: after the burst of wrong passwords an address gets
// 429 with Retry-After, even with the right password, until tokens come
// back; requests without credentials, a wrong password tried before (no
// bcrypt: exporter-toolkit caches it) and other addresses are not limited.
func TestAuthFailureLimit(t *testing.T) {
	s, base := authServer(t, 3, time.Minute)
	var clock atomic.Int64
	start := time.Now()
	s.authLimit.mu.Lock()
	s.authLimit.now = func() time.Time { return start.Add(time.Duration(clock.Load())) }
	s.authLimit.mu.Unlock()

	a := clientFrom("127.0.0.1")
	for range 5 { // a stale password: checked once, then cached
		if r := do(t, a, "GET", base+"/metrics", "prometheus", "wrong0"); r.code != 401 {
			t.Fatalf("the same wrong password again: %d, want 401", r.code)
		}
	}
	for i := range 3 {
		if r := do(t, a, "GET", base+"/metrics", "prometheus", "wrong"+strconv.Itoa(i)); r.code != 401 {
			t.Fatalf("wrong password %d: %d, want 401", i+1, r.code)
		}
	}
	r := do(t, a, "GET", base+"/metrics", "prometheus", "wrong3")
	if r.code != 429 || r.header.Get("Retry-After") != "60" {
		t.Errorf("4th wrong password: %d, Retry-After %q; want 429 and 60", r.code, r.header.Get("Retry-After"))
	}
	if r := do(t, a, "GET", base+"/metrics", "prometheus", "s3cret"); r.code != 429 {
		t.Errorf("right password from the limited address: %d, want 429 (no password is checked)", r.code)
	}
	if r := do(t, a, "GET", base+"/metrics"); r.code != 401 {
		t.Errorf("no credentials from the limited address: %d, want 401 (nothing to check, nothing to limit)", r.code)
	}
	if _, err := net.ResolveTCPAddr("tcp", "127.0.0.2:0"); err == nil {
		if r := do(t, clientFrom("127.0.0.2"), "GET", base+"/metrics", "prometheus", "s3cret"); r.code != 200 {
			t.Errorf("right password from another address: %d, want 200", r.code)
		}
	}

	clock.Add(int64(time.Minute)) // one token back
	if r := do(t, a, "GET", base+"/metrics", "prometheus", "wrong2"); r.code != 401 {
		t.Errorf("a wrong password tried before: %d, want 401", r.code)
	}
	if r := do(t, a, "GET", base+"/metrics", "prometheus", "s3cret"); r.code != 200 {
		t.Errorf("right password a minute later: %d, want 200", r.code)
	}
	if r := do(t, a, "GET", base+"/metrics", "prometheus", "wrong4"); r.code != 401 {
		t.Errorf("wrong password a minute later: %d, want 401", r.code)
	}
	if r := do(t, a, "GET", base+"/metrics", "prometheus", "s3cret"); r.code != 429 {
		t.Errorf("after spending the token again: %d, want 429", r.code)
	}
}

// TestAuthFailureLimitBoundsBcrypt: a client trying a new password on every
// request from 8 connections at once gets a bounded number of password
// checks (401s, one bcrypt comparison each), the rest 429.
func TestAuthFailureLimitBoundsBcrypt(t *testing.T) {
	const burst, workers, tries = 5, 8, 200
	_, base := authServer(t, burst, time.Hour)
	var checked, limited, other atomic.Int32
	var wg sync.WaitGroup
	c := clientFrom("127.0.0.1")
	begin := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < tries; i += workers {
				req, _ := http.NewRequestWithContext(context.Background(), "GET", base+"/metrics", nil)
				req.SetBasicAuth("prometheus", "guess"+strconv.Itoa(i))
				resp, err := c.Do(req)
				if err != nil {
					t.Error(err)
					other.Add(1)
					continue
				}
				resp.Body.Close()
				switch resp.StatusCode {
				case 401:
					checked.Add(1)
				case 429:
					limited.Add(1)
				default:
					other.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d guesses from one address in %v: %d password checks (401), %d refused before the check (429)",
		tries, time.Since(begin).Round(time.Millisecond), checked.Load(), limited.Load())
	// Checks already past the token test when the burst ran out finish too:
	// at most one per connection.
	if n := checked.Load(); n < burst || n > burst+workers {
		t.Errorf("%d password checks, want %d..%d", n, burst, burst+workers)
	}
	if limited.Load()+checked.Load() != tries || other.Load() != 0 {
		t.Errorf("%d limited + %d checked != %d (%d other)", limited.Load(), checked.Load(), tries, other.Load())
	}
}

func TestClientKey(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.7:40000":            "192.0.2.7/32",
		"[::ffff:192.0.2.7]:40000":   "192.0.2.7/32",
		"[2001:db8:1:2:aa::1]:40000": "2001:db8:1:2::/64",
		"[2001:db8:1:2:bb::9]:1":     "2001:db8:1:2::/64",
		"[fe80::1%eth0]:1":           "fe80::/64",
	} {
		if got := clientKey(&http.Request{RemoteAddr: addr}); got != netip.MustParsePrefix(want) {
			t.Errorf("clientKey(%s) = %s, want %s", addr, got, want)
		}
	}
}
