package sensor

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Source is where packets come from: a live AF_PACKET socket or a capture
// file. It is the small interface the worker loop consumes (packetbeat's
// sniffer handle): read a packet, say the link type, close.
type Source interface {
	// Name is the interface name or the file path.
	Name() string
	// LinkType of every packet the source returns.
	LinkType() layers.LinkType
	// ReadPacket returns the next packet. data is valid only until the next
	// call. It returns io.EOF at the end of a file, ErrTimeout when a live
	// read timed out (the caller goes on), any other error when the source
	// broke.
	ReadPacket() (data []byte, ci gopacket.CaptureInfo, err error)
	Close() error
}

// ErrTimeout is returned by a live Source when no packet arrived within its
// poll timeout.
var ErrTimeout = errors.New("capture read timeout")

// ErrTruncatedFile is wrapped in the error a file source returns when the
// file ends in the middle of a packet record.
var ErrTruncatedFile = errors.New("capture file is truncated")

// ErrLinkType is wrapped in the error returned for a capture whose link
// type the sensor does not decode.
var ErrLinkType = errors.New("unsupported link type")

// firstLayer maps a link type to the first layer to decode.
func firstLayer(lt layers.LinkType) (gopacket.LayerType, error) {
	switch lt {
	case layers.LinkTypeEthernet:
		return layers.LayerTypeEthernet, nil
	case layers.LinkTypeLinuxSLL:
		return layers.LayerTypeLinuxSLL, nil
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		return layers.LayerTypeLoopback, nil
	}
	return 0, fmt.Errorf("%w %d (%s): Wardwatch reads Ethernet, Linux cooked (SLL) and BSD loopback captures", ErrLinkType, int(lt), lt)
}

type zeroCopyReader interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	LinkType() layers.LinkType
}

// FileSource reads a pcap or pcapng file with pcapgo.
type FileSource struct {
	path string
	f    *os.File
	r    zeroCopyReader
}

// OpenFile opens a pcap or pcapng capture (detected from the magic number).
func OpenFile(path string) (*FileSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open capture: %w", err)
	}
	br := bufio.NewReaderSize(f, 1<<20)
	magic, err := br.Peek(4)
	if err != nil {
		f.Close()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read capture %s: file is empty or shorter than a capture header: %w", path, ErrTruncatedFile)
		}
		return nil, fmt.Errorf("read capture %s: %w", path, err)
	}
	var r zeroCopyReader
	if magic[0] == 0x0a && magic[1] == 0x0d && magic[2] == 0x0d && magic[3] == 0x0a {
		r, err = pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{})
	} else {
		r, err = pcapgo.NewReader(br)
	}
	if err != nil {
		f.Close()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("read capture %s: header cut short: %w", path, ErrTruncatedFile)
		}
		return nil, fmt.Errorf("read capture %s: not a pcap or pcapng file: %w", path, err)
	}
	if _, err := firstLayer(r.LinkType()); err != nil {
		f.Close()
		return nil, fmt.Errorf("read capture %s: %w", path, err)
	}
	return &FileSource{path: path, f: f, r: r}, nil
}

func (s *FileSource) Name() string              { return s.path }
func (s *FileSource) LinkType() layers.LinkType { return s.r.LinkType() }
func (s *FileSource) Close() error              { return s.f.Close() }

func (s *FileSource) ReadPacket() ([]byte, gopacket.CaptureInfo, error) {
	data, ci, err := s.r.ZeroCopyReadPacketData()
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, ci, fmt.Errorf("read capture %s: %w (stopped at the cut)", s.path, ErrTruncatedFile)
		}
		if errors.Is(err, io.EOF) {
			return nil, ci, io.EOF
		}
		return nil, ci, fmt.Errorf("read capture %s: %w", s.path, err)
	}
	return data, ci, nil
}
