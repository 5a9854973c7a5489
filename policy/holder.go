package policy

import "sync/atomic"

// Holder holds the current policy for hot reload, in the style of
// blackbox_exporter's SafeConfig but lock-free: the packet path calls Load
// (one atomic load) and evaluates against the policy it got, which never
// changes; a reload parses the new file completely and only then Swaps it
// in, so a bad file leaves the running policy in place.
//
// The zero Holder holds no policy; Load then returns nil, which Evaluate
// treats as allow-everything.
type Holder struct {
	p   atomic.Pointer[Policy]
	gen atomic.Uint64
}

// NewHolder returns a Holder holding p (which may be nil), at generation 1.
func NewHolder(p *Policy) *Holder {
	h := &Holder{}
	h.p.Store(p)
	h.gen.Store(1)
	return h
}

// Load returns the current policy.
func (h *Holder) Load() *Policy { return h.p.Load() }

// Swap installs p, bumps the generation and returns the previous policy.
func (h *Holder) Swap(p *Policy) *Policy {
	old := h.p.Swap(p)
	h.gen.Add(1)
	return old
}

// Generation counts the policies installed: 1 after NewHolder, +1 per Swap
// (0 for a zero Holder that was never swapped). Consumers that cache
// per-policy state (a verdict cache, pre-created metric series) compare it
// to know when to rebuild.
func (h *Holder) Generation() uint64 { return h.gen.Load() }

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
