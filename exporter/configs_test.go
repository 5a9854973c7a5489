package exporter

// Tests of the shipped Prometheus rules and Grafana dashboard: they must
// only use metrics this package exports, and the rules must pass promtool.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"gopkg.in/yaml.v3"
)

const (
	rulesFile     = "../configs/prometheus/wardwatch-rules.yml"
	rulesTestFile = "../configs/prometheus/wardwatch-rules.test.yml"
	dashboardFile = "../configs/grafana/dashboards/wardwatch.json"
	providerFile  = "../configs/grafana/provisioning/dashboards/wardwatch.yml"
	runbooksFile  = "../docs/runbooks.md"
	// runbookBase is where every alert's runbook_url points, followed by
	// the alert's name in lower case (the GitHub anchor of its section).
	runbookBase = "https://github.com/wardwatch/wardwatch/blob/main/docs/runbooks.md#"
)

// synthetic are series Prometheus itself adds to every target.
var synthetic = []string{"up", "scrape_duration_seconds", "scrape_samples_scraped"}

// exportedMetrics returns every metric name a fully wired exporter
// exposes, with its type where known: the Metrics descriptors plus
// whatever the registry gathers (Go runtime and process collectors, and
// promhttp's own metrics, which the server registers as cmd wires it).
func exportedMetrics(t *testing.T) map[string]dto.MetricType {
	t.Helper()
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg, fixedSources(), Options{})
	NewServer(ServerOptions{Gatherer: reg, Registerer: reg})
	exercise(m)
	names := map[string]dto.MetricType{}
	for _, d := range describe(m) {
		names[descName(d)] = dto.MetricType_UNTYPED
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		names[mf.GetName()] = mf.GetType()
	}
	return names
}

// checkExported reports names used in expr that the exporter does not
// expose. name_bucket, _sum and _count resolve to a histogram or summary.
func checkExported(t *testing.T, exported map[string]dto.MetricType, where, expr string) {
	t.Helper()
	names := metricNames(expr)
	if len(names) == 0 {
		t.Errorf("%s: no metric in %q", where, expr)
	}
	for _, n := range names {
		if _, ok := exported[n]; ok || slices.Contains(synthetic, n) {
			continue
		}
		found := false
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			base, ok := strings.CutSuffix(n, suffix)
			if !ok {
				continue
			}
			if typ := exported[base]; typ == dto.MetricType_HISTOGRAM || (typ == dto.MetricType_SUMMARY && suffix != "_bucket") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: %s is not exported (in %q)", where, n, expr)
		}
	}
}

var (
	promqlString    = regexp.MustCompile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")
	promqlGrafVar   = regexp.MustCompile(`\$\{?[A-Za-z0-9_]+(?::[a-z]+)?\}?`)
	promqlMatchers  = regexp.MustCompile(`\{[^{}]*\}`)
	promqlRange     = regexp.MustCompile(`\[[^\[\]]*\]`)
	promqlGrouping  = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)`)
	promqlIdent     = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
	promqlKeywords  = []string{"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2"}
	promqlNumPrefix = regexp.MustCompile(`[0-9.]$`)
)

// metricNames returns the metric names a PromQL expression selects. It is
// a small lexer, not a parser: it drops strings, Grafana variables, label
// matchers, ranges and grouping label lists, then keeps the identifiers
// that are neither keywords nor function or aggregation calls.
func metricNames(expr string) []string {
	s := promqlString.ReplaceAllString(expr, `""`)
	s = promqlGrafVar.ReplaceAllString(s, "5m")
	s = promqlMatchers.ReplaceAllString(s, " ")
	s = promqlRange.ReplaceAllString(s, " ")
	s = promqlGrouping.ReplaceAllString(s, " ")
	seen := map[string]bool{}
	var names []string
	for _, loc := range promqlIdent.FindAllStringIndex(s, -1) {
		id := s[loc[0]:loc[1]]
		if promqlNumPrefix.MatchString(s[:loc[0]]) { // 1e3, 5m
			continue
		}
		if strings.HasPrefix(strings.TrimLeft(s[loc[1]:], " \t\n"), "(") { // function or aggregation
			continue
		}
		if slices.Contains(promqlKeywords, strings.ToLower(id)) || seen[id] {
			continue
		}
		seen[id] = true
		names = append(names, id)
	}
	sort.Strings(names)
	return names
}

func TestMetricNames(t *testing.T) {
	for expr, want := range map[string][]string{
		`up{job="wardwatch"} == 0`: {"up"},
		`sum by (job, instance) (rate(a_total{x="y{z}"}[5m])) / sum without (le) (rate(b_total[$__rate_interval])) > 0.01`: {"a_total", "b_total"},
		`increase(v_total[5m]) > 0 or ((v_total unless v_total offset 5m) and on (job, instance) (info offset 5m))`:        {"info", "v_total"},
		`histogram_quantile(0.99, sum by (le) (rate(h_bucket{instance=~"$instance"}[$__rate_interval]))) * 1e3`:            {"h_bucket"},
		`count(up == 1 and on (job, instance) build_info) or vector(0)`:                                                    {"build_info", "up"},
		`sum(rate(x_total[1d])) by (kind)`: {"x_total"},
	} {
		if got := metricNames(expr); !slices.Equal(got, want) {
			t.Errorf("metricNames(%q) = %v, want %v", expr, got, want)
		}
	}
}

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Record      string            `yaml:"record"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func TestRulesUseExportedMetrics(t *testing.T) {
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&rf); err != nil {
		t.Fatal(err)
	}
	exported := exportedMetrics(t)
	runbooks, err := os.ReadFile(runbooksFile)
	if err != nil {
		t.Fatal(err)
	}
	var alerts []string
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			checkExported(t, exported, r.Alert, r.Expr)
			if s := r.Labels["severity"]; s != "critical" && s != "warning" {
				t.Errorf("%s: severity %q", r.Alert, s)
			}
			for _, a := range []string{"summary", "description", "runbook_url"} {
				if r.Annotations[a] == "" {
					t.Errorf("%s: no %s annotation", r.Alert, a)
				}
			}
			if _, old := r.Annotations["runbook"]; old {
				t.Errorf("%s: annotation runbook: the convention is runbook_url", r.Alert)
			}
			if u := r.Annotations["runbook_url"]; u != runbookBase+strings.ToLower(r.Alert) {
				t.Errorf("%s: runbook_url %q, want %s%s", r.Alert, u, runbookBase, strings.ToLower(r.Alert))
			}
			if !strings.Contains(string(runbooks), "\n## "+r.Alert+"\n") {
				t.Errorf("%s: no section \"## %s\" in %s", r.Alert, r.Alert, runbooksFile)
			}
		}
	}
	want := []string{"WardwatchDown", "WardwatchCaptureStalled", "WardwatchKernelDrops", "WardwatchDecodeErrorRatio",
		"WardwatchPolicyViolation", "WardwatchPolicyViolationLowSeverity", "WardwatchCriticalDeviceSilent", "WardwatchStoreErrors",
		"WardwatchConfigReloadFailed", "WardwatchObservationsDropped", "WardwatchLimitReached", "WardwatchMACFlood",
		"WardwatchCollectorFailed", "WardwatchExporterErrors", "WardwatchAdvisoryAffectedDevices",
		"WardwatchCentralPushBehind", "WardwatchBehaviourChange", "WardwatchUnplannedChanges"}
	if !slices.Equal(alerts, want) {
		t.Errorf("alerts %v, want %v", alerts, want)
	}

	// Every alert has a unit test in the promtool test file.
	tb, err := os.ReadFile(rulesTestFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range want {
		if !strings.Contains(string(tb), "alertname: "+a+"\n") {
			t.Errorf("%s has no test in %s", a, rulesTestFile)
		}
	}
}

