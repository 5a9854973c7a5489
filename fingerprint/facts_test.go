package fingerprint

import (
	"reflect"
	"testing"

	"github.com/wardwatch/wardwatch/model"
)

func TestAddDICOM(t *testing.T) {
	var f Facts
	f.AddDICOM(&model.DICOMInfo{Role: "scu", AETitle: "CT01", PeerAETitle: "PACS", SOPClasses: []string{sopCT, sopSR},
		ImplClassUID: "1.3.12.2.1107.5.1.4", ImplVersion: "SIEMENS", Commands: []model.DICOMCommand{cmd("C-STORE-RQ", sopCT)}, Result: "released"})
	f.AddDICOM(&model.DICOMInfo{Role: "scu", AETitle: "CT01", PeerAETitle: "PACS", SOPClasses: []string{sopCT, sopGSPS},
		Commands: []model.DICOMCommand{cmd("C-STORE-RQ", sopCT), cmd("C-STORE-RQ", sopGSPS)}})
	f.AddDICOM(&model.DICOMInfo{Role: "scu", AETitle: "CT01", PeerAETitle: "RIS", SOPClasses: []string{sopMWL}})
	f.AddDICOM(&model.DICOMInfo{Role: "scp", AETitle: "CT01", PeerAETitle: "WS", SOPClasses: []string{sopCT}, Result: "rejected"})
	f.AddDICOM(&model.DICOMInfo{Role: "bogus"})
	f.AddDICOM(nil)
	wantFacts := []DICOMFact{
		{Role: "scu", AETitle: "CT01", PeerAETitle: "PACS", SOPClasses: []string{sopCT, sopSR, sopGSPS},
			ImplClassUID: "1.3.12.2.1107.5.1.4", ImplVersion: "SIEMENS", Commands: []model.DICOMCommand{cmd("C-STORE-RQ", sopCT), cmd("C-STORE-RQ", sopGSPS)}},
		{Role: "scu", AETitle: "CT01", PeerAETitle: "RIS", SOPClasses: []string{sopMWL}},
		{Role: "scp", AETitle: "CT01", PeerAETitle: "WS"},
	}
	if !reflect.DeepEqual(f.DICOM, wantFacts) {
		t.Errorf("DICOM facts\n got %+v\nwant %+v", f.DICOM, wantFacts)
	}
	r := defaultEngine(t).Classify(&f)
	check(t, r, want{Class: model.ClassImagingModality, Modality: "CT", Manufacturer: "Siemens Healthineers"})
}

func TestAddHL7(t *testing.T) {
	var f Facts
	for _, peer := range []string{"LAB", "ADT", "RIS", "LAB"} {
		// The engine receives a result from peer ...
		f.AddHL7(&model.HL7Info{Role: "receiver", Application: "ENGINE", PeerApplication: peer, MessageType: "ORU^R01"})
		// ... and acknowledges it.
		f.AddHL7(&model.HL7Info{Role: "sender", Application: "ENGINE", PeerApplication: peer, MessageType: "ACK^R01", AckCode: "AA"})
	}
	f.AddHL7(&model.HL7Info{Role: "sender", Application: "ENGINE", PeerApplication: "EHR", MessageType: "ORU^R01",
		EquipmentIDs: []string{"a", "b"}})
	f.AddHL7(&model.HL7Info{Role: "sender", Application: "ENGINE", PeerApplication: "EHR", MessageType: "ORU^R01",
		EquipmentIDs: []string{"b", "c"}})
	f.AddHL7(&model.HL7Info{Role: "other"})
	f.AddHL7(nil)
	recv := func(peer string) HL7Fact {
		return HL7Fact{Role: "receiver", Application: "ENGINE", PeerApplication: peer, MessageTypes: []string{"ORU^R01"}, SentAck: true}
	}
	wantFacts := []HL7Fact{recv("LAB"), recv("ADT"), recv("RIS"),
		{Role: "sender", Application: "ENGINE", PeerApplication: "EHR", MessageTypes: []string{"ORU^R01"}, EquipmentIDs: []string{"a", "b", "c"}}}
	if !reflect.DeepEqual(f.HL7, wantFacts) {
		t.Errorf("HL7 facts\n got %+v\nwant %+v", f.HL7, wantFacts)
	}
	r := defaultEngine(t).Classify(&f)
	check(t, r, want{Class: model.ClassHL7InterfaceEngine, Confidence: 90})
}
