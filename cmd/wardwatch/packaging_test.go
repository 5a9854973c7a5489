package main

// Fast tests of the Debian packaging files (no package is built: see
// deb_test.go for that): the DEP-5 copyright against the modules the binary
// is linked from, the packaged config, the maintainer scripts run against a
// fake systemctl, logrotate, /etc/default/wardwatch, the version.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wardwatch/wardwatch/configs"
	"github.com/wardwatch/wardwatch/fingerprint/oui"
)

// upgradeMarker is where prerm notes that an upgrade stopped a running
// sensor, for postinst to start it again.
const upgradeMarker = "/run/wardwatch.restart-after-upgrade"

// debVersion is a Debian upstream version without a Debian revision.
var debVersion = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~]*$`)

// dep5 is a parsed machine-readable debian/copyright: paragraphs of fields,
// continuation lines joined with "\n".
type dep5 []map[string]string

func parseDEP5(t *testing.T, data []byte) dep5 {
	t.Helper()
	var out dep5
	para := map[string]string{}
	last := ""
	flush := func() {
		if len(para) > 0 {
			out = append(out, para)
		}
		para, last = map[string]string{}, ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
			flush()
		case line[0] == ' ' || line[0] == '\t':
			if last == "" {
				t.Fatalf("copyright line %d: continuation line outside a field", n)
			}
			para[last] += "\n" + strings.TrimSpace(line)
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok || strings.ContainsAny(k, " \t") {
				t.Fatalf("copyright line %d: not a field: %q", n, line)
			}
			if _, dup := para[k]; dup {
				t.Fatalf("copyright line %d: field %s twice in a paragraph", n, k)
			}
			para[k], last = strings.TrimSpace(v), k
		}
	}
	flush()
	return out
}

// licenceNames splits a License field's first line ("Apache-2.0 and Expat").
func licenceNames(field string) []string {
	first, _, _ := strings.Cut(field, "\n")
	return strings.FieldsFunc(strings.NewReplacer(" and ", ",", " or ", ",").Replace(first), func(r rune) bool { return r == ',' })
}

// classifyLicence names the licences a licence file's text grants.
func classifyLicence(text string) []string {
	var out []string
	if strings.Contains(text, "Apache License") && strings.Contains(text, "Version 2.0") {
		out = append(out, "Apache-2.0")
	}
	if strings.Contains(text, "Permission is hereby granted, free of charge") {
		out = append(out, "Expat")
	}
	if strings.Contains(text, "Redistribution and use in source and binary forms") {
		if strings.Contains(text, "Neither the name") {
			out = append(out, "BSD-3-clause")
		} else {
			out = append(out, "BSD-2-clause")
		}
	}
	return out
}

var licenceFile = regexp.MustCompile(`(?i)^(licen[cs]e|copying)([.-].*)?$`)

// TestDebianCopyright checks packaging/copyright: DEP-5 syntax, a licence
// text for every licence named, a paragraph for every Go module linked
// into the binary whose licences match the module's own licence files, no
// paragraph for a module no longer linked, and the IEEE data's version.
func TestDebianCopyright(t *testing.T) {
	data := readFile(t, "../../packaging/copyright")
	paras := parseDEP5(t, data)
	if len(paras) < 3 || paras[0]["Format"] != "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" {
		t.Fatalf("copyright does not start with a DEP-5 header paragraph")
	}
	for _, k := range []string{"Upstream-Name", "Source"} {
		if paras[0][k] == "" {
			t.Errorf("header has no %s", k)
		}
	}

	standalone := map[string]bool{}
	patterns := map[string][]string{} // Files pattern -> licences
	var used []string
	for i, p := range paras[1:] {
		files, lic := p["Files"], p["License"]
		switch {
		case files == "" && lic != "":
			name := strings.TrimSpace(lic[:strings.IndexByte(lic+"\n", '\n')])
			if !strings.Contains(lic, "\n") {
				t.Errorf("standalone License: %s has no text", name)
			}
			standalone[name] = true
		case files != "":
			if p["Copyright"] == "" || lic == "" {
				t.Errorf("Files: %s: needs Copyright and License", files)
			}
			names := licenceNames(lic)
			if !strings.Contains(lic, "\n") { // text given elsewhere
				used = append(used, names...)
			}
			for _, pat := range strings.Fields(files) {
				if _, dup := patterns[pat]; dup {
					t.Errorf("Files pattern %s appears twice", pat)
				}
				patterns[pat] = names
			}
		default:
			t.Errorf("paragraph %d is neither Files nor License: %v", i+2, p)
		}
	}
	for _, name := range used {
		if !standalone[name] {
			t.Errorf("licence %s is used but its text is in no standalone License paragraph", name)
		}
	}
	if _, ok := patterns["*"]; !ok {
		t.Error("no Files: * paragraph for Wardwatch itself")
	} else if !slices.Equal(patterns["*"], []string{"Apache-2.0"}) {
		t.Errorf("Files: * is %v, want Apache-2.0 (LICENSE)", patterns["*"])
	}
	if lic := readFile(t, "../../LICENSE"); !slices.Equal(classifyLicence(string(lic)), []string{"Apache-2.0"}) {
		t.Error("LICENSE is not the Apache License 2.0")
	}
	if _, ok := patterns["GOROOT/src/*"]; !ok {
		t.Error("no paragraph for the Go standard library (GOROOT/src/*)")
	}

	// The IEEE registry paragraph names the embedded snapshot.
	found := false
	for _, p := range paras {
		if strings.Contains(p["Files"], "fingerprint/oui/table.bin.gz") {
			found = true
			if !strings.Contains(p["Comment"], oui.SourceVersion) || !strings.Contains(p["Comment"], oui.SourceDate) {
				t.Errorf("the IEEE registry paragraph does not name the embedded snapshot (ieee-data %s, %s)", oui.SourceVersion, oui.SourceDate)
			}
		}
	}
	if !found {
		t.Error("no paragraph for the embedded IEEE registry (fingerprint/oui/table.bin.gz)")
	}

	// Every module linked into the binary.
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the binary's modules")
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{with .Module}}{{if not .Main}}{{.Path}}\t{{.Dir}}{{end}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	modules := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, dir, ok := strings.Cut(line, "\t"); ok {
			modules[path] = dir
		}
	}
	if len(modules) < 10 {
		t.Fatalf("go list found only %d modules: %v", len(modules), modules)
	}
	for mod, dir := range modules {
		main := "vendor/" + mod + "/*"
		if _, ok := patterns[main]; !ok {
			t.Errorf("module %s is linked into the binary but packaging/copyright has no Files: %s "+
				"(add one with the copyright lines and licence of %s)", mod, main, dir)
			continue
		}
		// The licences of its paragraphs: the main one plus those naming
		// files inside it (not those of a nested module).
		have := map[string]bool{}
		for pat, names := range patterns {
			if pat != main && !strings.HasPrefix(pat, "vendor/"+mod+"/") {
				continue
			}
			nested := false
			for other := range modules {
				if other != mod && strings.HasPrefix(other, mod+"/") && strings.HasPrefix(pat, "vendor/"+other+"/") {
					nested = true
				}
			}
			if !nested {
				for _, n := range names {
					have[n] = true
				}
			}
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Errorf("module %s: %v", mod, err)
			continue
		}
		var files []string
		for _, e := range entries {
			if !e.IsDir() && licenceFile.MatchString(e.Name()) {
				files = append(files, e.Name())
				text, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				for _, l := range classifyLicence(string(text)) {
					if !have[l] {
						t.Errorf("module %s: %s grants %s, which packaging/copyright does not list for it (it lists %v)", mod, e.Name(), l, have)
					}
				}
			}
		}
		if len(files) == 0 {
			t.Errorf("module %s has no licence file in %s", mod, dir)
		}
	}
	for pat := range patterns {
		if m, ok := strings.CutPrefix(pat, "vendor/"); ok && strings.HasSuffix(m, "/*") {
			if _, linked := modules[strings.TrimSuffix(m, "/*")]; !linked {
				t.Errorf("packaging/copyright lists %s, which is not linked into the binary any more", pat)
			}
		}
	}
}

// stagePackage runs packaging/stage.sh (what `make deb` runs) into a
// temporary directory.
func stagePackage(t *testing.T, version string) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("sh", "../../packaging/stage.sh", dir, version, "0123456789abcdef0123456789abcdef01234567", "1796212800").CombinedOutput()
	if err != nil {
		t.Fatalf("packaging/stage.sh: %v\n%s", err, out)
	}
	return dir
}

// TestPackagedConfig checks the config `make deb` installs as
// /etc/wardwatch/wardwatch.yml, and that run and check-config refuse it
// until the installer sets the capture interface.
func TestPackagedConfig(t *testing.T) {
	stage := stagePackage(t, "1.2.3")
	conf := readFile(t, filepath.Join(stage, "wardwatch.yml"))
	checkPackagedConfig(t, conf)
	checkPackagedChangelog(t, filepath.Join(stage, "changelog.gz"), "1.2.3")

	// The packaged config, its policy pointed at the repository's copy.
	policyFile, _ := filepath.Abs("../../configs/policy.yml")
	path := filepath.Join(t.TempDir(), "wardwatch.yml")
	local := bytes.ReplaceAll(conf, []byte("/etc/wardwatch/policy.yml"), []byte(policyFile))
	local = bytes.ReplaceAll(local, []byte("/var/lib/wardwatch/"), []byte(filepath.Dir(path)+"/"))
	writeFile(t, path, local, 0o600)

	r := runMain("run", "--config.file", path, "--web.listen-address", "127.0.0.1:0")
	if r.code != exitConfig {
		t.Errorf("run without an interface: exit %d, want %d (EX_CONFIG, no restart)", r.code, exitConfig)
	}
	if strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "capture.interfaces in "+path) {
		t.Errorf("run without an interface: want one line naming capture.interfaces and %s, got %q", path, r.stderr)
	}
	r = runMain("check-config", path)
	if r.code == 0 || !strings.Contains(r.stderr, "capture.interfaces") {
		t.Errorf("check-config of the packaged config: exit %d, %q; want an error naming capture.interfaces", r.code, r.stderr)
	}
	writeFile(t, path, bytes.Replace(local, []byte("  interfaces: []\n"), []byte("  interfaces: [{name: span0}]\n"), 1), 0o600)
	if r := runMain("check-config", path); r.code != 0 {
		t.Errorf("check-config of the packaged config with an interface set: exit %d: %s", r.code, r.stderr)
	}
}

// checkPackagedConfig: the packaged config is the documented example with
// run_as wardwatch, the packaged policy and no capture interface, the
// example's entry commented out, every comment kept.
func checkPackagedConfig(t *testing.T, conf []byte) {
	t.Helper()
	got, err := configs.Parse(conf, "packaged wardwatch.yml")
	if err != nil {
		t.Fatalf("packaged config: %v", err)
	}
	want, err := configs.Parse(configs.Example, "wardwatch.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Capture.Interfaces) != 0 {
		t.Errorf("packaged config captures on %v: the installer must choose the interface", got.Capture.Interfaces)
	}
	if got.Policy.File != "/etc/wardwatch/policy.yml" {
		t.Errorf("packaged policy.file %q, want the installed /etc/wardwatch/policy.yml", got.Policy.File)
	}
	if got.RunAs != (configs.RunAsConfig{User: "wardwatch", Group: "wardwatch"}) {
		t.Errorf("packaged run_as %+v, want wardwatch:wardwatch", got.RunAs)
	}
	got.Capture.Interfaces, got.Policy, got.RunAs = want.Capture.Interfaces, want.Policy, want.RunAs
	if !reflect.DeepEqual(got, want) {
		t.Errorf("packaged config differs from configs/wardwatch.yml beyond interfaces, policy and run_as:\n%+v\n%+v", *got, *want)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(conf), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	for _, l := range strings.Split(string(configs.Example), "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "#") && !lines[l] {
			t.Errorf("packaged config lost the comment %q", l)
		}
	}
	if !regexp.MustCompile(`(?m)^    # - name: \S+$`).Match(conf) {
		t.Error("packaged config does not keep the example interface entry as a comment")
	}
}

