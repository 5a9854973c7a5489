package exporter

import (
	"hash/maphash"
	"math"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Defaults of the failed-login limit (ServerOptions.AuthFailureBurst and
// AuthFailureInterval). Checking a basic-auth password costs a bcrypt
// comparison, about 50-100 ms of CPU at the usual cost 10, and
// exporter-toolkit runs one at a time; with a new wrong password on every
// request a client could keep a core busy. Five failures at once, then one
// every two seconds, keeps that below a twentieth of a core per address and
// never bothers a Prometheus server with the right password.
const (
	DefaultAuthFailureBurst    = 5
	DefaultAuthFailureInterval = 2 * time.Second
)

// authLimiter limits requests with wrong basic-auth credentials per client
// address (an IPv4 address, an IPv6 /64): a token bucket of burst tokens,
// one back every interval. Each request that carried new wrong credentials
// and got 401 takes a token, going into debt (down to -burst) when there is
// none; while an address has less than one token, its requests with
// credentials are answered 429 with Retry-After before they reach the
// password check. Free, because they cost no bcrypt comparison: requests
// without credentials, requests that pass, and the same wrong credentials
// again (one of the address's last recentFailures; exporter-toolkit caches
// the outcome of a check), e.g. a Prometheus job with a stale password.
type authLimiter struct {
	burst    float64
	interval time.Duration
	log      *zap.Logger
	now      func() time.Time

	seed     maphash.Seed
	mu       sync.Mutex
	buckets  map[netip.Prefix]*bucket
	overflow bucket // shared by new addresses when buckets is full
}

type bucket struct {
	tokens  float64
	last    time.Time
	limited bool                   // logged as limited, until it recovers
	recent  [recentFailures]uint64 // hashes of the last wrong credentials
	next    int                    // where the next one goes in recent
}

// recentFailures is how many distinct wrong credentials per address are
// remembered as already paid for.
const recentFailures = 8

// maxAuthBuckets bounds the table; buckets that refilled completely are
// dropped first.
const maxAuthBuckets = 4096

func newAuthLimiter(burst int, interval time.Duration, log *zap.Logger) *authLimiter {
	return &authLimiter{burst: float64(burst), interval: interval, log: log, now: time.Now,
		seed: maphash.MakeSeed(), buckets: map[netip.Prefix]*bucket{}}
}

// clientKey is the address a request is limited by.
func clientKey(r *http.Request) netip.Prefix {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Prefix{}
	}
	a = a.Unmap().WithZone("")
	bits := 32
	if a.Is6() {
		bits = 64 // one host usually owns a whole /64
	}
	p, _ := a.Prefix(bits)
	return p
}

// refill brings b up to now and returns its tokens.
func (l *authLimiter) refill(b *bucket, now time.Time) float64 {
	if !b.last.IsZero() {
		b.tokens = math.Min(l.burst, b.tokens+float64(now.Sub(b.last))/float64(l.interval))
	}
	b.last = now
	return b.tokens
}

// get returns the bucket of key, creating a full one; l.mu is held.
func (l *authLimiter) get(key netip.Prefix, now time.Time) *bucket {
	if b := l.buckets[key]; b != nil {
		return b
	}
	if len(l.buckets) >= maxAuthBuckets {
		for k, b := range l.buckets {
			if l.refill(b, now) >= l.burst {
				delete(l.buckets, k)
			}
		}
		if len(l.buckets) >= maxAuthBuckets {
			if l.overflow.last.IsZero() {
				l.overflow = bucket{tokens: l.burst, last: now}
			}
			return &l.overflow
		}
	}
	b := &bucket{tokens: l.burst, last: now}
	l.buckets[key] = b
	return b
}

// wrap puts the limit in front of next (exporter-toolkit's basic-auth
// handler).
func (l *authLimiter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, hasAuth := r.BasicAuth()
		if !hasAuth {
			next.ServeHTTP(w, r)
			return
		}
		key := clientKey(r)
		l.mu.Lock()
		now := l.now()
		b := l.get(key, now)
		tokens := l.refill(b, now)
		l.mu.Unlock()
		if tokens < 1 {
			wait := time.Duration((1 - tokens) * float64(l.interval))
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			text(w, http.StatusTooManyRequests, "Too many failed logins from this address; retry in "+strconv.Itoa(secs)+" s")
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.code != http.StatusUnauthorized {
			return
		}
		cred := maphash.String(l.seed, user+"\x00"+pass)
		l.mu.Lock()
		if slices.Contains(b.recent[:], cred) { // checked before: the toolkit's cache answered
			l.mu.Unlock()
			return
		}
		b.recent[b.next] = cred
		b.next = (b.next + 1) % recentFailures
		now = l.now()
		tokens = l.refill(b, now) - 1
		b.tokens = math.Max(tokens, -l.burst)
		logIt := tokens < 1 && !b.limited
		b.limited = tokens < 1
		l.mu.Unlock()
		if logIt {
			l.log.Warn("too many failed logins: answering 429 to this address for a while",
				zap.String("client", key.String()), zap.Int("burst", int(l.burst)), zap.Duration("per_token", l.interval))
		}
	})
}

// statusWriter records the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// limitedListener installs the failed-login limit in front of the handler
// exporter-toolkit puts on srv. web.Serve replaces srv.Handler with its
// basic-auth handler and then serves the listener from the same goroutine,
// so the first Accept runs after that replacement and before any request
// is handled (connections are served by goroutines started after Accept
// returns): wrapping srv.Handler there is ordered before every read of it.
type limitedListener struct {
	net.Listener
	srv     *http.Server
	lim     *authLimiter
	wrapped bool // only touched by the serving goroutine
}

func (l *limitedListener) Accept() (net.Conn, error) {
	if !l.wrapped {
		l.wrapped = true
		if l.srv.Handler != nil {
			l.srv.Handler = l.lim.wrap(l.srv.Handler)
		}
	}
	return l.Listener.Accept()
}
