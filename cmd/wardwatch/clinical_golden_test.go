package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/store"
)

// clinicalCaptures pin the DICOM and HL7 facts, device classes and evidence
// the clinical captures yield. Spot-checked by hand with tshark:
//   - tapirx/dicom_arq_1_find_testclient.pcap (-d tcp.port==104,dicom): calling AE
//     "testclient", called "testserver", impl version GODICOM_1_1, four
//     query/worklist abstract syntaxes; BSD loopback, so keyed by IP 127.0.0.1.
//   - tapirx/HL7-ADT.pcap, HL7-ORU.pcap, ndpi/hl7.pcap (-d tcp.port==6661,hl7):
//     MSH-3/4 SENDING_APPLICATION/SENDING_FACILITY (SendingApp/SendingFac in
//     the ORU) to RECEIVING_APPLICATION/RECEIVING_FACILITY, MSH-9 ADT^A01 /
//     ORU^R01, version 2.3, the ACK from the receiver with MSA-1 AA.
//   - testdata/demo.pcap: the project's own hospital (CT_SCANNER1 proposing CT
//     Image Storage to PACS_MAIN, ALARIS_GW ORU^R01 with PUMP-00xx equipment
//     ids to HL7_ENGINE).
var clinicalCaptures = []string{
	"tapirx/dicom_arq_1_find_testclient.pcap",
	"tapirx/HL7-ADT.pcap",
	"tapirx/HL7-ORU.pcap",
	"ndpi/hl7.pcap",
	"demo",
}

func TestClinicalGolden(t *testing.T) {
	root := sharedPcaps(t)
	for _, c := range clinicalCaptures {
		name := strings.NewReplacer("/", "__").Replace(c)
		path := filepath.Join(root, c)
		if c == "demo" {
			path = filepath.Join("..", "..", "testdata", "demo.pcap")
		}
		t.Run(name, func(t *testing.T) {
			db := replayGolden(t, path)
			checkGolden(t, filepath.Join("testdata", "golden", "clinical__"+name+".jsonl"), dumpClinical(t, db), "TestClinicalGolden")
		})
	}
}

// dumpClinical writes, per asset that has DICOM or HL7 facts, one JSON line
// with its identity, class and evidence and the facts.
func dumpClinical(tb testing.TB, path string) []byte {
	tb.Helper()
	db, err := store.OpenReadOnly(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	assets, err := db.Assets(ctx, store.AssetFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	for _, a := range assets {
		dic, err := db.DICOM(ctx, a.ID)
		if err != nil {
			tb.Fatal(err)
		}
		h7, err := db.HL7(ctx, a.ID)
		if err != nil {
			tb.Fatal(err)
		}
		if len(dic) == 0 && len(h7) == 0 {
			continue
		}
		ev, err := db.Evidence(ctx, a.ID)
		if err != nil {
			tb.Fatal(err)
		}
		type dicomLine struct {
			Role, AETitle, PeerAETitle, ImplClassUID, ImplVersion, LastResult string
			MaxPDU                                                            uint32
			SOPClasses, Commands                                              []string
		}
		type hl7Line struct {
			Role, Application, Facility, PeerApplication, PeerFacility, Version string
			Messages, AcksSent                                                  uint64
			Types, Equipment                                                    []string
		}
		var dl []dicomLine
		for _, d := range dic {
			l := dicomLine{Role: d.Role, AETitle: d.AETitle, PeerAETitle: d.PeerAETitle, ImplClassUID: d.ImplClassUID,
				ImplVersion: d.ImplVersion, LastResult: d.LastResult, MaxPDU: d.MaxPDU, SOPClasses: []string{}, Commands: []string{}}
			for _, s := range d.SOPClasses {
				l.SOPClasses = append(l.SOPClasses, s.UID)
			}
			for _, c := range d.Commands {
				l.Commands = append(l.Commands, c.Name+" "+c.SOPClass)
			}
			dl = append(dl, l)
		}
		var hl []hl7Line
		for _, h := range h7 {
			l := hl7Line{Role: h.Role, Application: h.Application, Facility: h.Facility, PeerApplication: h.PeerApplication,
				PeerFacility: h.PeerFacility, Version: h.Version, Messages: h.Messages, AcksSent: h.AcksSent, Types: []string{}, Equipment: []string{}}
			for _, m := range h.MessageTypes {
				l.Types = append(l.Types, m.Type)
			}
			for _, e := range h.Equipment {
				l.Equipment = append(l.Equipment, e.ID)
			}
			hl = append(hl, l)
		}
		var evl []string
		for _, e := range ev {
			evl = append(evl, string(e.Source)+"="+e.Value+" ("+e.Rule+")")
		}
		rec := toRecord(a)
		line, _ := json.Marshal(map[string]any{
			"asset": map[string]any{"vlan": rec.VLAN, "mac": rec.MAC, "ips": rec.IPs, "class": rec.Class,
				"hostname": rec.Hostname, "vendor": rec.Vendor},
			"manufacturer": a.Manufacturer, "model": a.Model, "os": a.OS, "confidence": a.ClassConfidence,
			"evidence": evl, "dicom": dl, "hl7": hl,
		})
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}
