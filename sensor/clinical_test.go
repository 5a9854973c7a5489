package sensor

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/sensor/dicom"
)

func clinicalCfg() Config {
	return Config{Tunnels: true, Streams: StreamConfig{ContentDetection: true}}
}

// TestDICOMStream: the tapirx C-FIND association over BSD loopback
// (tshark -d tcp.port==104,dicom: calling AE "testclient", called
// "testserver", implementation version GODICOM_1_1, four proposed
// contexts: Patient/Study/Patient-Study-only Root FIND and Modality Worklist).
func TestDICOMStream(t *testing.T) {
	root := sharedPcaps(t)
	c, sum, err := replayFile(t, filepath.Join(root, "tapirx/dicom_arq_1_find_testclient.pcap"), clinicalCfg())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Streams != 1 {
		t.Errorf("streams = %d", sum.Streams)
	}
	d := obsOf(c, model.ObsDICOM)
	if len(d) < 2 {
		t.Fatalf("dicom observations: %d", len(d))
	}
	scu, scp := d[len(d)-2], d[len(d)-1]
	if scu.DICOM.Role != "scu" || scu.DICOM.AETitle != "testclient" || scu.DICOM.PeerAETitle != "testserver" ||
		scu.DICOM.ImplVersion != "GODICOM_1_1" || scu.Key.String() != "test/vlan0/ip:127.0.0.1" {
		t.Errorf("scu: %s %+v", scu.Key, scu.DICOM)
	}
	want := []string{"1.2.840.10008.5.1.4.1.2.1.1", "1.2.840.10008.5.1.4.1.2.2.1", "1.2.840.10008.5.1.4.1.2.3.1", "1.2.840.10008.5.1.4.31"}
	if !slices.Equal(scu.DICOM.SOPClasses, want) {
		t.Errorf("proposed: %q", scu.DICOM.SOPClasses)
	}
	if scp.DICOM.Role != "scp" || scp.DICOM.AETitle != "testserver" {
		t.Errorf("scp: %+v", scp.DICOM)
	}
}

// TestHL7Stream: ndpi/hl7.pcap carries ADT^A01 + ACK on tcp/6661, a port
// not configured for HL7, so content detection must find it. It also carries
// a fictional patient (MOUSE^MICKEY): nothing of it may reach an observation.
func TestHL7Stream(t *testing.T) {
	root := sharedPcaps(t)
	c, _, err := replayFile(t, filepath.Join(root, "ndpi/hl7.pcap"), clinicalCfg())
	if err != nil {
		t.Fatal(err)
	}
	h := obsOf(c, model.ObsHL7)
	if len(h) != 4 {
		t.Fatalf("hl7 observations: %d", len(h))
	}
	if h[0].HL7.Role != "sender" || h[0].HL7.Application != "SENDING_APPLICATION" || h[0].HL7.Facility != "SENDING_FACILITY" ||
		h[0].HL7.MessageType != "ADT^A01" || h[0].HL7.Version != "2.3" || h[0].HL7.PeerApplication != "RECEIVING_APPLICATION" {
		t.Errorf("sender: %+v", h[0].HL7)
	}
	if h[2].HL7.AckCode != "AA" || h[2].HL7.Application != "RECEIVING_APPLICATION" {
		t.Errorf("ack: %+v", h[2].HL7)
	}
	var all strings.Builder
	for _, o := range c.obs {
		fmt.Fprintf(&all, "%+v %+v %+v %+v\n", o, o.HL7, o.DICOM, o.Flow)
	}
	for _, canary := range []string{"MOUSE", "MICKEY", "Mickey", "DISNEY", "123-45"} {
		if strings.Contains(all.String(), canary) {
			t.Errorf("PHI canary %q reached an observation", canary)
		}
	}
	// Without content detection nothing is followed on 6661.
	c, _, _ = replayFile(t, filepath.Join(root, "ndpi/hl7.pcap"), Config{})
	if n := len(obsOf(c, model.ObsHL7)); n != 0 {
		t.Errorf("content detection off: %d hl7 observations", n)
	}
}

// TestFlows: direction from SYN, server port and service names.
func TestFlows(t *testing.T) {
	root := sharedPcaps(t)
	c, _, err := replayFile(t, filepath.Join(root, "tapirx/HL7-ORU.pcap"), clinicalCfg())
	if err != nil {
		t.Fatal(err)
	}
	fl := obsOf(c, model.ObsFlow)
	if len(fl) == 0 {
		t.Fatal("no flows")
	}
	f := fl[0].Flow
	// tshark: 10.0.0.155:<ephemeral> -> 10.0.0.126:6661 starts with a SYN.
	if f.ClientIP.String() != "10.0.0.155" || f.ServerIP.String() != "10.0.0.126" || f.Port != 6661 || f.Proto != 6 || f.Connections != 1 {
		t.Errorf("flow: %+v", f)
	}
	var pk uint64
	for _, o := range fl {
		pk += o.Flow.Packets
	}
	if pk != 11 {
		t.Errorf("flow packets = %d, want 11 (every frame)", pk)
	}
}

// The sensor reports an association's state by its name: the one the store
// and fingerprint compare with must be the decoder's.
func TestDICOMResultNames(t *testing.T) {
	if got := dicom.StateRejected.String(); got != model.DICOMRejected {
		t.Errorf("StateRejected = %q, model.DICOMRejected = %q", got, model.DICOMRejected)
	}
}
