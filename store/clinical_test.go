package store

import (
	"bytes"
	"context"
	"database/sql"
	"net/netip"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

func dicomObs(k model.AssetKey, t time.Time, d model.DICOMInfo) model.Observation {
	return model.Observation{Kind: model.ObsDICOM, Key: k, Time: t, DICOM: &d}
}

func hl7Obs(k model.AssetKey, t time.Time, h model.HL7Info) model.Observation {
	return model.Observation{Kind: model.ObsHL7, Key: k, Time: t, HL7: &h}
}

const (
	uidCT      = "1.2.840.10008.5.1.4.1.1.2"
	uidMR      = "1.2.840.10008.5.1.4.1.1.4"
	uidCR      = "1.2.840.10008.5.1.4.1.1.1"
	uidCommit  = "1.2.840.10008.1.20.1"
	uidVerify  = "1.2.840.10008.1.1"
	uidContext = "1.2.840.10008.3.1.1.1"
)

func TestDICOMFacts(t *testing.T) {
	db, _ := newDB(t)
	ct := key(t, "00:1b:63:00:00:01")
	pacs := key(t, "00:1b:63:00:00:02")
	scu := model.DICOMInfo{Role: "scu", AETitle: "CT01  ", PeerAETitle: "PACS\x00", PeerIP: netip.MustParseAddr("::ffff:10.0.10.20"),
		Port: 104, ApplicationContext: uidContext, SOPClasses: []string{uidCT, uidVerify, uidCT},
		TransferSyntaxes: []string{"1.2.840.10008.1.2.1"}, ImplClassUID: "1.2.840.113619.6.374", ImplVersion: "GE_CT_1",
		MaxPDU: 16384, Commands: []model.DICOMCommand{{Name: "C-STORE-RQ", SOPClass: uidCT}, {Name: "C-ECHO-RQ"}}, Result: "released", NewAssociation: true}
	scu2 := scu
	scu2.ImplVersion, scu2.MaxPDU, scu2.Result = "", 0, "aborted" // empty fields keep the stored values
	rejected := model.DICOMInfo{Role: "scp", AETitle: "PACS", PeerAETitle: "CT01", PeerIP: netip.MustParseAddr("10.0.10.5"),
		Port: 104, SOPClasses: []string{uidMR}, Result: "rejected", NewAssociation: true}
	accepted := rejected
	accepted.SOPClasses, accepted.Result, accepted.Commands = []string{uidCT, uidCommit}, "accepted",
		[]model.DICOMCommand{{Name: "C-STORE-RSP", SOPClass: uidCT}}
	mustSubmit(t, db,
		dicomObs(ct, t0, scu),
		dicomObs(ct, t0.Add(time.Minute), scu2),
		dicomObs(pacs, t0, rejected),
		dicomObs(pacs, t0.Add(time.Minute), accepted),
	)
	ctx := context.Background()
	got, err := db.DICOM(ctx, assetID(t, db, ct))
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	want := []DICOMFact{{Role: "scu", AETitle: "CT01", PeerAETitle: "PACS", PeerIP: netip.MustParseAddr("10.0.10.20"),
		Port: 104, ApplicationContext: uidContext, ImplClassUID: "1.2.840.113619.6.374", ImplVersion: "GE_CT_1",
		MaxPDU: 16384, FirstSeen: t0, LastSeen: at(time.Minute), Associations: 2, LastResult: "aborted",
		SOPClasses: []DICOMSOPClass{{uidVerify, t0, at(time.Minute)}, {uidCT, t0, at(time.Minute)}}, // by first seen, then UID
		Commands: []DICOMCommand{{model.DICOMCommand{Name: "C-ECHO-RQ", Count: 2}, at(time.Minute)},
			{model.DICOMCommand{Name: "C-STORE-RQ", SOPClass: uidCT, Count: 2}, at(time.Minute)}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DICOM(ct):\n got %+v\nwant %+v", got, want)
	}
	got, err = db.DICOM(ctx, assetID(t, db, pacs))
	if err != nil || len(got) != 1 {
		t.Fatalf("DICOM(pacs) = %+v, %v", got, err)
	}
	// The rejected association's MR is not an accepted SOP class.
	if p := got[0]; p.Associations != 2 || p.LastResult != "accepted" || len(p.SOPClasses) != 2 ||
		p.SOPClasses[0].UID != uidCommit || p.SOPClasses[1].UID != uidCT || !p.SOPClasses[0].FirstSeen.Equal(at(time.Minute)) ||
		len(p.Commands) != 1 || p.Commands[0].Name != "C-STORE-RSP" {
		t.Errorf("DICOM(pacs) = %+v", p)
	}
	// AE titles reach the class index and ClassOf.
	if c, ae, ok := db.Classes().Lookup(ct); !ok || c != model.ClassUnknown || ae != "CT01" {
		t.Errorf("Classes().Lookup(ct) = %q, %q, %v", c, ae, ok)
	}
	if c, ae := db.ClassOf(ctx, pacs); c != model.ClassUnknown || ae != "PACS" {
		t.Errorf("ClassOf(pacs) = %q, %q", c, ae)
	}
	if c, ae := db.ClassOf(ctx, key(t, "00:1b:63:00:00:99")); c != "" || ae != "" {
		t.Errorf("ClassOf(missing) = %q, %q", c, ae)
	}
	if d, err := db.DICOM(ctx, 9999); err != nil || d != nil {
		t.Errorf("DICOM(missing) = %+v, %v", d, err)
	}
}

func TestHL7Facts(t *testing.T) {
	db, _ := newDB(t)
	gw := key(t, "00:1b:63:00:00:01")
	eng := key(t, "00:1b:63:00:00:02")
	engIP, gwIP := netip.MustParseAddr("10.0.10.30"), netip.MustParseAddr("10.0.10.6")
	oru := model.HL7Info{Role: "sender", Application: "PUMPGW", Facility: "ICU", PeerApplication: "ENGINE",
		PeerFacility: "HOSP", PeerIP: engIP, Port: 2575, MessageType: "ORU^R01", Version: "2.6",
		EquipmentIDs: []string{"PUMP-0001", "PUMP-0002", "PUMP-0001"}}
	adt := oru
	adt.MessageType, adt.EquipmentIDs, adt.Version = "ADT^A01", nil, "2.5.1"
	// The engine's view: it received the ORU and acknowledged it.
	recv := oru
	recv.Role, recv.Application, recv.Facility, recv.PeerApplication, recv.PeerFacility, recv.PeerIP =
		"receiver", "ENGINE", "HOSP", "PUMPGW", "ICU", gwIP
	ackSent := model.HL7Info{Role: "sender", Application: "ENGINE", Facility: "HOSP", PeerApplication: "PUMPGW",
		PeerFacility: "ICU", PeerIP: gwIP, Port: 2575, MessageType: "ACK^R01", Version: "2.6", AckCode: "AA"}
	// The gateway's view of that ACK: a message it received.
	ackRecv := ackSent
	ackRecv.Role, ackRecv.Application, ackRecv.Facility, ackRecv.PeerApplication, ackRecv.PeerFacility, ackRecv.PeerIP =
		"receiver", "PUMPGW", "ICU", "ENGINE", "HOSP", engIP
	mustSubmit(t, db,
		hl7Obs(gw, t0, oru), hl7Obs(gw, t0.Add(time.Second), oru), hl7Obs(gw, t0.Add(2*time.Second), adt),
		hl7Obs(gw, t0.Add(3*time.Second), ackRecv),
		hl7Obs(eng, t0, recv), hl7Obs(eng, t0.Add(time.Second), ackSent), hl7Obs(eng, t0.Add(2*time.Second), ackSent),
	)
	ctx := context.Background()
	got, err := db.HL7(ctx, assetID(t, db, gw))
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) time.Time { return t0.Add(d * time.Second) }
	want := []HL7Fact{
		{Role: "sender", Application: "PUMPGW", Facility: "ICU", PeerApplication: "ENGINE", PeerFacility: "HOSP",
			PeerIP: engIP, Port: 2575, Version: "2.5.1", FirstSeen: t0, LastSeen: at(2), Messages: 3,
			MessageTypes: []HL7MessageType{{"ORU^R01", 2, t0, at(1)}, {"ADT^A01", 1, at(2), at(2)}},
			Equipment:    []HL7Equipment{{"PUMP-0001", t0, at(1)}, {"PUMP-0002", t0, at(1)}}},
		{Role: "receiver", Application: "PUMPGW", Facility: "ICU", PeerApplication: "ENGINE", PeerFacility: "HOSP",
			PeerIP: engIP, Port: 2575, Version: "2.6", FirstSeen: at(3), LastSeen: at(3), Messages: 1,
			MessageTypes: []HL7MessageType{{"ACK^R01", 1, at(3), at(3)}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("HL7(gw):\n got %+v\nwant %+v", got, want)
	}
	got, err = db.HL7(ctx, assetID(t, db, eng))
	if err != nil {
		t.Fatal(err)
	}
	// The engine's acks are counted on its receiver row, not as messages.
	want = []HL7Fact{{Role: "receiver", Application: "ENGINE", Facility: "HOSP", PeerApplication: "PUMPGW",
		PeerFacility: "ICU", PeerIP: gwIP, Port: 2575, Version: "2.6", FirstSeen: t0, LastSeen: at(2), Messages: 1,
		AcksSent: 2, MessageTypes: []HL7MessageType{{"ORU^R01", 1, t0, t0}},
		Equipment: []HL7Equipment{{"PUMP-0001", t0, t0}, {"PUMP-0002", t0, t0}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("HL7(engine):\n got %+v\nwant %+v", got, want)
	}
	if tot, err := db.Totals(ctx); err != nil || tot.HL7Apps != 3 || tot.DICOMAEs != 0 {
		t.Errorf("Totals = %+v, %v", tot, err)
	}
}

// The fields of DICOMInfo and HL7Info the store keeps, and the ones it
// drops. A field added to the model fails this test until it is put in one
// list (and, if kept, in the migration's documentation).
var (
	dicomKept = []string{"Role", "AETitle", "PeerAETitle", "PeerIP", "Port", "ApplicationContext", "SOPClasses", "ImplClassUID", "ImplVersion", "MaxPDU", "Commands", "Result",
		"NewAssociation"} // counts only
	hl7Counts    = []string{"Count"}
	dicomDropped = []string{"TransferSyntaxes"}
	hl7Kept      = append([]string{"Role", "Application", "Facility", "PeerApplication", "PeerFacility", "PeerIP", "Port", "MessageType", "Version", "EquipmentIDs"}, hl7Counts...)
	hl7Dropped   = []string{"AckCode"} // only counted (acks_sent)
)

// TestNoPHI: nothing from a DICOMInfo or HL7Info other than the documented
// fields reaches the database file, and the model carries nothing else.
func TestNoPHI(t *testing.T) {
	for _, c := range []struct {
		typ        reflect.Type
		kept, drop []string
	}{
		{reflect.TypeOf(model.DICOMInfo{}), dicomKept, dicomDropped},
		{reflect.TypeOf(model.HL7Info{}), hl7Kept, hl7Dropped},
	} {
		known := map[string]bool{}
		for _, f := range append(append([]string(nil), c.kept...), c.drop...) {
			known[f] = true
		}
		for i := 0; i < c.typ.NumField(); i++ {
			if f := c.typ.Field(i).Name; !known[f] {
				t.Errorf("%s.%s is new: decide whether the store may keep it (PHI review)", c.typ.Name(), f)
			}
		}
	}

	db, path := newDB(t)
	k := key(t, "00:1b:63:00:00:01")
	const canary = "PHI-CANARY"
	mustSubmit(t, db,
		dicomObs(k, t0, model.DICOMInfo{Role: "scu", AETitle: "CT01", PeerAETitle: "PACS",
			PeerIP: netip.MustParseAddr("10.0.10.20"), Port: 104, SOPClasses: []string{uidCT},
			TransferSyntaxes: []string{"1.2.840.10008.1.2." + canary, canary}, Result: "accepted"}),
		hl7Obs(k, t0, model.HL7Info{Role: "sender", Application: "LAB", PeerApplication: "EHR",
			MessageType: "ACK^R01", AckCode: canary}),
		hl7Obs(k, t0, model.HL7Info{Role: "receiver", Application: "LAB", PeerApplication: "EHR",
			MessageType: "ORM^O01", AckCode: canary + "-RECEIVED"}),
	)
	// Every text value of every table.
	raw := rawDB(t, path)
	tables, err := raw.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	for _, n := range names {
		rows, err := raw.Query(`SELECT * FROM "` + n + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if bytes.Contains(v, []byte(canary)) {
					t.Errorf("%s.%s holds %q", n, cols[i], v)
				}
			}
		}
		rows.Close()
	}
	raw.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// And the file itself (free pages, WAL), after the final checkpoint.
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(canary)) {
			t.Errorf("%s contains the canary at byte %d", p, bytes.Index(b, []byte(canary)))
		}
	}
}