// checkPackagedChangelog: a Debian changelog whose newest entry is the
// package version.
func checkPackagedChangelog(t *testing.T, path, version string) {
	t.Helper()
	text := readGzip(t, path)
	if !strings.HasPrefix(string(text), "wardwatch ("+version+") ") {
		t.Errorf("changelog's newest entry is not version %s:\n%.200s", version, text)
	}
	if _, err := exec.LookPath("dpkg-parsechangelog"); err == nil {
		plain := filepath.Join(t.TempDir(), "changelog")
		writeFile(t, plain, text, 0o600)
		out, err := exec.Command("dpkg-parsechangelog", "-l", plain, "--all", "-S", "Version").CombinedOutput()
		if err != nil || strings.Fields(string(out))[0] != version || bytes.Contains(out, []byte("warning")) {
			t.Errorf("dpkg-parsechangelog: %v\n%s", err, out)
		}
	}
}

// readGzip returns the uncompressed content of a gzip file.
func readGzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkGrafanaProvider: the provisioning file's options.path, inside the
// extracted package at root, holds the packaged dashboard.
func checkGrafanaProvider(t *testing.T, root string) {
	t.Helper()
	var pf struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	if err := yaml.Unmarshal(readFile(t, filepath.Join(root, "usr/share/wardwatch/grafana/provisioning/dashboards/wardwatch.yml")), &pf); err != nil || len(pf.Providers) != 1 {
		t.Fatalf("grafana provider: %v %+v", err, pf)
	}
	p := pf.Providers[0].Options.Path
	dash := readFile(t, filepath.Join(root, p, "wardwatch.json"))
	if !bytes.Equal(dash, readFile(t, "../../configs/grafana/dashboards/wardwatch.json")) {
		t.Errorf("the Grafana provider's path %s does not hold the packaged dashboard", p)
	}
}

