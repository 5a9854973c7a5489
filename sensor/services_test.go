package sensor

import (
	"slices"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

// TestServiceNames: every name the well-known-port table gives a flow is
// in model.Services (what `flows --service` and the API accept).
func TestServiceNames(t *testing.T) {
	for _, proto := range []uint8{6, 17} {
		for port := range 65536 {
			if name := serviceName(proto, uint16(port)); name != "" && !slices.Contains(model.Services, name) {
				t.Errorf("serviceName(%d, %d) = %q, not in model.Services", proto, port, name)
			}
		}
	}
	if !slices.IsSorted(model.Services) {
		t.Errorf("model.Services is not sorted: %q", model.Services)
	}
}
