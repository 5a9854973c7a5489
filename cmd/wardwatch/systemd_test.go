package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const unitFile = "../../configs/systemd/wardwatch.service"

// readUnit returns the [Service] and [Unit] settings of the unit file:
// key -> values in order (a key may repeat).
func readUnit(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' || line[0] == '[' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("unit: not key=value: %q", line)
			continue
		}
		m[k] = append(m[k], v)
	}
	return m
}

// TestSystemdUnit checks the hardening the appliance relies on, setting by
// setting, so that an edit cannot quietly weaken it.
func TestSystemdUnit(t *testing.T) {
	u := readUnit(t)
	want := map[string]string{
		"Type":                     "simple",
		"User":                     "wardwatch",
		"Group":                    "wardwatch",
		"StateDirectory":           "wardwatch",
		"LogsDirectory":            "wardwatch",
		"ConfigurationDirectory":   "wardwatch",
		"AmbientCapabilities":      "CAP_NET_RAW",
		"CapabilityBoundingSet":    "CAP_NET_RAW",
		"NoNewPrivileges":          "yes",
		"ProtectSystem":            "strict",
		"ProtectHome":              "yes",
		"PrivateTmp":               "yes",
		"PrivateDevices":           "yes",
		"ProtectKernelTunables":    "yes",
		"ProtectKernelModules":     "yes",
		"ProtectKernelLogs":        "yes",
		"ProtectControlGroups":     "yes",
		"ProtectClock":             "yes",
		"ProtectHostname":          "yes",
		"RestrictNamespaces":       "yes",
		"RestrictRealtime":         "yes",
		"RestrictSUIDSGID":         "yes",
		"RestrictAddressFamilies":  "AF_PACKET AF_INET AF_INET6 AF_UNIX AF_NETLINK",
		"SystemCallFilter":         "@system-service",
		"SystemCallArchitectures":  "native",
		"MemoryDenyWriteExecute":   "yes",
		"LockPersonality":          "yes",
		"UMask":                    "0077",
		"ExecReload":               "/bin/kill -HUP $MAINPID",
		"Restart":                  "on-failure",
		"EnvironmentFile":          "-/etc/default/wardwatch",
		"RestartPreventExitStatus": strconv.Itoa(exitConfig),
		"WantedBy":                 "multi-user.target",
	}
	for k, v := range want {
		if got := u[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s=%q, want %s=%s", k, got, k, v)
		}
	}
	// Settings that would break capture or widen privileges.
	for _, k := range []string{"PrivateNetwork", "PrivateUsers", "DynamicUser", "IPAddressDeny", "NetworkNamespacePath", "RootDirectory"} {
		if v, ok := u[k]; ok {
			t.Errorf("%s=%q must not be set: the sensor needs the host's network and its SPAN interfaces", k, v)
		}
	}

	// ExecStart runs the packaged binary's daemon with flags `run` has.
	exec0 := u["ExecStart"]
	if len(exec0) != 1 {
		t.Fatalf("ExecStart %q", exec0)
	}
	args := strings.Fields(exec0[0])
	if len(args) < 2 || args[0] != "/usr/bin/wardwatch" || args[1] != "run" {
		t.Fatalf("ExecStart=%s, want /usr/bin/wardwatch run ...", exec0[0])
	}
	// The extra arguments of /etc/default/wardwatch come last, so they
	// override the unit's own.
	if args[len(args)-1] != "$ARGS" {
		t.Errorf("ExecStart=%s does not end with $ARGS (from /etc/default/wardwatch)", exec0[0])
	} else {
		args = args[:len(args)-1]
	}
	r := runMainArgs("run", "-h")
	for _, a := range args[2:] {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.Contains(r, "-"+name+" ") && !strings.Contains(r, "-"+name+"\n") {
			t.Errorf("ExecStart passes %s, which `wardwatch run` does not have", a)
		}
	}
}

// runMainArgs runs Main in-process and returns what it printed.
func runMainArgs(args ...string) string {
	var out bytes.Buffer
	Main(context.Background(), args, &out, &out)
	return out.String()
}

// TestSystemdAnalyzeSecurity runs `systemd-analyze security --offline=true`
// on the unit and records its exposure score; it must be "OK" or better,
// and systemd must not warn about any line of the unit.
func TestSystemdAnalyzeSecurity(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("no systemd-analyze (Debian package systemd)")
	}
	path, err := filepath.Abs(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("systemd-analyze", "security", "--offline=true", "--no-pager", path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "SYSTEMD_COLORS=0", "LC_ALL=C")
	if err := cmd.Run(); err != nil {
		t.Fatalf("systemd-analyze security: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "wardwatch.service") {
			t.Errorf("systemd-analyze: %s", line)
		}
	}
	m := regexp.MustCompile(`Overall exposure level for wardwatch\.service: ([0-9.]+) (\w+)`).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no overall exposure level in:\n%s", stdout.String())
	}
	score, _ := strconv.ParseFloat(m[1], 64)
	t.Logf("systemd-analyze security --offline=true: exposure %.1f %s", score, m[2])
	switch m[2] {
	case "PERFECT", "SAFE", "OK":
	default:
		t.Errorf("exposure %s %s, want OK or better:\n%s", m[1], m[2], stdout.String())
	}
	// The unit had 2.0 when written; a worse score means a setting was lost.
	if score > 2.0 {
		t.Errorf("exposure %.1f is worse than the 2.0 the unit scored when written", score)
	}
}
