package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium (apt-get install chromium), or
// another Chrome, for the browser test.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowserInventory is biomed's path through the web page: the daemon
// replays the demo hospital and keeps serving; headless Chromium opens
// /ui/, filters the inventory to infusion pumps with the form, checks the
// rows against the API, opens the first pump's page and reads its
// identity, class and evidence; "/" (the keyboard shortcut) focuses the
// search field. Then the first look: the page is as of the capture's end
// (no device retired), the charts are there (SVG from the server), a
// column header sorts the table, the flows view lists the routed DICOM
// flows once with both ends named, the zone matrix highlights the
// violations, and at 800 px nothing but a table scrolls sideways
// (screenshots in $WARDWATCH_SCREENSHOTS, if set, else the test's
// temporary directory).
func TestBrowserInventory(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	chrome := chromiumPath()
	if chrome == "" {
		t.Skip("chromium not installed (apt-get install chromium; .ci/run does): skipping the browser test")
	}
	bin := wardwatchBinary(t)
	dir := t.TempDir()
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	ww := exec.Command(bin, "replay", "--serve", "-q", "--web.listen-address", fmt.Sprintf("127.0.0.1:%d", port),
		"--db", filepath.Join(dir, "demo.db"), "--policy.file", demoPolicy,
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
		case <-time.After(15 * time.Second):
			ww.Process.Kill()
			t.Error("wardwatch did not stop on SIGTERM")
		}
	}()

	// Ready once the replay is done: the API then reports the pumps.
	var pumps []string
	deadline := time.Now().Add(60 * time.Second)
	for {
		var page struct {
			Total int
			Items []struct{ MAC, Hostname string }
		}
		resp, err := http.Get(base + "/api/v1/assets?class=infusion-pump&sort=mac")
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
		}
		ready, _ := http.Get(base + "/-/ready")
		if ready != nil {
			ready.Body.Close()
		}
		if err == nil && page.Total > 0 && ready != nil && ready.StatusCode == 200 {
			for _, it := range page.Items {
				pumps = append(pumps, it.MAC)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon never served the pumps: %v\n%s", err, wwErr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // root in CI containers
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(filepath.Join(dir, "chromium-profile")),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancelCtx()
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	// The inventory, filtered to one class with the form.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/ui/"),
		chromedp.WaitVisible(chromedp.CSS(`#assets`)),
	); err != nil {
		t.Fatalf("opening the inventory: %v", err)
	}
	total, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#sum-assets`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#class`), "infusion-pump"),
		chromedp.SetValue(chromedp.CSS(`#sort`), "mac"),
		chromedp.Click(chromedp.CSS(`#apply`)),
		chromedp.WaitReady(chromedp.CSS(`#class option[value="infusion-pump"][selected]`)),
	); err != nil {
		t.Fatalf("filtering the inventory: %v", err)
	}
	countText, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#count`)))
	if err != nil {
		t.Fatal(err)
	}
	if total == "" || total == "0" {
		t.Errorf("summary shows %q devices", total)
	}
	if want := fmt.Sprintf("of %d devices", len(pumps)); !strings.Contains(countText, want) {
		t.Errorf("count line %q, want %q", countText, want)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]map[string]string](`Array.from(document.querySelectorAll("#assets tbody tr")).map(tr => ({
		mac: tr.cells[0].querySelector("a").textContent.trim(),
		href: tr.cells[0].querySelector("a").getAttribute("href"),
		cls: tr.querySelector("td.class").textContent.trim(),
		host: tr.cells[2].textContent.trim()}))`))
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, r := range rows {
		shown = append(shown, r["mac"])
		if r["cls"] != "infusion-pump" {
			t.Errorf("row %s shows class %q", r["mac"], r["cls"])
		}
	}
	if !slices.Equal(shown, pumps) {
		t.Errorf("rows %q, the API says %q", shown, pumps)
	}
	if len(rows) == 0 {
		t.Fatal("no rows")
	}

	// The first pump's page, by following its link.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#assets tbody tr:first-child td:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`#identity`)),
	); err != nil {
		t.Fatalf("opening the device page: %v", err)
	}
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return s
	}
	title, class, mac := text(`#device-title`), text(`#device-class`), text(`#mac`)
	evidence, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#evidence tbody tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(url, rows[0]["href"]) {
		t.Errorf("device page at %s, want %s", url, rows[0]["href"])
	}
	if !strings.Contains(title, rows[0]["host"]) || class != "infusion-pump" || !strings.HasPrefix(mac, rows[0]["mac"]) ||
		evidence == 0 {
		t.Errorf("device page: title %q, class %q, MAC %q, %d evidence rows; want %q, infusion-pump, %q",
			title, class, mac, evidence, rows[0]["host"], rows[0]["mac"])
	}

	// The keyboard: "/" focuses the search field (the script runs under the
	// page's Content-Security-Policy).
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/ui/"),
		chromedp.WaitVisible(chromedp.CSS(`#assets`)),
		chromedp.KeyEvent("/"),
	); err != nil {
		t.Fatal(err)
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d pumps listed; device page %q (%s)", len(rows), title, url)
	if focused != "search" {
		t.Errorf(`after "/", the focus is on %q, want the search field`, focused)
	}

	firstLook(t, ctx, base, dir)
}