// TestGrafanaProvisioningPath: the provider file points where nfpm.yaml
// installs the dashboards.
func TestGrafanaProvisioningPath(t *testing.T) {
	var nf struct {
		Contents []struct {
			Src string `yaml:"src"`
			Dst string `yaml:"dst"`
		} `yaml:"contents"`
	}
	if err := yaml.Unmarshal(readFile(t, "../../packaging/nfpm.yaml"), &nf); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, c := range nf.Contents {
		if !strings.HasPrefix(c.Src, "configs/grafana/") {
			continue
		}
		srcs, _ := filepath.Glob(filepath.Join("../..", c.Src))
		for _, src := range srcs {
			dst := filepath.Join(root, c.Dst)
			if strings.HasSuffix(c.Dst, "/") {
				dst = filepath.Join(dst, filepath.Base(src))
			}
			os.MkdirAll(filepath.Dir(dst), 0o755)
			writeFile(t, dst, readFile(t, src), 0o644)
		}
	}
	checkGrafanaProvider(t, root)
}

// fakeSystem runs a maintainer script with every system command it calls
// replaced by a logging fake and /run/ moved into a temporary directory,
// so the script's logic runs for real without touching the host.
type fakeSystem struct {
	t   *testing.T
	dir string
}

func newFakeSystem(t *testing.T) *fakeSystem {
	dir := t.TempDir()
	f := &fakeSystem{t: t, dir: dir}
	for _, d := range []string{"bin", "run/systemd/system", "state"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	systemctl := `#!/bin/sh
echo "systemctl $*" | sed 's/ --quiet//' >> "$FAKE/log"
for a; do unit=$a; done
case "$1" in
is-active) [ -e "$FAKE/state/active" ]; exit $? ;;
start|restart) touch "$FAKE/state/active" ;;
try-restart) [ -e "$FAKE/state/active" ] && echo "systemctl (restarted)" >> "$FAKE/log" ;;
stop) rm -f "$FAKE/state/active" ;;
esac
exit 0
`
	writeFile(t, filepath.Join(dir, "bin/systemctl"), []byte(systemctl), 0o755)
	for _, c := range []string{"getent", "addgroup", "adduser", "groupadd", "useradd", "install", "chgrp", "chmod"} {
		writeFile(t, filepath.Join(dir, "bin", c), []byte("#!/bin/sh\necho \""+c+" $*\" >> \"$FAKE/log\"\n"), 0o755)
	}
	return f
}

func (f *fakeSystem) setActive(on bool) {
	p := filepath.Join(f.dir, "state/active")
	if on {
		writeFile(f.t, p, nil, 0o644)
	} else {
		os.Remove(p)
	}
}

// run runs packaging/<script> with args and returns the systemctl calls
// it made.
func (f *fakeSystem) run(script string, args ...string) []string {
	f.t.Helper()
	body := readFile(f.t, filepath.Join("../../packaging", script))
	body = bytes.ReplaceAll(body, []byte("/run/"), []byte(f.dir+"/run/"))
	path := filepath.Join(f.dir, script)
	writeFile(f.t, path, body, 0o755)
	os.Remove(filepath.Join(f.dir, "log"))
	cmd := exec.Command("sh", append([]string{path}, args...)...)
	cmd.Env = append(os.Environ(), "PATH="+filepath.Join(f.dir, "bin")+":"+os.Getenv("PATH"), "FAKE="+f.dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		f.t.Fatalf("%s %v: %v\n%s", script, args, err, out)
	}
	log, _ := os.ReadFile(filepath.Join(f.dir, "log"))
	var calls []string
	for _, l := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		if strings.HasPrefix(l, "systemctl ") {
			calls = append(calls, strings.TrimPrefix(l, "systemctl "))
		}
	}
	return calls
}

