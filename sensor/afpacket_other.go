//go:build !linux

package sensor

import (
	"errors"
	"time"

	"github.com/gopacket/gopacket"
)

// LiveOptions configures one capture socket (Linux only).
type LiveOptions struct {
	Interface   string
	RingSize    int
	BlockSize   int
	Snaplen     int
	PollTimeout time.Duration
	Promiscuous bool
	FanoutGroup uint16
}

// LiveSource is not available on this OS.
type LiveSource struct{ FileSource }

var (
	ErrNoInterface = errors.New("no such network interface")
	ErrPermission  = errors.New("permission denied")
)

// OpenLive returns an error: live capture needs Linux AF_PACKET.
func OpenLive(o LiveOptions) (*LiveSource, error) {
	return nil, errors.New("live capture is implemented only on Linux (AF_PACKET)")
}

func ancillaryVLAN(ci *gopacket.CaptureInfo) (uint16, bool) { return 0, false }
