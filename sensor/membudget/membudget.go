// Package membudget bounds the bytes that stream parsers hold across all
// connections of a sensor (config streams.max_buffer_bytes).
//
// Per-connection limits alone do not bound memory: ten thousand
// connections that each leave a 60 KiB HL7 message or DICOM association
// PDU unfinished hold 600 MB. Parsers therefore draw every buffer they grow
// from one Budget and give it back when they are done with it. When the
// budget is spent a parser degrades (it truncates the message, or skips the
// PDU by length, as for an oversize one) instead of allocating, and the
// denial is counted so operators see that the cap bit.
//
// A Budget is safe for concurrent use by every worker. A nil *Budget grants
// everything (no limit), so parsers need no special case in tests.
package membudget

import "sync/atomic"

// Budget is a byte allowance shared by parsers.
type Budget struct {
	limit  int64
	used   atomic.Int64
	peak   atomic.Int64
	denied atomic.Uint64
}

// New returns a budget of limit bytes; limit <= 0 means no limit.
func New(limit int64) *Budget {
	return &Budget{limit: limit}
}

// Take reserves n bytes. It reports false, reserving nothing, when that
// would exceed the limit; the denial is counted.
func (b *Budget) Take(n int) bool {
	if b == nil || n <= 0 {
		return true
	}
	u := b.used.Add(int64(n))
	if b.limit > 0 && u > b.limit {
		b.used.Add(-int64(n))
		b.denied.Add(1)
		return false
	}
	for {
		p := b.peak.Load()
		if u <= p || b.peak.CompareAndSwap(p, u) {
			return true
		}
	}
}

// Release gives n bytes back.
func (b *Budget) Release(n int) {
	if b == nil || n <= 0 {
		return
	}
	b.used.Add(-int64(n))
}

// Stats is a snapshot of a budget.
type Stats struct {
	Limit  int64  // 0: unlimited
	Used   int64  // bytes held by parsers now
	Peak   int64  // most bytes held at once
	Denied uint64 // Take calls refused because the budget was spent
}

// Stats returns the budget's counters (zero for a nil budget).
func (b *Budget) Stats() Stats {
	if b == nil {
		return Stats{}
	}
	return Stats{Limit: b.limit, Used: b.used.Load(), Peak: b.peak.Load(), Denied: b.denied.Load()}
}