func TestPromtoolRules(t *testing.T) {
	promtool := lookPromtool(t)
	if promtool == "" {
		t.Skip("promtool not found in PATH (Debian: apt-get install prometheus)")
	}
	for _, args := range [][]string{
		{"check", "rules", filepath.Base(rulesFile)},
		{"test", "rules", filepath.Base(rulesTestFile)},
	} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = filepath.Dir(rulesFile)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

func TestGrafanaDashboard(t *testing.T) {
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID        string `json:"uid"`
		Title      string `json:"title"`
		Templating struct {
			List []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
		Panels []dashPanel `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	if dash.UID != "wardwatch-overview" {
		t.Errorf("uid %q, want wardwatch-overview", dash.UID)
	}
	hasDS := false
	for _, v := range dash.Templating.List {
		if v.Name == "datasource" {
			hasDS = v.Type == "datasource" && v.Query == "prometheus"
		}
	}
	if !hasDS {
		t.Error(`no "datasource" template variable of type datasource for prometheus`)
	}

	exported := exportedMetrics(t)
	used := map[string]bool{}
	var walk func(ps []dashPanel)
	n := 0
	walk = func(ps []dashPanel) {
		for _, p := range ps {
			if p.Type == "row" {
				walk(p.Panels)
				continue
			}
			n++
			if p.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q: datasource %q, want ${datasource}", p.Title, p.Datasource.UID)
			}
			if len(p.Targets) == 0 {
				t.Errorf("panel %q has no targets", p.Title)
			}
			for _, tg := range p.Targets {
				if tg.Datasource.UID != "${datasource}" {
					t.Errorf("panel %q target %s: datasource %q", p.Title, tg.RefID, tg.Datasource.UID)
				}
				checkExported(t, exported, "panel "+p.Title, tg.Expr)
				for _, name := range metricNames(tg.Expr) {
					used[name] = true
				}
			}
		}
	}
	walk(dash.Panels)
	if n == 0 {
		t.Fatal("dashboard has no panels")
	}
	for _, m := range []string{
		"wardwatch_policy_violations_total", "wardwatch_assets", "wardwatch_asset_events_total",
		"wardwatch_capture_kernel_drops_total", "wardwatch_decode_errors_total", "wardwatch_capture_packets_total",
		"wardwatch_store_flush_duration_seconds_bucket", "wardwatch_advisory_matched_assets",
	} {
		if !used[m] {
			t.Errorf("no panel shows %s", m)
		}
	}
	if !strings.Contains(string(b), `increase(wardwatch_asset_events_total{type=\"new-device\"`) {
		t.Error("no new-assets-per-day panel")
	}
}

type dashPanel struct {
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		RefID      string `json:"refId"`
		Expr       string `json:"expr"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
	} `json:"targets"`
	Panels []dashPanel `json:"panels"`
}

func TestGrafanaProvisioning(t *testing.T) {
	b, err := os.ReadFile(providerFile)
	if err != nil {
		t.Fatal(err)
	}
	var pf struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name    string `yaml:"name"`
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	if err := yaml.Unmarshal(b, &pf); err != nil {
		t.Fatal(err)
	}
	if pf.APIVersion != 1 || len(pf.Providers) != 1 || pf.Providers[0].Type != "file" || !filepath.IsAbs(pf.Providers[0].Options.Path) {
		t.Errorf("provider file: %+v", pf)
	}
}
