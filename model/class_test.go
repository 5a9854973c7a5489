package model

import "testing"

func TestClasses(t *testing.T) {
	seen := map[Class]bool{}
	for _, c := range Classes {
		if seen[c] || !c.Valid() {
			t.Errorf("class %q duplicated or not recognised", c)
		}
		seen[c] = true
	}
	if len(Classes) != 19 || Classes[len(Classes)-1] != ClassUnknown {
		t.Errorf("Classes = %v", Classes)
	}
	if Class("Infusion-Pump").Valid() || Class("").Valid() {
		t.Error("Valid accepts a non-class")
	}
	if n := ClassNames(); len(n) != len(Classes) || n[0] != string(ClassInfusionPump) {
		t.Errorf("ClassNames = %v", n)
	}
}

func TestEventTypes(t *testing.T) {
	seen := map[EventType]bool{}
	for _, e := range EventTypes {
		if seen[e] || !e.Valid() {
			t.Errorf("event type %q duplicated or not recognised", e)
		}
		seen[e] = true
	}
	if EventType("new_asset").Valid() {
		t.Error("Valid accepts a non-type")
	}
}

func TestDICOMCommandString(t *testing.T) {
	for _, tt := range []struct {
		c    DICOMCommand
		want string
	}{
		{DICOMCommand{Name: "C-ECHO-RQ"}, "C-ECHO-RQ"},
		{DICOMCommand{Name: "C-STORE-RQ", SOPClass: "1.2.840.10008.5.1.4.1.1.2", Count: 3}, "C-STORE-RQ 1.2.840.10008.5.1.4.1.1.2"},
	} {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.c, got, tt.want)
		}
	}
}
