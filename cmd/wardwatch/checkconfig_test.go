package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCheckConfigReferences: check-config loads everything a config refers
// to as run does, and refuses what run would refuse, naming the file and
// the line; replay (the same loader as run, without capture privileges)
// refuses the same config with the same message.
func TestCheckConfigReferences(t *testing.T) {
	policyFile, _ := filepath.Abs("../../configs/policy.yml")
	pcap, _ := filepath.Abs("../../testdata/demo.pcap")
	for _, c := range []struct {
		name string
		// files to write in the test directory, {dir} replaced by it; the
		// config is wardwatch.yml.
		files map[string]string
		want  []string // regexps the one-line error must match
	}{
		{
			name: "missing-policy-file",
			files: map[string]string{"wardwatch.yml": `capture:
  interfaces: [{name: span0}]
policy:
  file: {dir}/nope/policy.yml
`},
			want: []string{`wardwatch\.yml: line 4: policy\.file: \S+/nope/policy\.yml: no such file or directory`},
		},
		{
			name: "missing-fingerprints-dir",
			files: map[string]string{"wardwatch.yml": `capture:
  interfaces: [{name: span0}]
fingerprints:
  dir: {dir}/rules.d
`},
			want: []string{`wardwatch\.yml: line 4: fingerprints\.dir: \S+/rules\.d: no such file or directory`},
		},
		{
			name: "malformed-policy",
			files: map[string]string{
				"wardwatch.yml": "capture:\n  interfaces: [{name: span0}]\npolicy:\n  file: {dir}/policy.yml\n",
				"policy.yml":    "zones:\n  - name: pumps\n    vlans: [4095]\nrules: []\n",
			},
			want: []string{`policy\.yml: line 3: zone "pumps": vlans`},
		},
		{
			name: "malformed-rule-pack",
			files: map[string]string{
				"wardwatch.yml":     "capture:\n  interfaces: [{name: span0}]\nfingerprints:\n  dir: {dir}/rules.d\n",
				"rules.d/site.yml":  "rules:\n  - name: my-pump\n    class: not-a-class\n    match: {hostname: pump-*}\n",
				"rules.d/other.txt": "ignored: not *.yml\n",
			},
			want: []string{`rules\.d/site\.yml: line \d+: rule "my-pump": `},
		},
		{
			name: "bad-web-config",
			files: map[string]string{
				"wardwatch.yml": "capture:\n  interfaces: [{name: span0}]\nweb:\n  config_file: {dir}/web.yml\n",
				"web.yml":       "tls_server_config:\n  cert_file: x\nbasic_auth_userz:\n  alice: secret\n",
			},
			want: []string{`web config file \S+/web\.yml: .*line 3: field basic_auth_userz not found`},
		},
		{
			name: "missing-web-config",
			files: map[string]string{
				"wardwatch.yml": "capture:\n  interfaces: [{name: span0}]\nweb:\n  config_file: {dir}/web.yml\n",
			},
			want: []string{`wardwatch\.yml: line 4: web\.config_file: \S+/web\.yml: no such file or directory`},
		},
		{
			name: "bad-syslog-address",
			files: map[string]string{
				"wardwatch.yml": "capture:\n  interfaces: [{name: span0}]\nevents:\n  syslog:\n    address: siem.example:99999\n",
			},
			want: []string{`wardwatch\.yml: line 5: events\.syslog\.address: syslog: address "siem\.example:99999": .*invalid port`},
		},
		{
			name: "events-file-directory",
			files: map[string]string{
				"wardwatch.yml": "capture:\n  interfaces: [{name: span0}]\nevents:\n  file: {dir}/nope/events.json\n",
			},
			want: []string{`wardwatch\.yml: line 4: events\.file: \S+/nope/events\.json: directory \S+/nope does not exist`},
		},
		{
			name: "missing-advisories-dir",
			files: map[string]string{
				"wardwatch.yml": "capture:\n  interfaces: [{name: span0}]\nadvisories:\n  dir: {dir}/nope\n",
			},
			want: []string{`wardwatch\.yml: line 4: advisories\.dir: \S+/nope: no such file or directory`},
		},
		{
			name: "bad-syslog-format",
			files: map[string]string{
				"wardwatch.yml": "capture:\n  interfaces: [{name: span0}]\nevents:\n  syslog:\n    format: leef\n",
			},
			want: []string{`events\.syslog\.format.*"leef": want rfc5424 or cef`},
		},
		{
			// Every problem at once, each at its line.
			name: "several",
			files: map[string]string{
				"wardwatch.yml": "capture:\n  interfaces: []\npolicy:\n  file: {dir}/nope.yml\nfingerprints:\n  dir: {dir}/nope.d\n",
			},
			want: []string{`line 2: capture\.interfaces: no capture interface set`, `line 4: policy\.file: `, `line 6: fingerprints\.dir: `},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range c.files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				writeFile(t, p, []byte(strings.ReplaceAll(body, "{dir}", dir)), 0o644)
			}
			cfg := filepath.Join(dir, "wardwatch.yml")
			r := runMain("check-config", cfg)
			if r.code != 1 || r.stdout != "" {
				t.Errorf("check-config: exit %d, stdout %q; want 1 and nothing", r.code, r.stdout)
			}
			if strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("check-config: want one line, got %q", r.stderr)
			}
			for _, w := range c.want {
				if !regexp.MustCompile(w).MatchString(r.stderr) {
					t.Errorf("check-config: %q does not match %s", r.stderr, w)
				}
			}
			if c.name == "several" {
				return // replay needs no interface
			}
			// The same config, the same refusal from the daemon's loader.
			args := []string{"replay", "-q", "--config.file", cfg, "--db", filepath.Join(dir, "x.db")}
			if strings.Contains(c.name, "web") { // the web config is only read when serving
				args = append(args, "--serve", "--web.listen-address", "127.0.0.1:0")
			}
			r = runMain(append(args, pcap)...)
			if r.code == 0 {
				t.Fatalf("replay accepted the config check-config refused")
			}
			for _, w := range c.want {
				if !regexp.MustCompile(w).MatchString(r.stderr) {
					t.Errorf("replay: %q does not match %s", r.stderr, w)
				}
			}
		})
	}

	// And a good one: OK with what was loaded.
	dir := t.TempDir()
	cfg := filepath.Join(dir, "wardwatch.yml")
	writeFile(t, cfg, []byte("capture:\n  interfaces: [{name: span0}]\npolicy:\n  file: "+policyFile+"\n"), 0o644)
	r := runMain("check-config", cfg)
	if r.code != 0 || r.stderr != "" || !regexp.MustCompile(`^\S+: OK \(capture on span0; policy \S+: \d+ zones, \d+ rules; \d+ fingerprint rules\)\n$`).MatchString(r.stdout) {
		t.Errorf("check-config of a good config: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestRunRefusesReferences: run stops with exit status exitConfig (the
// unit does not restart) on a policy check-config refuses, before it opens
// anything (so without privileges); --policy.file is named as the flag.
func TestRunRefusesReferences(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "wardwatch.yml")
	writeFile(t, cfg, []byte("capture:\n  interfaces: [{name: lo}]\n"), 0o644)
	// The binary, not Main: a run that got past its checks would drop
	// the test process's privileges.
	r := runBinary(t, dir, nil, "run", "--config.file", cfg, "--db", filepath.Join(dir, "x.db"), "--policy.file", filepath.Join(dir, "nope.yml"),
		"--web.listen-address", "127.0.0.1:0")
	if r.code != exitConfig || !strings.Contains(r.stderr, "--policy.file: "+filepath.Join(dir, "nope.yml")+": no such file") {
		t.Errorf("run with a missing --policy.file: exit %d %q; want %d naming --policy.file", r.code, r.stderr, exitConfig)
	}
}