func (f *fakeSystem) marker() bool {
	_, err := os.Stat(f.dir + upgradeMarker)
	return err == nil
}

// TestMaintainerScripts runs prerm and postinst through install, upgrade
// (sensor running or stopped), failed upgrade and removal: an upgrade stops
// the sensor but never disables it and starts it again only if it ran; a
// first install starts nothing.
func TestMaintainerScripts(t *testing.T) {
	has := func(calls []string, c string) bool { return slices.Contains(calls, c) }
	t.Run("install", func(t *testing.T) {
		f := newFakeSystem(t)
		calls := f.run("postinst", "configure", "")
		if !has(calls, "daemon-reload") || len(calls) != 1 {
			t.Errorf("first install: systemctl %q, want only daemon-reload (the interface is not set yet)", calls)
		}
	})
	t.Run("upgrade-running", func(t *testing.T) {
		f := newFakeSystem(t)
		f.setActive(true)
		calls := f.run("prerm", "upgrade", "9.9.9")
		if !slices.Equal(calls, []string{"is-active wardwatch.service", "stop wardwatch.service"}) || !f.marker() {
			t.Errorf("prerm upgrade of a running sensor: systemctl %q, marker %v; want it stopped (not disabled) and the marker left", calls, f.marker())
		}
		calls = f.run("postinst", "configure", "0.1.0")
		if !slices.Equal(calls, []string{"daemon-reload", "start wardwatch.service"}) || f.marker() {
			t.Errorf("postinst after the upgrade: systemctl %q, marker %v; want it started and the marker gone", calls, f.marker())
		}
	})
	t.Run("upgrade-stopped", func(t *testing.T) {
		f := newFakeSystem(t)
		calls := f.run("prerm", "upgrade", "9.9.9")
		if !slices.Equal(calls, []string{"is-active wardwatch.service"}) || f.marker() {
			t.Errorf("prerm upgrade of a stopped sensor: systemctl %q, marker %v", calls, f.marker())
		}
		calls = f.run("postinst", "configure", "0.1.0")
		if has(calls, "start wardwatch.service") || !has(calls, "try-restart wardwatch.service") {
			t.Errorf("postinst after upgrading a stopped sensor: systemctl %q; want no start (try-restart only restarts a running one)", calls)
		}
	})
	t.Run("upgrade-aborted", func(t *testing.T) {
		f := newFakeSystem(t)
		f.setActive(true)
		f.run("prerm", "upgrade", "9.9.9")
		calls := f.run("postinst", "abort-upgrade", "9.9.9")
		if !slices.Equal(calls, []string{"start wardwatch.service"}) || f.marker() {
			t.Errorf("postinst abort-upgrade: systemctl %q; want the stopped sensor started again", calls)
		}
	})
	t.Run("remove", func(t *testing.T) {
		f := newFakeSystem(t)
		f.setActive(true)
		calls := f.run("prerm", "remove")
		if !slices.Equal(calls, []string{"stop wardwatch.service", "disable wardwatch.service"}) {
			t.Errorf("prerm remove: systemctl %q, want stop and disable", calls)
		}
	})
	for _, script := range []string{"prerm", "postinst", "postrm"} {
		body := string(readFile(t, filepath.Join("../../packaging", script)))
		for _, line := range strings.Split(body, "\n") {
			if strings.Contains(line, "disable") && !strings.HasPrefix(strings.TrimSpace(line), "#") && script != "prerm" {
				t.Errorf("%s disables the service: %q", script, line)
			}
			if strings.Contains(line, "systemctl enable") && !strings.HasPrefix(strings.TrimSpace(line), "#") {
				t.Errorf("%s enables the service: %q (the installer enables it once the interface is set)", script, line)
			}
		}
	}
}

