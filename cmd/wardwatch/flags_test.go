package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHelpConventions: every verb's -h shows its flags with two dashes
// (one-letter ones as -o), the usage goes out whole with exit 0, and a bad
// flag is one line with a hint and exit 2, never the whole usage.
func TestHelpConventions(t *testing.T) {
	singleDash := regexp.MustCompile(`(?m)^  -[A-Za-z][\w.-]+`)
	verbsArgs := [][]string{{"policy", "check"}, {"policy", "simulate"}, {"policy", "learn"}, {"baseline", "show"},
		{"baseline", "reset"}}
	for _, v := range verbs() {
		if v.name != "policy" && v.name != "baseline" {
			verbsArgs = append(verbsArgs, []string{v.name})
		}
	}
	for _, va := range verbsArgs {
		name := strings.Join(va, " ")
		r := runMain(append(append([]string{}, va...), "-h")...)
		help := r.stdout + r.stderr
		if r.code != 0 || !strings.HasPrefix(help, "Usage: wardwatch "+name) {
			t.Errorf("%s -h: exit %d:\n%s", name, r.code, help)
		}
		if m := singleDash.FindString(help); m != "" {
			t.Errorf("%s -h shows %q with one dash:\n%s", name, m, help)
		}
		if strings.Contains(help, "hidden: ") {
			t.Errorf("%s -h shows a hidden flag:\n%s", name, help)
		}

		r = runMain(append(append([]string{}, va...), "--no-such-flag")...)
		want := "wardwatch: " + name + ": flag provided but not defined: --no-such-flag (see 'wardwatch " + name + " --help')\n"
		if r.code != 2 || r.stderr != want || r.stdout != "" {
			t.Errorf("%s --no-such-flag: exit %d, stdout %q, stderr %q; want 2 and %q", name, r.code, r.stdout, r.stderr, want)
		}
	}
	if r := runMain("assets", "--limit"); r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "flag needs an argument: --limit") {
		t.Errorf("assets --limit: exit %d %q", r.code, r.stderr)
	}
}

// TestCheckConfigHelp: check-config takes the file and nothing the check
// does not use (no --db, no log flags).
func TestCheckConfigHelp(t *testing.T) {
	r := runMain("check-config", "-h")
	flags := regexp.MustCompile(`(?m)^  (--?[\w.-]+)`).FindAllStringSubmatch(r.stdout+r.stderr, -1)
	if len(flags) != 1 || flags[0][1] != "--config.file" {
		t.Errorf("check-config -h lists %v, want only --config.file:\n%s", flags, r.stdout+r.stderr)
	}
}

// TestPolicyHelp: `policy --help` describes its sub-verbs; simulate takes
// --policy.file like every other verb, --policy stays as a hidden alias.
func TestPolicyHelp(t *testing.T) {
	r := runMain("policy", "--help")
	for _, want := range []string{"check FILE", "simulate --policy.file FILE", "learn", "wardwatch policy <subcommand> --help"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("policy --help does not describe %q:\n%s", want, r.stdout)
		}
	}
	if r := runMain("policy"); r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "wardwatch policy --help") {
		t.Errorf("policy without a subcommand: exit %d %q", r.code, r.stderr)
	}
	if r := runMain("policy", "simulate", "-h"); !strings.Contains(r.stderr+r.stdout, "--policy.file file") {
		t.Errorf("policy simulate -h:\n%s", r.stderr+r.stdout)
	}
	missing := filepath.Join(t.TempDir(), "candidate.yml")
	for _, flag := range []string{"--policy.file", "--policy"} {
		r := runMain("policy", "simulate", flag, missing, "--db", filepath.Join(t.TempDir(), "x.db"))
		if r.code != 1 || !strings.Contains(r.stderr, missing) {
			t.Errorf("policy simulate %s FILE: exit %d %q; want the file loaded (and missing)", flag, r.code, r.stderr)
		}
	}
	if r := runMain("policy", "simulate"); r.code != 2 || !strings.Contains(r.stderr, "--policy.file FILE is required") {
		t.Errorf("policy simulate without a policy: exit %d %q", r.code, r.stderr)
	}
}
