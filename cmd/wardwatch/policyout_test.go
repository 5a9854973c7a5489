package main

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestPolicyLearnSimulateOutput: `policy learn` says when it learned from
// no flow, and --now takes --since back from a replayed capture's end;
// `policy simulate -o json` has the API's key style.
func TestPolicyLearnSimulateOutput(t *testing.T) {
	db := demoDB(t)
	r := runMain("policy", "learn", "--db", db, "--since", "1h") // the demo is from January 2026
	if r.code != 0 || !strings.Contains(r.stderr, "learned from 0 flows") || !strings.Contains(r.stderr, "--now") {
		t.Errorf("learn with no flow in the window: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runMain("policy", "learn", "--db", db, "--since", "1h", "--now", "2026-01-05T08:10:00Z")
	if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "zones:") || !strings.Contains(r.stdout, "rules:") {
		t.Errorf("learn as of the capture's end: exit %d, stderr %q\n%s", r.code, r.stderr, r.stdout)
	}
	if r := runMain("policy", "learn", "--db", db, "--now", "yesterday"); r.code != 2 {
		t.Errorf("--now yesterday: exit %d", r.code)
	}

	r = runMain("policy", "simulate", "--policy.file", demoPolicy, "--db", db, "-o", "json")
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || r.code != 0 || len(rows) == 0 {
		t.Fatalf("simulate -o json: exit %d, %v: %s %s", r.code, err, r.stdout, r.stderr)
	}
	want := []string{"action", "bytes", "connections", "flows", "packets", "rule", "samples", "severity"}
	if got := slices.Sorted(maps.Keys(rows[0])); !slices.Equal(got, want) {
		t.Errorf("simulate keys %q, want %q", got, want)
	}
	for _, row := range rows {
		var samples []map[string]any
		if err := json.Unmarshal(row["samples"], &samples); err != nil {
			t.Fatal(err)
		}
		for _, s := range samples {
			got := slices.Sorted(maps.Keys(s))
			if !slices.Equal(got, []string{"dst", "dst_zone", "port", "proto", "src", "src_zone"}) {
				t.Errorf("sample keys %q (%v)", got, s)
			}
		}
	}
}