// firstLook checks what a new user sees of the demo (see
// TestBrowserInventory).
func firstLook(t *testing.T, ctx context.Context, base, dir string) {
	t.Helper()
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	// As of the capture's end: the demo's devices are active, none retired.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/ui/"), chromedp.WaitVisible(chromedp.CSS(`#assets`))); err != nil {
		t.Fatal(err)
	}
	asOf := eval(`document.getElementById("as-of").getAttribute("datetime")`)
	retired := eval(`document.querySelector('a[href="/ui/?state=retired"]').textContent.trim()`)
	if !strings.HasPrefix(asOf, "2026-01-05T08:") || retired != "0 retired" {
		t.Errorf("the page is as of %q and shows %q; want the capture's end (2026-01-05 08:1x) and 0 retired", asOf, retired)
	}
	// The charts: SVG drawn on the server, a bar per class, linked.
	bars := eval(`String(document.querySelectorAll("#chart-class svg a rect").length) + " " +
		String(document.querySelectorAll("#chart-zone svg a rect").length)`)
	if bars == "0 0" || strings.HasPrefix(bars, "0 ") || strings.HasSuffix(bars, " 0") {
		t.Errorf("charts: %s bars by class and by zone", bars)
	}
	// Sorting: the Hostname header is a link; the table comes back sorted.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#assets thead th:nth-child(3) a`)),
		chromedp.WaitVisible(chromedp.CSS(`#assets thead th[aria-sort="ascending"]`)),
	); err != nil {
		t.Fatalf("sorting by hostname: %v", err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	hosts := eval(`JSON.stringify(Array.from(document.querySelectorAll("#assets tbody tr td:nth-child(3)")).map(td => td.childNodes[0] ? td.childNodes[0].textContent.trim() : ""))`)
	var names []string
	if err := json.Unmarshal([]byte(hosts), &names); err != nil || len(names) == 0 {
		t.Fatalf("hostnames %s: %v", hosts, err)
	}
	if !strings.Contains(loc, "sort=hostname") || !slices.IsSorted(names) {
		t.Errorf("after clicking Hostname: %s, hostnames %q", loc, names)
	}
	// The flows view: a routed DICOM flow once, both ends named.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/ui/flows?service=dicom"),
		chromedp.WaitVisible(chromedp.CSS(`#flows`)),
	); err != nil {
		t.Fatalf("flows view: %v", err)
	}
	flows := eval(`JSON.stringify(Array.from(document.querySelectorAll("#flows tbody tr")).map(tr => tr.cells[1].textContent.replace(/\s+/g, " ").trim() + " | " + tr.cells[2].textContent.replace(/\s+/g, " ").trim()))`)
	var flowRows []string
	if err := json.Unmarshal([]byte(flows), &flowRows); err != nil {
		t.Fatal(err)
	}
	if len(flowRows) != 4 || !strings.Contains(flows, "CT-SOMATOM-01") || !strings.Contains(flows, "PACS01") {
		t.Errorf("DICOM flows: %q, want 4 (each routed flow once) naming the CT and the PACS", flowRows)
	}
	// The zone matrix: the violating pairs highlighted and linked.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/ui/zones"),
		chromedp.WaitVisible(chromedp.CSS(`#matrix`)),
	); err != nil {
		t.Fatalf("zone matrix: %v", err)
	}
	viol := eval(`JSON.stringify(Array.from(document.querySelectorAll("#matrix td.viol")).map(td => td.getAttribute("title")))`)
	if !strings.Contains(viol, "pumps → internet") || !strings.Contains(viol, "workstations → pacs") {
		t.Errorf("highlighted cells %s, want pumps → internet and workstations → pacs", viol)
	}

	// 800 px: the page fits; only tables scroll sideways, in their box.
	shots := os.Getenv("WARDWATCH_SCREENSHOTS")
	if shots == "" {
		shots = dir
	}
	for _, page := range []struct{ name, path, wait string }{
		{"inventory", "/ui/", "#assets"}, {"flows", "/ui/flows", "#flows"}, {"zones", "/ui/zones", "#matrix"},
		{"device", "/ui/assets/00:18:65:04:85:95", "#identity"},
	} {
		err := chromedp.Do(ctx, chromedp.EmulateViewport(800, 1000), chromedp.Navigate(base+page.path),
			chromedp.WaitVisible(chromedp.CSS(page.wait)))
		var png []byte
		if err == nil {
			png, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
		}
		if err != nil {
			t.Fatalf("screenshot of %s at 800 px: %v", page.path, err)
		}
		f := filepath.Join(shots, "ui-800-"+page.name+".png")
		if err := os.WriteFile(f, png, 0o644); err != nil {
			t.Fatal(err)
		}
		if w := eval(`String(document.documentElement.scrollWidth)`); w != "800" {
			t.Errorf("%s at 800 px is %s px wide (%s)", page.path, w, f)
		}
		t.Logf("%s at 800 px: %s", page.path, f)
	}
}
