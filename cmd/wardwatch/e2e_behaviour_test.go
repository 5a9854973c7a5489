//go:build linux

package main

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The behaviour part of TestHospitalE2E (docs/behaviour.md): the daemon
// learns baselines for e2eLearnFor; then the infusion pump does something
// it never did: it resolves a name (DNS to the router, which the policy
// allows, so no violation is added).

// e2eLearnFor is the e2e daemon's baseline.learn_for.
const e2eLearnFor = 20 * time.Second

// e2eBaselineConfig is the config section that sets it.
var e2eBaselineConfig = "baseline:\n  learn_for: " + e2eLearnFor.String() + "\n"

// driftAfterLearning waits until the pump's window has passed, then makes
// it send a DNS query. The window starts at the pump's first flow the
// sensor reports, at the latest its phone-home, which ended before sent.
func (h *hospital) driftAfterLearning(t *testing.T, sent time.Time) {
	t.Helper()
	if wait := time.Until(sent.Add(e2eLearnFor + 2*time.Second)); wait > 0 {
		time.Sleep(wait)
	}
	// The answer does not matter (the query is the change).
	out, err := h.hosts["pump01"].run(t, "node", "-e",
		`require('node:dns').promises.resolve4('ehr-app01').then(a => console.log(a.join(' ')), e => console.log(e.code))`)
	if err != nil {
		t.Errorf("pump01: DNS query: %v\n%s", err, out)
	}
}

var behaviourMetric = regexp.MustCompile(`(?m)^wardwatch_behaviour_changes_total\{class="infusion-pump",type="new-service",zone="pumps"\} (\d+)$`)

// checkE2EBehaviour: the pump's new service is a behaviour change in the
// metric, the ECS file and the events.
func checkE2EBehaviour(t *testing.T, metrics string, ecs []byte, events string) {
	t.Helper()
	if m := behaviourMetric.FindStringSubmatch(metrics); m == nil {
		t.Errorf("/metrics: no new-service change of the pump:\n%s", grepLines(metrics, "behaviour"))
	} else if n, _ := strconv.Atoi(m[1]); n < 1 {
		t.Errorf("/metrics: %s", m[0])
	}
	found := false
	for _, ln := range strings.Split(string(ecs), "\n") {
		var doc struct {
			Event struct {
				Dataset, Action string
			}
			Wardwatch struct {
				NewValue string `json:"new_value"`
			}
		}
		if json.Unmarshal([]byte(ln), &doc) == nil && doc.Event.Dataset == "wardwatch.asset" &&
			doc.Event.Action == "new-service" && strings.HasPrefix(doc.Wardwatch.NewValue, "udp/53: 10.20.0.21 -> 10.20.0.1") {
			found = true
		}
	}
	if !found {
		t.Errorf("the ECS events file has no new-service udp/53 of the pump")
	}
	var evs []struct {
		Type     string `json:"type"`
		NewValue string `json:"new_value"`
	}
	if err := json.Unmarshal([]byte(events), &evs); err != nil {
		t.Fatalf("events -o json: %v", err)
	}
	const want = "udp/53: 10.20.0.21 -> 10.20.0.1 udp/53 (dns), zones pumps -> core"
	found = false
	for _, e := range evs {
		found = found || e.Type == "new-service" && strings.HasPrefix(e.NewValue, want)
	}
	if !found {
		t.Errorf("events: no new-service %q of the pump:\n%s", want, grepLines(events, "udp/53"))
	}
}
