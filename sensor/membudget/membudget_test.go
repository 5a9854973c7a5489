package membudget

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestTakeRelease(t *testing.T) {
	b := New(100)
	if !b.Take(60) || !b.Take(40) {
		t.Fatal("takes within the limit refused")
	}
	if b.Take(1) {
		t.Fatal("take beyond the limit granted")
	}
	b.Release(50)
	if !b.Take(50) {
		t.Fatal("take after release refused")
	}
	s := b.Stats()
	if s.Used != 100 || s.Peak != 100 || s.Denied != 1 || s.Limit != 100 {
		t.Errorf("stats = %+v", s)
	}
}

func TestNilAndUnlimited(t *testing.T) {
	var nb *Budget
	if !nb.Take(1 << 40) {
		t.Error("nil budget refused")
	}
	nb.Release(5)
	if nb.Stats() != (Stats{}) {
		t.Error("nil budget has stats")
	}
	u := New(0)
	if !u.Take(1 << 40) {
		t.Error("unlimited budget refused")
	}
}

func TestConcurrent(t *testing.T) {
	b := New(1000)
	var held atomic.Int64 // bytes granted and not yet released
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10000 {
				if b.Take(10) {
					if h := held.Add(10); h > 1000 {
						t.Errorf("%d bytes granted at once, over the limit", h)
					}
					held.Add(-10)
					b.Release(10)
				}
			}
		}()
	}
	wg.Wait()
	if u := b.Stats().Used; u != 0 {
		t.Errorf("used %d after all releases", u)
	}
}
