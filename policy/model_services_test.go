package policy

import (
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// TestModelServicesNamed: every service name a flow may carry can be used
// in a rule.
func TestModelServicesNamed(t *testing.T) {
	for _, s := range model.Services {
		if _, ok := namedServices[s]; !ok {
			t.Errorf("model.Services has %q, which is not a named service of the policy format", s)
		}
	}
}
