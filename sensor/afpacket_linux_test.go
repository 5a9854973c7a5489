//go:build linux

package sensor

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
	"time"
)

// TestLiveSnaplen: capture.snaplen is the most bytes kept of a frame, as
// the config documents (TPACKET_V3 itself would keep up to a block).
func TestLiveSnaplen(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_NET_RAW) for an AF_PACKET socket on lo")
	}
	const snaplen = 64
	src, err := OpenLive(LiveOptions{Interface: "lo", RingSize: 1 << 20, BlockSize: 1 << 20,
		Snaplen: snaplen, PollTimeout: 20 * time.Millisecond})
	if err != nil {
		t.Skip(err)
	}
	defer src.Close()
	conn, err := net.Dial("udp", "127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	marker := []byte(fmt.Sprintf("ww-snap-%06d", os.Getpid()%1000000))
	payload := append(append([]byte(nil), marker...), bytes.Repeat([]byte{'x'}, 500)...)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		conn.Write(payload)
		for i := 0; i < 20; i++ {
			data, ci, err := src.ReadPacket()
			if errors.Is(err, ErrTimeout) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, marker) {
				continue
			}
			if len(data) != snaplen || ci.CaptureLength != snaplen || ci.Length < 14+20+8+len(payload) {
				t.Fatalf("captured %d bytes (CaptureLength %d, Length %d), want %d of a %d-byte frame",
					len(data), ci.CaptureLength, ci.Length, snaplen, 14+20+8+len(payload))
			}
			return
		}
	}
	t.Fatal("the datagram was not captured")
}
