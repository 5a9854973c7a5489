package api

import (
	"bufio"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/wardwatch/wardwatch/policy/segment"
	"github.com/wardwatch/wardwatch/store/inventory"
	"github.com/wardwatch/wardwatch/store/inventory/inventorytest"
)

// largeServer serves inventorytest.Large(n) with the example policy.
func largeServer(t *testing.T, n int) (*Server, string) {
	t.Helper()
	inv := inventory.New(inventory.Options{Store: inventorytest.Large(t, n),
		Zones: segment.Fixed(inventorytest.Policy(t)), Now: func() time.Time { return inventorytest.Now }})
	srv := New(Options{Inventory: inv, Logger: zaptest.NewLogger(t)})
	return srv, serve(t, srv, "")
}

// export downloads a CSV export and returns its rows (header included)
// and the X-Total-Count trailer.
func export(t *testing.T, url string) (rows [][]string, total string, code int) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		io.Copy(io.Discard, resp.Body)
		return nil, "", resp.StatusCode
	}
	rows, err = csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return rows, resp.Trailer.Get("X-Total-Count"), resp.StatusCode
}

// TestExportStreams: a CSV export is the whole list, with the total as a
// trailer, the same rows as the JSON pages; filters that the service
// applies (zone) and limits work on the stream.
func TestExportStreams(t *testing.T) {
	const n = 3000
	_, base := largeServer(t, n)
	rows, total, code := export(t, base+"/api/v1/assets?format=csv&sort=-last_seen")
	if code != 200 || len(rows) != n+1 || total != strconv.Itoa(n) {
		t.Fatalf("export: %d, %d rows, total %q", code, len(rows)-1, total)
	}
	page := decode[inventory.Page[inventory.AssetRecord]](t, request(t, "GET", base+"/api/v1/assets?sort=-last_seen&limit=1000&offset=1000"))
	col := indexOf(rows[0], "mac")
	for i, a := range page.Items {
		if got := rows[1001+i][col]; got != a.MAC {
			t.Fatalf("row %d: %s, the JSON page says %s", 1001+i, got, a.MAC)
		}
	}
	// inventorytest.Large's VLANs 100..114 fall in no zone of the example
	// policy but "unzoned"; a limit cuts the stream.
	rows, total, _ = export(t, base+"/api/v1/assets?format=csv&zone=unzoned&limit=250&state=active")
	if len(rows) != 251 || total != "250" || rows[1][indexOf(rows[0], "zone")] != "unzoned" {
		t.Errorf("zone export: %d rows, total %q", len(rows)-1, total)
	}
	rows, total, _ = export(t, base+"/api/v1/flows?format=csv")
	if len(rows) != n/10+1 || total != strconv.Itoa(n/10) || rows[1][indexOf(rows[0], "src_hostname")] == "" {
		t.Errorf("flows export: %d rows, total %q", len(rows)-1, total)
	}
	for _, list := range []string{"events", "violations"} {
		if _, total, code := export(t, base+"/api/v1/"+list+"?format=csv"); code != 200 || total == "" {
			t.Errorf("%s export: %d, total %q", list, code, total)
		}
	}
}

func indexOf(header []string, name string) int {
	for i, h := range header {
		if h == name {
			return i
		}
	}
	return -1
}

// TestHeavyLimit: while MaxHeavy heavy requests run, another CSV export or
// large page is 503 with Retry-After; small pages are served; once one
// ends, the next export runs.
func TestHeavyLimit(t *testing.T) {
	srv := newFixture(t)
	base := serve(t, srv, "")
	var held []func()
	for range DefaultMaxHeavy {
		release, ok := srv.heavy.acquire()
		if !ok {
			t.Fatal("semaphore full before any request")
		}
		held = append(held, release)
	}
	for _, path := range []string{"/api/v1/assets?format=csv", "/api/v1/flows?format=csv", "/api/v1/events?limit=1000"} {
		r := request(t, "GET", base+path)
		e := decode[ErrorRecord](t, r)
		if r.code != 503 || r.header.Get("Retry-After") != strconv.Itoa(RetryAfter) || e.Status != 503 {
			t.Errorf("%s with %d exports running: %d %v %+v", path, DefaultMaxHeavy, r.code, r.header, e)
		}
	}
	if r := request(t, "GET", base+"/api/v1/assets?limit=100"); r.code != 200 {
		t.Errorf("a small page while exports run: %d", r.code)
	}
	held[0]()
	if r := request(t, "GET", base+"/api/v1/assets?format=csv"); r.code != 200 {
		t.Errorf("an export once one ended: %d", r.code)
	}
	held[1]()
}

