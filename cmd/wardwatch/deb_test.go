//go:build linux

package main

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/configs"
)

// TestDebPackage builds the Debian package with `make deb` (nfpm through
// `go run`, so the first run downloads and builds nfpm), checks its
// control fields, file list, conffiles, maintainer scripts and files, runs
// the packaged binary, and, as root, installs it into a throwaway root (an
// overlay of / in a private mount namespace) and starts the daemon there as
// the unit would and as root.
func TestDebPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the Debian package")
	}
	for _, tool := range []string{"make", "dpkg-deb", "gzip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s", tool)
		}
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dist := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "-C", repo, "deb", "DIST="+dist)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if regexp.MustCompile(`dial tcp|proxy\.golang\.org|no such host|connection refused|i/o timeout`).Match(out) {
			t.Skipf("make deb cannot reach the Go module proxy for nfpm:\n%s", out)
		}
		t.Fatalf("make deb: %v\n%s", err, out)
	}
	t.Logf("make deb: %s", time.Since(start).Round(time.Millisecond))
	debs, _ := filepath.Glob(filepath.Join(dist, "wardwatch_*.deb"))
	if len(debs) != 1 {
		t.Fatalf("make deb made %v, want one wardwatch_*.deb\n%s", debs, out)
	}
	deb := debs[0]
	t.Logf("package %s", filepath.Base(deb))

	t.Run("control", func(t *testing.T) { checkDebControl(t, deb) })
	root := filepath.Join(dist, "x")
	t.Run("contents", func(t *testing.T) { checkDebContents(t, deb, repo, root) })
	t.Run("install", func(t *testing.T) { checkDebInstall(t, deb) })
}

func debRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func checkDebControl(t *testing.T, deb string) {
	fields := map[string]string{}
	for _, f := range []string{"Package", "Version", "Architecture", "Depends", "Maintainer", "Section", "Description"} {
		fields[f] = strings.TrimSpace(debRun(t, "dpkg-deb", "-f", deb, f))
	}
	if fields["Package"] != "wardwatch" {
		t.Errorf("Package %q", fields["Package"])
	}
	if !regexp.MustCompile(`^[0-9][A-Za-z0-9.+~]*$`).MatchString(fields["Version"]) {
		t.Errorf("Version %q is not a Debian upstream version", fields["Version"])
	}
	if strings.Contains(fields["Version"], "~dev") || strings.HasPrefix(fields["Version"], "0.0.0") {
		t.Errorf("Version %q is a placeholder, not the tag or a snapshot of packaging/changelog", fields["Version"])
	}
	if want := strings.TrimSpace(debRun(t, "sh", "../../packaging/version.sh")); fields["Version"] != want {
		t.Errorf("Version %q, packaging/version.sh says %q", fields["Version"], want)
	}
	if fields["Architecture"] != runtime.GOARCH {
		t.Errorf("Architecture %q, want %q", fields["Architecture"], runtime.GOARCH)
	}
	if !strings.Contains(fields["Depends"], "libc6") {
		t.Errorf("Depends %q lacks libc6 (the binary uses cgo)", fields["Depends"])
	}
	for _, f := range []string{"Maintainer", "Section", "Description"} {
		if fields[f] == "" {
			t.Errorf("no %s", f)
		}
	}

	// File list: path -> mode and owner.
	want := map[string]string{
		"./usr/bin/wardwatch":                                                 "-rwxr-xr-x root/root",
		"./usr/lib/systemd/system/wardwatch.service":                          "-rw-r--r-- root/root",
		"./etc/wardwatch/wardwatch.yml":                                       "-rw-r----- root/root",
		"./etc/wardwatch/policy.yml":                                          "-rw-r----- root/root",
		"./etc/default/wardwatch":                                             "-rw-r--r-- root/root",
		"./etc/logrotate.d/wardwatch":                                         "-rw-r--r-- root/root",
		"./usr/share/man/man1/wardwatch.1.gz":                                 "-rw-r--r-- root/root",
		"./usr/share/doc/wardwatch/README.md":                                 "-rw-r--r-- root/root",
		"./usr/share/doc/wardwatch/copyright":                                 "-rw-r--r-- root/root",
		"./usr/share/doc/wardwatch/runbooks.md":                               "-rw-r--r-- root/root",
		"./usr/share/doc/wardwatch/changelog.gz":                              "-rw-r--r-- root/root",
		"./usr/share/wardwatch/prometheus/wardwatch-rules.yml":                "-rw-r--r-- root/root",
		"./usr/share/wardwatch/grafana/dashboards/wardwatch.json":             "-rw-r--r-- root/root",
		"./usr/share/wardwatch/grafana/provisioning/dashboards/wardwatch.yml": "-rw-r--r-- root/root",
	}
	got := map[string]string{}
	for _, line := range strings.Split(debRun(t, "dpkg-deb", "-c", deb), "\n") {
		f := strings.Fields(line)
		if len(f) >= 6 {
			got[f[len(f)-1]] = f[0] + " " + f[1]
		}
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: %q, want %q", p, got[p], w)
		}
	}
	for p := range got {
		switch {
		case strings.HasPrefix(p, "./usr/"), strings.HasPrefix(p, "./etc/wardwatch/"),
			p == "./etc/", p == "./etc/default/", p == "./etc/logrotate.d/",
			p == "./etc/default/wardwatch", p == "./etc/logrotate.d/wardwatch":
		default:
			t.Errorf("unexpected path %s in the package", p)
		}
		if strings.HasPrefix(p, "./lib/") {
			t.Errorf("%s: units belong under /usr/lib/systemd/system", p)
		}
	}

	// Control files: conffiles and maintainer scripts.
	ctrl := t.TempDir()
	debRun(t, "dpkg-deb", "-e", deb, ctrl)
	conffiles, err := os.ReadFile(filepath.Join(ctrl, "conffiles"))
	if err != nil {
		t.Fatal(err)
	}
	cf := strings.Fields(string(conffiles))
	sort.Strings(cf)
	if strings.Join(cf, " ") != "/etc/default/wardwatch /etc/logrotate.d/wardwatch /etc/wardwatch/policy.yml /etc/wardwatch/wardwatch.yml" {
		t.Errorf("conffiles %q, want the config, the policy, /etc/default/wardwatch and the logrotate file", cf)
	}
	scripts := map[string][]string{
		"postinst": {"configure)", "getent passwd wardwatch", "adduser --system", "useradd --system",
			"--no-create-home", "/usr/sbin/nologin", "install -d -o wardwatch -g wardwatch -m 0750 /var/lib/wardwatch",
			"chgrp wardwatch", "try-restart wardwatch.service", "daemon-reload", upgradeMarker},
		"prerm":  {"remove|deconfigure)", "upgrade)", "systemctl stop wardwatch.service", upgradeMarker},
		"postrm": {"purge)", "rm -rf /var/lib/wardwatch"},
	}
	for name, needles := range scripts {
		p := filepath.Join(ctrl, name)
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("no %s: %v", name, err)
			continue
		}
		if fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: mode %o, want 755", name, fi.Mode().Perm())
		}
		body, _ := os.ReadFile(p)
		if !bytes.HasPrefix(body, []byte("#!/bin/sh\n")) || !bytes.Contains(body, []byte("\nset -e\n")) {
			t.Errorf("%s does not start with #!/bin/sh and set -e", name)
		}
		for _, n := range needles {
			if !bytes.Contains(body, []byte(n)) {
				t.Errorf("%s does not contain %q", name, n)
			}
		}
		for _, sh := range []string{"sh", "dash", "bash"} {
			if _, err := exec.LookPath(sh); err == nil {
				if out, err := exec.Command(sh, "-n", p).CombinedOutput(); err != nil {
					t.Errorf("%s -n %s: %v\n%s", sh, name, err, out)
				}
			}
		}
	}
}

