package sensor

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardwatch/wardwatch/sensor/model"
)

func TestExploreClinical(t *testing.T) {
	if os.Getenv("WW_EXPLORE") == "" {
		t.Skip("set WW_EXPLORE=1")
	}
	root := sharedPcaps(t)
	files := []string{filepath.Join(root, "tapirx/dicom_arq_1_find_testclient.pcap"), filepath.Join(root, "tapirx/HL7-ADT.pcap"),
		filepath.Join(root, "tapirx/HL7-ORU.pcap"), filepath.Join(root, "ndpi/hl7.pcap"), "../testdata/demo.pcap"}
	for _, f := range files {
		c, sum, err := replayFile(t, f, Config{Tunnels: true, Streams: StreamConfig{ContentDetection: true}})
		fmt.Println("==", filepath.Base(f), err, "streams", sum.Streams)
		for _, o := range c.obs {
			switch o.Kind {
			case model.ObsDICOM:
				fmt.Printf("  dicom %s %+v\n", o.Key, *o.DICOM)
			case model.ObsHL7:
				fmt.Printf("  hl7 %s %+v\n", o.Key, *o.HL7)
			case model.ObsFlow:
				if os.Getenv("WW_EXPLORE") == "2" {
					fmt.Printf("  flow %s -> %s %d/%d %s pk=%d c=%d\n", o.Flow.ClientIP, o.Flow.ServerIP, o.Flow.Proto, o.Flow.Port, o.Flow.Service, o.Flow.Packets, o.Flow.Connections)
				}
			}
		}
	}
}
