package policy

import "sync/atomic"

// Holder holds the current policy for hot reload, in the style of
// blackbox_exporter's SafeConfig but lock-free: the packet path calls Load
// (one atomic load) and evaluates against the policy it got, which never
// changes; a reload parses the new file completely and only then swaps it
// in, so a bad file leaves the running policy in place.
//
// The zero Holder holds no policy at generation 0; Load then returns nil,
// which Evaluate treats as allow-everything.
type Holder struct {
	cur atomic.Pointer[held]
}

// held pairs a policy with its generation so both are read in one atomic
// load.
type held struct {
	p   *Policy
	gen uint64
}

// NewHolder returns a Holder holding p (which may be nil), at generation 1.
func NewHolder(p *Policy) *Holder {
	h := &Holder{}
	h.cur.Store(&held{p: p, gen: 1})
	return h
}

// Load returns the current policy.
func (h *Holder) Load() *Policy {
	if c := h.cur.Load(); c != nil {
		return c.p
	}
	return nil
}

// Current returns the current policy and its generation, read together.
func (h *Holder) Current() (*Policy, uint64) {
	if c := h.cur.Load(); c != nil {
		return c.p, c.gen
	}
	return nil, 0
}

// Swap installs p, bumps the generation and returns the previous policy.
func (h *Holder) Swap(p *Policy) *Policy {
	for {
		old := h.cur.Load()
		next := &held{p: p, gen: 1}
		var prev *Policy
		if old != nil {
			next.gen, prev = old.gen+1, old.p
		}
		if h.cur.CompareAndSwap(old, next) {
			return prev
		}
	}
}

// Generation counts the policies installed: 1 after NewHolder, +1 per
// Swap. Consumers that cache per-policy state (pre-created metric series,
// a verdict cache) use Current to get a policy and its generation
// consistently, and rebuild when the generation changes.
func (h *Holder) Generation() uint64 {
	_, g := h.Current()
	return g
}

// Reload loads the policy file at path and swaps it in. On error the
// current policy stays and the error is returned, for the caller to log and
// to export as a last-reload-successful gauge.
func (h *Holder) Reload(path string) error {
	p, err := Load(path)
	if err != nil {
		return err
	}
	h.Swap(p)
	return nil
}