func checkDebContents(t *testing.T, deb, repo, root string) {
	debRun(t, "dpkg-deb", "-x", deb, root)
	same := func(inPkg, inRepo string) {
		t.Helper()
		a, err1 := os.ReadFile(filepath.Join(root, inPkg))
		b, err2 := os.ReadFile(filepath.Join(repo, inRepo))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs from %s (%v, %v)", inPkg, inRepo, err1, err2)
		}
	}
	same("usr/lib/systemd/system/wardwatch.service", "configs/systemd/wardwatch.service")
	same("etc/wardwatch/policy.yml", "configs/policy.yml")
	same("etc/default/wardwatch", "packaging/default")
	same("etc/logrotate.d/wardwatch", "packaging/logrotate")
	same("usr/share/doc/wardwatch/copyright", "packaging/copyright")
	same("usr/share/doc/wardwatch/runbooks.md", "docs/runbooks.md")
	same("usr/share/wardwatch/prometheus/wardwatch-rules.yml", "configs/prometheus/wardwatch-rules.yml")
	same("usr/share/wardwatch/grafana/provisioning/dashboards/wardwatch.yml", "configs/grafana/provisioning/dashboards/wardwatch.yml")
	checkGrafanaProvider(t, root)

	// The packaged config: the example with run_as, the policy wired and no
	// capture interface (see checkPackagedConfig).
	conf, err := os.ReadFile(filepath.Join(root, "etc/wardwatch/wardwatch.yml"))
	if err != nil {
		t.Fatal(err)
	}
	checkPackagedConfig(t, conf)
	checkPackagedChangelog(t, filepath.Join(root, "usr/share/doc/wardwatch/changelog.gz"), strings.TrimSpace(debRun(t, "dpkg-deb", "-f", deb, "Version")))

	bin := filepath.Join(root, "usr/bin/wardwatch")
	if f, err := elf.Open(bin); err != nil {
		t.Error(err)
	} else {
		if f.Type != elf.ET_DYN {
			t.Errorf("packaged binary is %v, want a position-independent executable", f.Type)
		}
		f.Close()
	}
	// check-config on the packaged config (its policy.file pointed at the
	// extracted policy): refused until the installer sets the interface.
	localConf := filepath.Join(t.TempDir(), "wardwatch.yml")
	writeFile(t, localConf, bytes.ReplaceAll(conf, []byte("/etc/wardwatch/policy.yml"), []byte(filepath.Join(root, "etc/wardwatch/policy.yml"))), 0o600)
	if out, err := exec.Command(bin, "check-config", localConf).CombinedOutput(); err == nil || !bytes.Contains(out, []byte("capture.interfaces")) {
		t.Errorf("packaged wardwatch check-config on the packaged config (no interface): %v, want an error naming capture.interfaces\n%s", err, out)
	}
	setIface := bytes.Replace(readFile(t, localConf), []byte("  interfaces: []\n"), []byte("  interfaces: [{name: lo}]\n"), 1)
	writeFile(t, localConf, setIface, 0o600)
	if out, err := exec.Command(bin, "check-config", localConf).CombinedOutput(); err != nil {
		t.Errorf("packaged wardwatch check-config on the packaged config with an interface set: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "version").CombinedOutput(); err != nil {
		t.Errorf("packaged wardwatch version: %v\n%s", err, out)
	} else {
		pkgVersion := strings.TrimSpace(debRun(t, "dpkg-deb", "-f", deb, "Version"))
		if !strings.HasPrefix(string(out), "wardwatch "+pkgVersion+"\n") || !regexp.MustCompile(`(?m)^revision: [0-9a-f]{40}`).Match(out) {
			t.Errorf("packaged wardwatch version does not say version %s and a git revision:\n%s", pkgVersion, out)
		}
	}
	help, err := exec.Command(bin, "--help").CombinedOutput()
	if err != nil {
		t.Errorf("packaged wardwatch --help: %v\n%s", err, help)
	}

	// The man page covers every verb; so does --help.
	man := readGzip(t, filepath.Join(root, "usr/share/man/man1/wardwatch.1.gz"))
	src, _ := os.ReadFile(filepath.Join(repo, "packaging/wardwatch.1"))
	if !bytes.Equal(man, src) {
		t.Error("packaged man page differs from packaging/wardwatch.1")
	}
	checkManCoversVerbs(t, string(man), string(help))
	if _, err := exec.LookPath("man"); err == nil {
		cmd := exec.Command("man", "--warnings", "-l", filepath.Join(root, "usr/share/man/man1/wardwatch.1.gz"))
		cmd.Env = append(os.Environ(), "MANWIDTH=80", "MAN_KEEP_FORMATTING=0")
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Errorf("man -l wardwatch.1.gz: %v\n%s", err, stderr.String())
		}
	}
}

// checkManCoversVerbs: every verb has a ".SS "wardwatch VERB" section in
// the man page and a line in --help.
func checkManCoversVerbs(t *testing.T, man, help string) {
	t.Helper()
	names := []string{"help"}
	for _, v := range verbs() {
		names = append(names, v.name)
	}
	for _, name := range names {
		sect := regexp.MustCompile(`(?m)^\.SS "wardwatch ` + regexp.QuoteMeta(strings.ReplaceAll(name, "-", `\-`)) + `[ "]`)
		if !sect.MatchString(man) {
			t.Errorf("man page has no section for %q", name)
		}
		if name != "help" && !regexp.MustCompile(`(?m)^  `+regexp.QuoteMeta(name)+` `).MatchString(help) {
			t.Errorf("--help does not list %q", name)
		}
	}
}

