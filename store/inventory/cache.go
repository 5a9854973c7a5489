package inventory

import (
	"sync"
	"time"
)

// SummaryTTL is how long Summary, AssetCounts and Matrix reuse their last
// answer: every page shows the summary, and they read every asset or
// flow.
const SummaryTTL = 10 * time.Second

// cached holds a value computed at most once per SummaryTTL, both of wall
// time (a fixed clock, as a replay's, never moves) and of the service's
// clock (a replay's runs ahead of the wall). Computations are serialised:
// concurrent callers wait for one.
type cached[T any] struct {
	mu         sync.Mutex
	wall, asOf time.Time
	v          *T
	ttl        time.Duration // 0: SummaryTTL
}

// get returns the cached value, or compute's at now (the service's clock).
func (c *cached[T]) get(now time.Time, compute func(now time.Time) (*T, error)) (*T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ttl := c.ttl
	if ttl == 0 {
		ttl = SummaryTTL
	}
	if c.v != nil && time.Since(c.wall) < ttl && now.Sub(c.asOf) < ttl && !now.Before(c.asOf) {
		return c.v, nil
	}
	v, err := compute(now)
	if err != nil {
		return v, err
	}
	c.wall, c.asOf, c.v = time.Now(), now, v
	return v, nil
}

// forget drops the value: the next get computes.
func (c *cached[T]) forget() {
	c.mu.Lock()
	c.v = nil
	c.mu.Unlock()
}

// Forget drops the cached summary, counts and matrix, for a change they
// depend on beyond the database: a new policy (zones), new advisories.
func (s *Service) Forget() {
	s.summary.forget()
	s.matrix.forget()
	s.advisoryScan.forget()
}
