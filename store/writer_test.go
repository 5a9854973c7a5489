package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

func nthKey(i int) model.AssetKey {
	return model.AssetKey{Vantage: "span0", VLAN: 10, MAC: model.MAC{0x00, 0x1b, 0x63, byte(i >> 16), byte(i >> 8), byte(i)}}
}

// waitFor polls cond for up to 10s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func countAssets(t *testing.T, path string) int {
	t.Helper()
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	n, _, err := ro.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFlushSize(t *testing.T) {
	opts := testOpts()
	opts.FlushSize = 10
	path := filepath.Join(t.TempDir(), "w.db")
	db := mustOpen(t, path, opts)
	for i := 0; i < 25; i++ {
		if err := db.Submit(context.Background(), activity(nthKey(i), t0, t0, 1, 1)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "two flushes of 10", func() bool { s := db.Stats(); return s.Flushes == 2 && s.Pending == 5 })
	if s := db.Stats(); s.Written != 20 {
		t.Errorf("stats = %+v", s)
	}
	if err := db.Close(); err != nil { // commits the last 5
		t.Fatal(err)
	}
	if n := countAssets(t, path); n != 25 {
		t.Errorf("%d assets, want 25", n)
	}
}

func TestFlushInterval(t *testing.T) {
	opts := testOpts()
	opts.FlushInterval = 20 * time.Millisecond
	var flushes atomic.Int32
	opts.OnFlush = func(d time.Duration, err error) {
		if err == nil && d > 0 {
			flushes.Add(1)
		}
	}
	db := mustOpen(t, filepath.Join(t.TempDir(), "w.db"), opts)
	db.TrySubmit(activity(nthKey(1), t0, t0, 1, 1))
	waitFor(t, "a timed flush", func() bool { return db.Stats().Written == 1 && flushes.Load() == 1 })
	if d := db.Stats().LastFlushDuration; d <= 0 {
		t.Errorf("LastFlushDuration = %v", d)
	}
}

func TestTrySubmitQueueFull(t *testing.T) {
	opts := testOpts()
	opts.QueueSize = 2
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := Open(path, opts) // not started: nothing drains the queue
	if err != nil {
		t.Fatal(err)
	}
	var got []bool
	for i := 0; i < 3; i++ {
		got = append(got, db.TrySubmit(activity(nthKey(i), t0, t0, 1, 1)))
	}
	if got[0] != true || got[1] != true || got[2] != false {
		t.Errorf("TrySubmit = %v, want true true false", got)
	}
	if s := db.Stats(); s.DroppedQueueFull != 1 || s.Dropped != 1 || s.Queued != 2 {
		t.Errorf("stats = %+v", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := db.Submit(ctx, activity(nthKey(9), t0, t0, 1, 1)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Submit on a full queue = %v, want deadline exceeded", err)
	}
	if err := db.Flush(context.Background()); err == nil {
		t.Error("Flush before Start: no error")
	}
	// A Submit blocked on the full queue is released by Close.
	blocked := make(chan error)
	go func() { blocked <- db.Submit(context.Background(), activity(nthKey(10), t0, t0, 1, 1)) }()
	time.Sleep(20 * time.Millisecond)
	if err := db.Close(); err != nil { // writes what was queued, without Start
		t.Fatal(err)
	}
	if err := <-blocked; !errors.Is(err, ErrClosed) {
		t.Errorf("blocked Submit = %v, want ErrClosed", err)
	}
	if n := countAssets(t, path); n != 2 {
		t.Errorf("%d assets, want 2", n)
	}
}

// A Submit blocked on a full queue before Start is released by Start.
func TestSubmitBeforeStart(t *testing.T) {
	opts := testOpts()
	opts.QueueSize = 1
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	done := make(chan error)
	go func() {
		for i := 0; i < 3; i++ {
			if err := db.Submit(ctx, activity(nthKey(i), t0, t0, 1, 1)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	time.Sleep(20 * time.Millisecond)
	db.Start(ctx)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := db.Counts(ctx); n != 3 {
		t.Errorf("%d assets, want 3", n)
	}
}

func TestClosed(t *testing.T) {
	db, _ := newDB(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := db.Submit(ctx, activity(nthKey(1), t0, t0, 1, 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("Submit = %v", err)
	}
	if db.TrySubmit(activity(nthKey(1), t0, t0, 1, 1)) {
		t.Error("TrySubmit after Close accepted")
	}
	if err := db.Flush(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush = %v", err)
	}
	db.Start(ctx)
	if err := db.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestStartContextCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := Open(path, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	db.Start(ctx)
	db.TrySubmit(activity(nthKey(1), t0, t0, 1, 1))
	cancel()
	waitFor(t, "the writer to stop", func() bool {
		select {
		case <-db.done:
			return true
		default:
			return false
		}
	})
	if err := db.Flush(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush after the writer stopped = %v", err)
	}
	db.TrySubmit(activity(nthKey(2), t0, t0, 1, 1)) // queued after it stopped: Close writes it
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if n := countAssets(t, path); n != 2 {
		t.Errorf("%d assets, want 2", n)
	}
}

// TestSubmitCloseRace: every Submit that returned nil is written, however
// it interleaves with Close.
func TestSubmitCloseRace(t *testing.T) {
	opts := testOpts()
	opts.QueueSize = 16
	opts.FlushSize = 7
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	db.Start(context.Background())
	var ok atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				if db.Submit(context.Background(), activity(nthKey(g<<12|i), t0, t0, 1, 1)) == nil {
					ok.Add(1)
				}
			}
		}()
	}
	waitFor(t, "some writes", func() bool { return db.Stats().Written > 100 })
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if n := countAssets(t, path); int64(n) != ok.Load() {
		t.Errorf("%d assets written, %d Submits succeeded", n, ok.Load())
	}
}

func TestCacheBounded(t *testing.T) {
	opts := testOpts()
	opts.CacheSize = 3
	db := mustOpen(t, filepath.Join(t.TempDir(), "w.db"), opts)
	for round := 0; round < 3; round++ {
		var obs []model.Observation
		for i := 0; i < 20; i++ {
			obs = append(obs, arp(nthKey(i), t0.Add(time.Duration(round)*time.Minute), fmt.Sprintf("10.0.0.%d", i+1)))
			obs = append(obs, activity(nthKey(i), t0, t0, 1, 10))
		}
		mustSubmit(t, db, obs...)
	}
	as := mustAssets(t, db, AssetFilter{})
	if len(as) != 20 {
		t.Fatalf("%d assets", len(as))
	}
	for _, a := range as {
		if a.Packets != 3 || len(a.Addresses) != 1 {
			t.Errorf("asset %v: packets %d, addresses %v", a.Key, a.Packets, a.Addresses)
		}
	}
	if n := len(mustEvents(t, db, EventFilter{})); n != 20 { // one new-device each (with its address)
		t.Errorf("%d events, want 20", n)
	}
	if len(db.cache.assets) > 3 || len(db.cache.binds) > 3 {
		t.Errorf("cache holds %d assets, %d bindings", len(db.cache.assets), len(db.cache.binds))
	}
}

// TestFailedFlushMidTransaction: a batch that fails after inserting rows
// is retried whole, without trusting ids the rollback took back.
func TestFailedFlushMidTransaction(t *testing.T) {
	db, path := newDB(t)
	raw := rawDB(t, path)
	if _, err := raw.Exec(`CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.mac = '00:1b:63:00:00:63'
		BEGIN SELECT RAISE(ABORT, 'boom'); END`); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, o := range []model.Observation{
		arp(nthKey(1), t0, "10.0.0.1"),
		arp(nthKey(0x63), t0, "10.0.0.99"),
		activity(nthKey(1), t0, t0, 1, 1),
	} {
		if err := db.Submit(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Flush(ctx); err == nil {
		t.Fatal("Flush: no error from the trigger")
	}
	if _, err := raw.Exec(`DROP TRIGGER boom`); err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	as := mustAssets(t, db, AssetFilter{})
	if len(as) != 2 || as[0].Packets != 1 || len(as[0].Addresses) != 1 || len(as[1].Addresses) != 1 {
		t.Errorf("assets = %+v", as)
	}
	if n := len(mustEvents(t, db, EventFilter{})); n != 2 { // one new-device each
		t.Errorf("%d events, want 2", n)
	}
}

// TestFlushStepTimes: a flush's steps are timed (WriterStats.StepTime, the
// debug log's steps field), and the steps' times add up to no more than the
// flush's.
func TestFlushStepTimes(t *testing.T) {
	log, logs := observerLogger()
	opts := testOpts()
	opts.Logger = log
	db := mustOpen(t, filepath.Join(t.TempDir(), "wardwatch.db"), opts)
	k := key(t, "00:1b:63:00:00:01")
	mustSubmit(t, db, activity(k, t0, t0.Add(time.Second), 3, 300), arp(k, t0, "10.0.0.5"))
	st := db.Stats()
	var sum time.Duration
	for i, d := range st.StepTime {
		if d < 0 {
			t.Errorf("step %s: %v", FlushSteps[i], d)
		}
		sum += d
	}
	if st.StepTime[0] <= 0 || st.StepTime[NumFlushSteps-1] <= 0 {
		t.Errorf("assets %v, commit %v: want both timed", st.StepTime[0], st.StepTime[NumFlushSteps-1])
	}
	if sum <= 0 || sum > st.LastFlushDuration {
		t.Errorf("steps add up to %v, the flush took %v", sum, st.LastFlushDuration)
	}
	seen := map[string]bool{}
	for _, s := range FlushSteps {
		if s == "" || seen[s] {
			t.Errorf("step name %q empty or repeated", s)
		}
		seen[s] = true
	}
	found := false
	for _, e := range logs.FilterMessage("store flush committed").All() {
		if _, ok := e.ContextMap()["steps"]; ok {
			found = true
		}
	}
	if !found {
		t.Error("the flush's debug line has no steps field")
	}
}