// checkDebInstall installs the package into a throwaway root: / overlaid
// with a tmpfs in a private mount namespace, so the host is untouched. It
// starts the daemon from there as wardwatch.service would (user wardwatch,
// ambient CAP_NET_RAW only, no_new_privs) and, with run_as configured, as
// root; then purges the package.
func checkDebInstall(t *testing.T, deb string) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (mount namespace, chroot)")
	}
	for _, tool := range []string{"unshare", "mount", "chroot", "setpriv", "timeout", "dpkg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s", tool)
		}
	}
	haveRunAs := bytes.Contains(configs.Example, []byte("\nrun_as:"))
	dir := t.TempDir()
	for _, d := range []string{"ovl", "root"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Setup errors before the chroot mean "no throwaway root here": skip.
	script := `
set -u
T="$1"; DEB="$2"; RUNAS="$3"; R="$T/root"
mount -t tmpfs -o mode=0755 tmpfs "$T/ovl" &&
mkdir "$T/ovl/upper" "$T/ovl/work" &&
mount -t overlay overlay -o "lowerdir=/,upperdir=$T/ovl/upper,workdir=$T/ovl/work" "$R" &&
mount -t proc proc "$R/proc" &&
mount --rbind /dev "$R/dev" &&
mount -t tmpfs tmpfs "$R/tmp" &&
mount -t tmpfs tmpfs "$R/run" &&
cp "$DEB" "$R/tmp/wardwatch.deb" || { echo "SETUP-FAILED"; exit 0; }
echo "SETUP ok"
exec chroot "$R" /bin/sh -u -c '
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
RUNAS="$1"
DB=/var/lib/wardwatch/wardwatch.db
WEB="--web.listen-address=127.0.0.1:0"
ls -d /run/systemd/system 2>/dev/null && echo "SYSTEMD-VISIBLE"
dpkg --no-triggers -i /tmp/wardwatch.deb >/tmp/dpkg.log 2>&1; echo "INSTALL $?"; cat /tmp/dpkg.log
getent passwd wardwatch | sed "s/^/PASSWD /"
stat -c "STAT %n %U:%G %a" /var/lib/wardwatch /var/log/wardwatch /etc/wardwatch /etc/wardwatch/wardwatch.yml /etc/wardwatch/policy.yml
wardwatch version >/dev/null; echo "VERSION $?"
# Fresh install: the interface is the one thing left to set.
wardwatch check-config /etc/wardwatch/wardwatch.yml >/tmp/check.log 2>&1; echo "CHECKCONFIG-FRESH $?"; sed "s/^/FRESH /" /tmp/check.log
wardwatch run --config.file=/etc/wardwatch/wardwatch.yml "$WEB" 2>/tmp/noiface.log; echo "NOIFACE $? $(wc -l </tmp/noiface.log)"; sed "s/^/NOIFACE-LOG /" /tmp/noiface.log
sed -i "s/^  interfaces: \[\]\$/  interfaces: [{name: lo}]/" /etc/wardwatch/wardwatch.yml
wardwatch check-config /etc/wardwatch/wardwatch.yml; echo "CHECKCONFIG $?"
stat -c "STAT %n %U:%G %a" /etc/default/wardwatch /etc/logrotate.d/wardwatch /usr/lib/systemd/system/wardwatch.service

# As wardwatch.service runs it: user wardwatch, CAP_NET_RAW only, the
# interface from the config.
setpriv --reuid=wardwatch --regid=wardwatch --init-groups --bounding-set=-all,+net_raw \
	--inh-caps=-all,+net_raw --ambient-caps=-all,+net_raw --no-new-privs \
	wardwatch run --config.file=/etc/wardwatch/wardwatch.yml "$WEB" 2>/tmp/unit.log &
pid=$!
for i in $(seq 50); do [ -e "$DB-shm" ] && break; sleep 0.1; done
sleep 0.5
# A member of group wardwatch reads the inventory while the daemon runs.
if [ "$RUNAS" = yes ]; then
	setpriv --reuid=nobody --regid=nogroup --groups=wardwatch wardwatch assets --db "$DB" -o csv >/tmp/assets.csv 2>&1
	echo "GROUPREAD $?"; head -3 /tmp/assets.csv
fi
kill -TERM $pid; wait $pid; echo "UNITRUN $?"; cat /tmp/unit.log
stat -c "STAT %n %U:%G %a" "$DB"

# Started as root with the packaged config: drops to run_as.
if [ "$RUNAS" = yes ]; then
	timeout --preserve-status -s TERM 3 wardwatch run --interface=lo "$WEB" 2>/tmp/root.log
	echo "ROOTRUN $?"; cat /tmp/root.log
	stat -c "STAT %n %U:%G %a" "$DB"
fi

# Upgrade path (the same version again): conffile edits survive.
dpkg --no-triggers -i /tmp/wardwatch.deb >/tmp/dpkg2.log 2>&1; echo "REINSTALL $?"; cat /tmp/dpkg2.log
grep -q "^  interfaces: \[{name: lo}\]\$" /etc/wardwatch/wardwatch.yml && echo "KEPT-IFACE"

dpkg --no-triggers --purge wardwatch >/tmp/purge.log 2>&1; echo "PURGE $?"; cat /tmp/purge.log
for p in /usr/bin/wardwatch /usr/lib/systemd/system/wardwatch.service /etc/wardwatch /var/lib/wardwatch \
	/etc/default/wardwatch /etc/logrotate.d/wardwatch; do
	[ -e "$p" ] && echo "LEFT $p"
done
exit 0
' sh "$RUNAS"
`
	runAs := "no"
	if haveRunAs {
		runAs = "yes"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", dir, deb, runAs)
	outb, err := cmd.CombinedOutput()
	out := string(outb)
	if err != nil {
		t.Fatalf("install script: %v\n%s", err, out)
	}
	if strings.Contains(out, "SETUP-FAILED") || !strings.Contains(out, "SETUP ok") {
		t.Skipf("cannot make a throwaway root (overlay mount) here:\n%s", out)
	}
	has := func(s string) bool { return strings.Contains(out, s) }
	for _, want := range []string{
		"INSTALL 0", "VERSION 0", "CHECKCONFIG 0", "UNITRUN 0", "REINSTALL 0", "KEPT-IFACE", "PURGE 0",
		fmt.Sprintf("NOIFACE %d 1\n", exitConfig),
		"PASSWD wardwatch:x:",
		"STAT /etc/default/wardwatch root:root 644",
		"STAT /etc/logrotate.d/wardwatch root:root 644",
		"STAT /usr/lib/systemd/system/wardwatch.service root:root 644",
		"STAT /var/lib/wardwatch wardwatch:wardwatch 750",
		"STAT /var/log/wardwatch wardwatch:wardwatch 750",
		"STAT /etc/wardwatch root:wardwatch 750",
		"STAT /etc/wardwatch/wardwatch.yml root:wardwatch 640",
		"STAT /etc/wardwatch/policy.yml root:wardwatch 640",
	} {
		if !has(want) {
			t.Errorf("no %q", want)
		}
	}
	if has("CHECKCONFIG-FRESH 0") || !has("capture.interfaces") {
		t.Error("check-config passed the freshly installed config, which has no capture interface")
	}
	if !regexp.MustCompile(`NOIFACE-LOG wardwatch: no capture interface set: .*capture.interfaces in /etc/wardwatch/wardwatch.yml`).MatchString(out) {
		t.Error("run without an interface did not say so in one line naming capture.interfaces and the config file")
	}
	if m := regexp.MustCompile(`PASSWD wardwatch:x:(\d+):\d+:[^:]*:/var/lib/wardwatch:/usr/sbin/nologin`).FindStringSubmatch(out); m == nil {
		t.Error("user wardwatch is not a system user with home /var/lib/wardwatch and no login shell")
	}
	if has("SYSTEMD-VISIBLE") {
		t.Error("the throwaway root sees the host's /run/systemd")
	}
	if has("LEFT ") {
		t.Errorf("purge left files: %s", regexp.MustCompile(`LEFT \S+`).FindAllString(out, -1))
	}
	if haveRunAs {
		for _, want := range []string{"GROUPREAD 0", "ROOTRUN 0", "STAT /var/lib/wardwatch/wardwatch.db wardwatch:wardwatch 640"} {
			if !has(want) {
				t.Errorf("no %q", want)
			}
		}
		if strings.Contains(out, "STAT /var/lib/wardwatch/wardwatch.db root") {
			t.Error("the root run left the database owned by root")
		}
	} else {
		t.Log("configs have no run_as section yet: root run and group read not checked")
		if !has("STAT /var/lib/wardwatch/wardwatch.db wardwatch:wardwatch 600") {
			t.Error("the unit run did not create the database as wardwatch:wardwatch 0600")
		}
	}
	if t.Failed() {
		t.Log(out)
	} else {
		t.Log(fmt.Sprintf("installed, ran and purged in a throwaway root (%d bytes of log)", len(out)))
	}
}
