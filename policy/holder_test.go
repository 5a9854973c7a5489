package policy

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestHolder(t *testing.T) {
	a := mustLoad(t, examplePath)
	b := mustLoad(t, "testdata/minimal.good.yml")

	var zero Holder
	if p, g := zero.Current(); p != nil || g != 0 || zero.Load() != nil {
		t.Errorf("zero Holder: %v %d", p, g)
	}
	if old := zero.Swap(a); old != nil || zero.Generation() != 1 || zero.Load() != a {
		t.Error("zero Holder Swap")
	}

	h := NewHolder(a)
	if h.Load() != a || h.Generation() != 1 {
		t.Fatalf("NewHolder: %p gen %d", h.Load(), h.Generation())
	}
	if old := h.Swap(b); old != a || h.Load() != b || h.Generation() != 2 {
		t.Fatalf("Swap: old %p, now %p gen %d", old, h.Load(), h.Generation())
	}

	// Reload: a good file swaps, a bad one keeps the running policy.
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.yml"), filepath.Join(dir, "bad.yml")
	data, _ := os.ReadFile(examplePath)
	os.WriteFile(good, data, 0o644)
	os.WriteFile(bad, []byte("default: deny\n"), 0o644)
	if err := h.Reload(good); err != nil || h.Generation() != 3 || len(h.Load().Rules()) != 11 {
		t.Fatalf("Reload(good): %v gen %d", err, h.Generation())
	}
	cur := h.Load()
	if err := h.Reload(bad); err == nil || h.Load() != cur || h.Generation() != 3 {
		t.Fatalf("Reload(bad): %v gen %d", err, h.Generation())
	}
}

// TestHolderConcurrent runs evaluations against swaps; run with -race.
func TestHolderConcurrent(t *testing.T) {
	a := mustLoad(t, examplePath)
	b := mustLoad(t, "testdata/minimal.good.yml")
	h := NewHolder(a)
	flows := benchFlows()
	const swaps = 1000
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last uint64
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p, gen := h.Current()
				if gen < last {
					t.Errorf("generation went back from %d to %d", last, gen)
					return
				}
				last = gen
				v := p.Evaluate(&flows[i%len(flows)])
				if (p == a) != (gen%2 == 1) {
					t.Errorf("generation %d paired with the wrong policy", gen)
					return
				}
				_ = v
			}
		}()
	}
	for i := 0; i < swaps; i++ {
		if i%2 == 0 {
			h.Swap(b)
		} else {
			h.Swap(a)
		}
	}
	close(stop)
	wg.Wait()
	if h.Generation() != swaps+1 {
		t.Errorf("generation %d, want %d", h.Generation(), swaps+1)
	}
}