// TestExportFlood runs 8 CSV exports of a large inventory at once, each
// client retrying after a 503 until served, and measures the heap and the
// resident set while they run (docs/performance.md). The inventory has
// 5 000 devices, WARDWATCH_EXPORT_ASSETS others (200000 for the
// documented measurement).
func TestExportFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	n := 5000
	if s := os.Getenv("WARDWATCH_EXPORT_ASSETS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	_, base := largeServer(t, n)
	t.Logf("built %d devices in %v", n, time.Since(start).Round(time.Millisecond))

	runtime.GC()
	baseHeap, baseLive := heap()
	resetPeakRSS()
	baseRSS := rss("VmRSS")
	stop := make(chan struct{})
	var peakHeap, peakLive uint64
	var sampled sync.WaitGroup
	sampled.Add(1)
	go func() { // sample the heap while the exports run
		defer sampled.Done()
		for {
			inUse, live := heap()
			peakHeap, peakLive = max(peakHeap, inUse), max(peakLive, live)
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()

	const clients = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused, rowsSeen := 0, map[int]int{}
	start = time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				resp, err := http.Get(base + "/api/v1/assets?format=csv")
				if err != nil {
					t.Error(err)
					return
				}
				if resp.StatusCode == http.StatusServiceUnavailable {
					resp.Body.Close()
					mu.Lock()
					refused++
					mu.Unlock()
					time.Sleep(20 * time.Millisecond) // impatient: a real client waits Retry-After
					continue
				}
				lines := 0
				sc := bufio.NewScanner(resp.Body)
				for sc.Scan() {
					lines++
				}
				resp.Body.Close()
				mu.Lock()
				rowsSeen[c] = lines - 1
				mu.Unlock()
				if resp.Trailer.Get("X-Total-Count") != strconv.Itoa(n) {
					t.Errorf("client %d: total %q", c, resp.Trailer.Get("X-Total-Count"))
				}
				return
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	sampled.Wait()
	for c := range clients {
		if rowsSeen[c] != n {
			t.Errorf("client %d got %d rows, want %d", c, rowsSeen[c], n)
		}
	}
	if refused == 0 {
		t.Errorf("8 exports at once, none refused: the limit of %d did not hold", DefaultMaxHeavy)
	}
	t.Logf("%d devices, %d parallel CSV exports: %v; %d refusals (503) on the way; live heap %.1f MiB before, peak %.1f MiB; heap in use %.1f MiB before, peak %.1f MiB; RSS %.1f MiB before, peak %.1f MiB",
		n, clients, elapsed.Round(time.Millisecond), refused, mib(baseLive), mib(peakLive), mib(baseHeap), mib(peakHeap),
		float64(baseRSS)/1024, float64(rss("VmHWM"))/1024)
	// Constant memory: the exports' share of the live heap does not grow
	// with the inventory.
	if grow := int64(peakLive) - int64(baseLive); grow > 32<<20 {
		t.Errorf("the live heap grew by %.1f MiB during the exports", mib(uint64(grow)))
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// heap returns the heap in use (live and garbage not yet collected) and
// the live heap as of the last collection.
func heap() (inUse, live uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}

// rss reads a field of /proc/self/status in KiB (0 if unavailable).
func rss(field string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

// resetPeakRSS resets VmHWM to the current RSS (Linux: clear_refs 5).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// BenchmarkExportAssets: one CSV export of 20 000 devices.
func BenchmarkExportAssets(b *testing.B) {
	inv := inventory.New(inventory.Options{Store: inventorytest.Large(b, 20000),
		Zones: segment.Fixed(inventorytest.Policy(b)), Now: func() time.Time { return inventorytest.Now }})
	b.ResetTimer()
	for range b.N {
		n, err := inv.EachAsset(context.Background(), inventory.AssetQuery{}, func([]inventory.AssetRecord) error { return nil })
		if err != nil || n != 20000 {
			b.Fatal(n, err)
		}
	}
}
