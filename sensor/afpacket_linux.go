//go:build linux

package sensor

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/afpacket"
	"github.com/gopacket/gopacket/layers"
)

// LiveOptions configures one AF_PACKET capture socket. Zero fields take the
// Default* values (defaults.go).
type LiveOptions struct {
	Interface   string
	RingSize    int           // bytes; rounded down to whole blocks
	BlockSize   int           // TPACKET_V3 block size (multiple of the page size)
	Snaplen     int           // most bytes kept of a frame; the rest is cut (CaptureLength < Length)
	PollTimeout time.Duration // how long a read waits before returning ErrTimeout
	Promiscuous bool
	FanoutGroup uint16 // 0: no fanout
}

// LiveSource captures from an interface with AF_PACKET TPACKET_V3 (gopacket's
// pure-Go afpacket). It only ever reads: nothing is written to the socket.
type LiveSource struct {
	name    string
	tp      *afpacket.TPacket
	snaplen int
}

// ErrNoInterface is wrapped when the capture interface does not exist.
var ErrNoInterface = errors.New("no such network interface")

// ErrPermission is wrapped when the process may not open a packet socket.
var ErrPermission = errors.New("permission denied")

// OpenLive opens a TPACKET_V3 ring on o.Interface.
func OpenLive(o LiveOptions) (*LiveSource, error) {
	if _, err := net.InterfaceByName(o.Interface); err != nil {
		return nil, fmt.Errorf("capture interface %q: %w", o.Interface, ErrNoInterface)
	}
	setDefault(&o.BlockSize, DefaultBlockSize)
	setDefault(&o.RingSize, DefaultRingSize)
	setDefault(&o.Snaplen, DefaultSnaplen)
	setDefault(&o.PollTimeout, DefaultPollTimeout)
	if o.RingSize < o.BlockSize {
		o.RingSize = o.BlockSize
	}
	frame := 1 << 11
	for frame < o.Snaplen && frame < o.BlockSize {
		frame <<= 1
	}
	tp, err := afpacket.NewTPacket(
		afpacket.OptInterface(o.Interface),
		afpacket.OptFrameSize(frame),
		afpacket.OptBlockSize(o.BlockSize),
		afpacket.OptNumBlocks(o.RingSize/o.BlockSize),
		afpacket.OptPollTimeout(o.PollTimeout),
		afpacket.OptBlockTimeout(o.PollTimeout),
		afpacket.TPacketVersion3,
		afpacket.SocketRaw,
	)
	if err != nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) || errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("capture on %q: %w: an AF_PACKET socket needs CAP_NET_RAW "+
				"(run as root, use the wardwatch.service unit, or `setcap cap_net_raw+ep wardwatch`)", o.Interface, ErrPermission)
		}
		return nil, fmt.Errorf("capture on %q: %w", o.Interface, err)
	}
	if o.Promiscuous {
		if err := tp.SetPromiscuous(true); err != nil {
			tp.Close()
			return nil, fmt.Errorf("capture on %q: set promiscuous mode: %w", o.Interface, err)
		}
	}
	if o.FanoutGroup != 0 {
		if err := tp.SetFanout(afpacket.FanoutHashWithDefrag, o.FanoutGroup); err != nil {
			tp.Close()
			return nil, fmt.Errorf("capture on %q: join fanout group %d: %w", o.Interface, o.FanoutGroup, err)
		}
	}
	return &LiveSource{name: o.Interface, tp: tp, snaplen: o.Snaplen}, nil
}

func (s *LiveSource) Name() string              { return s.name }
func (s *LiveSource) LinkType() layers.LinkType { return layers.LinkTypeEthernet }
func (s *LiveSource) Close() error              { s.tp.Close(); return nil }

func (s *LiveSource) ReadPacket() ([]byte, gopacket.CaptureInfo, error) {
	data, ci, err := s.tp.ZeroCopyReadPacketData()
	if err != nil {
		if errors.Is(err, afpacket.ErrTimeout) || errors.Is(err, syscall.EINTR) || errors.Is(err, syscall.EAGAIN) {
			return nil, ci, ErrTimeout
		}
		return nil, ci, fmt.Errorf("capture on %q: %w", s.name, err)
	}
	// TPACKET_V3 keeps up to a block of every frame whatever the frame
	// size: the snap length is applied here.
	if len(data) > s.snaplen {
		data = data[:s.snaplen]
		ci.CaptureLength = s.snaplen
	}
	return data, ci, nil
}

// KernelStats returns the socket's cumulative packet and drop counts
// (PACKET_STATISTICS; afpacket accumulates them across reads).
func (s *LiveSource) KernelStats() (packets, drops uint64, err error) {
	_, v3, err := s.tp.SocketStats()
	if err != nil {
		return 0, 0, err
	}
	return uint64(v3.Packets()), uint64(v3.Drops()), nil
}

// ancillaryVLAN returns the VLAN id the kernel stripped from the frame (NIC
// VLAN offload), reported by afpacket as AncillaryVLAN.
func ancillaryVLAN(ci *gopacket.CaptureInfo) (uint16, bool) {
	for _, a := range ci.AncillaryData {
		if v, ok := a.(afpacket.AncillaryVLAN); ok && v.VLAN >= 0 && v.VLAN < 4096 {
			return uint16(v.VLAN), true
		}
	}
	return 0, false
}
