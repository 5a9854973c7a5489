package main

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor"
)

// captureClock is the "as of" clock of `replay --serve`: lifecycle states,
// ages and relative filters ("24h") of the page, the API and
// wardwatch_assets are computed against the capture's time, as the CLI's
// --now does, not the wall's (a capture from January would show every
// device retired). It is --now when given, else the latest capture time
// seen: the time of the latest observation sent to the store while the
// replay runs, the end of the capture once it is done. `run` has none
// (the wall clock).
type captureClock struct {
	fixed  time.Time
	latest atomic.Int64 // Unix ns
	next   sensor.Sink
}

// newCaptureClock returns the clock of a replay; fixed, unless zero, is
// --now.
func newCaptureClock(fixed time.Time) *captureClock { return &captureClock{fixed: fixed} }

// Now is the clock's time; before the replay's first observation, the
// wall's.
func (c *captureClock) Now() time.Time {
	if !c.fixed.IsZero() {
		return c.fixed
	}
	if ns := c.latest.Load(); ns != 0 {
		return time.Unix(0, ns).UTC()
	}
	return time.Now()
}

// see moves the clock to t if t is later.
func (c *captureClock) see(t time.Time) {
	ns := t.UnixNano()
	for {
		cur := c.latest.Load()
		if ns <= cur || c.latest.CompareAndSwap(cur, ns) {
			return
		}
	}
}

// nowFunc is the clock for the inventory: nil (the wall's) for a nil
// clock.
func (c *captureClock) nowFunc() func() time.Time {
	if c == nil {
		return nil
	}
	return c.Now
}

// watch returns the sink the sensor feeds: next, through the clock when
// there is one.
func (c *captureClock) watch(next sensor.Sink) sensor.Sink {
	if c == nil {
		return next
	}
	c.next = next
	return c
}

// Submit and TrySubmit pass the observation on, moving the clock to its
// time.
func (c *captureClock) Submit(ctx context.Context, o model.Observation) error {
	c.see(o.Time)
	return c.next.Submit(ctx, o)
}

func (c *captureClock) TrySubmit(o model.Observation) bool {
	c.see(o.Time)
	return c.next.TrySubmit(o)
}
