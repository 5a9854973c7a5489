package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestPrometheusScrapesViolations is the SOC's end-to-end path: the daemon
// replays the demo capture with the example policy and keeps serving; a real
// Prometheus server (Debian's package) scrapes it; Prometheus's HTTP API then
// answers up == 1 and the violation counter of the demo's pump that talks to
// an internet address.
func TestPrometheusScrapesViolations(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus not installed (apt-get install prometheus): skipping")
	}
	bin := wardwatchBinary(t)
	dir := t.TempDir()
	wwPort, promPort := freePort(t), freePort(t)

	ww := exec.Command(bin, "replay", "--workers", "1", "--serve", "--web.listen-address", fmt.Sprintf("127.0.0.1:%d", wwPort),
		"--db", filepath.Join(dir, "demo.db"), "--policy.file", filepath.Join("..", "..", "configs", "policy.yml"),
		filepath.Join("..", "..", "testdata", "demo.pcap"))
	var wwErr lockedBuffer
	ww.Stderr = &wwErr
	if err := ww.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ww.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- ww.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("wardwatch exit: %v\n%s", err, wwErr.String())
			}
		case <-time.After(10 * time.Second):
			ww.Process.Kill()
			t.Error("wardwatch did not stop on SIGTERM")
		}
	}()

	promCfg := filepath.Join(dir, "prometheus.yml")
	os.WriteFile(promCfg, []byte(fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - %s
scrape_configs:
  - job_name: wardwatch
    static_configs:
      - targets: ['127.0.0.1:%d']
`, filepath.Join(mustAbs(t, "../../configs/prometheus"), "wardwatch-rules.yml"), wwPort)), 0o644)
	prom := exec.Command(promBin, "--config.file", promCfg, "--storage.tsdb.path", filepath.Join(dir, "tsdb"),
		"--web.listen-address", fmt.Sprintf("127.0.0.1:%d", promPort))
	var promOut lockedBuffer
	prom.Stdout, prom.Stderr = &promOut, &promOut
	if err := prom.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		prom.Process.Signal(syscall.SIGTERM)
		prom.Wait()
	}()

	query := func(q string) (float64, bool) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/api/v1/query?query=%s", promPort, url.QueryEscape(q)))
		if err != nil {
			return 0, false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var r struct {
			Status string
			Data   struct {
				Result []struct {
					Value [2]any
				}
			}
		}
		if json.Unmarshal(body, &r) != nil || r.Status != "success" || len(r.Data.Result) != 1 {
			return 0, false
		}
		var v float64
		fmt.Sscan(r.Data.Result[0].Value[1].(string), &v)
		return v, true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	want := map[string]float64{
		`up{job="wardwatch"}`: 1,
		`wardwatch_policy_violations_total{rule="pumps-to-internet",src_zone="pumps",dst_zone="internet"}`:       1,
		`wardwatch_policy_violations_total{rule="workstations-to-pacs",src_zone="workstations",dst_zone="pacs"}`: 1,
		`sum(wardwatch_policy_violations_total)`:       2,
		`wardwatch_capture_packets_total`:              4721,
		`sum(wardwatch_assets{class="infusion-pump"})`: 13,
		`wardwatch_config_last_reload_successful`:      1,
		// Every step of the store's flushes is a series, and the
		// flushes that wrote the violations took time to commit.
		`count(wardwatch_store_flush_step_seconds_total)`:                    14,
		`count(wardwatch_store_flush_step_seconds_total{step="commit"} > 0)`: 1,
	}
	for q, w := range want {
		for {
			v, ok := query(q)
			if ok && v == w {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("Prometheus never answered %s = %v (last %v, ok=%v)\nwardwatch: %s\nprometheus: %s", q, w, v, ok,
					tail(wwErr.String()), tail(promOut.String()))
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
}

func mustAbs(tb testing.TB, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}