// TestLogrotate rotates an event file with the packaged logrotate config
// (paths moved to a temporary directory): the file the daemon holds open
// is truncated in place and its content kept in the rotated copy.
func TestLogrotate(t *testing.T) {
	lr, err := exec.LookPath("logrotate")
	if err != nil {
		if lr, err = exec.LookPath("/usr/sbin/logrotate"); err != nil {
			t.Skip("no logrotate (Debian package logrotate)")
		}
	}
	conf := string(readFile(t, "../../packaging/logrotate"))
	if !strings.Contains(conf, "\tsu wardwatch wardwatch\n") {
		t.Error("packaging/logrotate does not rotate as the wardwatch user (su wardwatch wardwatch)")
	}
	// The wardwatch user exists only where the package is installed.
	dir := t.TempDir()
	conf = strings.ReplaceAll(conf, "/var/log/wardwatch/", dir+"/")
	if os.Geteuid() == 0 {
		conf = strings.ReplaceAll(conf, "su wardwatch wardwatch", "su root root")
	} else {
		conf = strings.ReplaceAll(conf, "su wardwatch wardwatch", "")
	}
	confPath := filepath.Join(t.TempDir(), "wardwatch")
	writeFile(t, confPath, []byte(conf), 0o644)
	if out, err := exec.Command(lr, "-d", "-s", filepath.Join(t.TempDir(), "state"), confPath).CombinedOutput(); err != nil || bytes.Contains(out, []byte("error:")) {
		t.Fatalf("logrotate -d packaging/logrotate: %v\n%s", err, out)
	}
	events := filepath.Join(dir, "events.json")
	f, err := os.OpenFile(events, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintln(f, `{"event":1}`)
	state := filepath.Join(t.TempDir(), "state")
	if out, err := exec.Command(lr, "-f", "-s", state, confPath).CombinedOutput(); err != nil {
		t.Fatalf("logrotate -f: %v\n%s", err, out)
	}
	fmt.Fprintln(f, `{"event":2}`) // the daemon keeps appending to its open file
	if got := string(readFile(t, events)); got != "{\"event\":2}\n" {
		t.Errorf("events.json after rotation: %q, want only the new event (copytruncate)", got)
	}
	if got := string(readFile(t, events+".1")); got != "{\"event\":1}\n" {
		t.Errorf("events.json.1: %q, want the old event", got)
	}
}

// TestDefaultFile: /etc/default/wardwatch sets ARGS empty, and every flag
// its examples show is one `wardwatch run` has.
func TestDefaultFile(t *testing.T) {
	body := string(readFile(t, "../../packaging/default"))
	if !regexp.MustCompile(`(?m)^ARGS=""$`).MatchString(body) {
		t.Error(`packaging/default does not set ARGS=""`)
	}
	help := runMainArgs("run", "-h")
	examples := regexp.MustCompile(`(?m)^#\s+ARGS="([^"]*)"$`).FindAllStringSubmatch(body, -1)
	if len(examples) == 0 {
		t.Error("packaging/default shows no example")
	}
	for _, m := range examples {
		for _, a := range strings.Fields(m[1]) {
			name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
			if !strings.Contains(help, "--"+name+" ") && !strings.Contains(help, "--"+name+"\n") {
				t.Errorf("packaging/default shows %s, which `wardwatch run` does not have", a)
			}
		}
	}
}

// TestVersionScript: packaging/version.sh gives a real Debian version.
func TestVersionScript(t *testing.T) {
	out, err := exec.Command("sh", "../../packaging/version.sh").CombinedOutput()
	if err != nil {
		t.Fatalf("packaging/version.sh: %v\n%s", err, out)
	}
	v := strings.TrimSpace(string(out))
	if !debVersion.MatchString(v) || strings.HasPrefix(v, "0.0.0") || strings.Contains(v, "dev") {
		t.Errorf("packaging/version.sh: %q is not a real Debian version", v)
	}
	top := regexp.MustCompile(`^wardwatch \(([^)]+)\)`).FindSubmatch(readFile(t, "../../packaging/changelog"))
	if top == nil {
		t.Fatal("packaging/changelog has no entry")
	}
	if !strings.HasPrefix(v, string(top[1])) && !regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+`).MatchString(v) {
		t.Errorf("version %q is neither a tag nor a snapshot of the changelog's %s", v, top[1])
	}
}

// TestBuildVersion: what `version` shows when -ldflags set nothing.
func TestBuildVersion(t *testing.T) {
	info := func(mainVersion string, settings ...string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/wardwatch/wardwatch", Version: mainVersion}}
			for i := 0; i+1 < len(settings); i += 2 {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
			}
			return bi, true
		}
	}
	rev := "0b247740be3c5f03f1659504940c428942417180"
	for _, c := range []struct {
		name         string
		ver, rev, at string
		read         func() (*debug.BuildInfo, bool)
		wantV, wantR string
	}{
		{"ldflags", "1.2.3", rev, "2026-12-02T00:00:00Z", info("(devel)"), "1.2.3", rev},
		{"go install @version", "", "", "", info("v1.2.3"), "1.2.3", ""},
		{"go build in a checkout", "", "", "", info("(devel)", "vcs.revision", rev, "vcs.time", "2026-12-02T00:00:00Z", "vcs.modified", "true"), "devel+0b247740be3c.dirty", rev},
		{"nothing known", "", "", "", info("(devel)"), "devel", ""},
		{"no build info", "", "", "", func() (*debug.BuildInfo, bool) { return nil, false }, "devel", ""},
	} {
		v, r, _ := buildVersion(c.ver, c.rev, c.at, c.read)
		if v != c.wantV || r != c.wantR {
			t.Errorf("%s: version %q revision %q, want %q %q", c.name, v, r, c.wantV, c.wantR)
		}
	}
	if out := runMainArgs("version"); !strings.HasPrefix(out, "wardwatch "+version+"\n") || !strings.Contains(out, "licence: Apache-2.0") {
		t.Errorf("version printed %q", out)
	}
}
