package sensor

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Replay with several workers: one reader goroutine reads the file and
// hands frames to the workers in batches, choosing the worker by a
// symmetric hash of the frame's IP addresses, so both directions of a TCP
// connection (which reassembly needs) and every connection of a flow land
// on the same worker. What workers must agree on beyond one flow (which IP a MAC is
// bound to, whether a MAC is a router's, a client's home VLAN) lives in
// the sensor's shared tables (shared.go), not in one worker's.
//
// Batches are recycled: steady state allocates nothing.

const (
	batchFrames = 256       // frames per batch
	batchBytes  = 256 << 10 // arena per batch (256 frames of 1 KiB); a larger frame gets its own batch
	batchQueue  = 8         // batches queued per worker
)

type frameBatch struct {
	data []byte // arena
	offs []int  // end offset of each frame in data
	cis  []gopacket.CaptureInfo
}

func (b *frameBatch) reset() {
	b.data, b.offs, b.cis = b.data[:0], b.offs[:0], b.cis[:0]
}

func (b *frameBatch) full(n int) bool {
	return len(b.offs) == batchFrames || (len(b.offs) > 0 && len(b.data)+n > cap(b.data))
}

func (b *frameBatch) add(d []byte, ci gopacket.CaptureInfo) {
	b.data = append(b.data, d...)
	b.offs = append(b.offs, len(b.data))
	b.cis = append(b.cis, ci)
}

// batchSource is a worker's Source during a multi-worker replay: the frames
// the reader dispatched to it.
type batchSource struct {
	name string
	lt   layers.LinkType
	in   chan *frameBatch
	free chan *frameBatch
	cur  *frameBatch
	i    int
}

func (s *batchSource) Name() string              { return s.name }
func (s *batchSource) LinkType() layers.LinkType { return s.lt }
func (s *batchSource) Close() error              { return nil }

// ReadPacket returns the next frame; it is valid until the next call (the
// batch goes back to the reader then).
func (s *batchSource) ReadPacket() ([]byte, gopacket.CaptureInfo, error) {
	for s.cur == nil || s.i == len(s.cur.offs) {
		if s.cur != nil {
			s.free <- s.cur
			s.cur = nil
		}
		b, ok := <-s.in
		if !ok {
			return nil, gopacket.CaptureInfo{}, io.EOF
		}
		s.cur, s.i = b, 0
	}
	start := 0
	if s.i > 0 {
		start = s.cur.offs[s.i-1]
	}
	end := s.cur.offs[s.i]
	ci := s.cur.cis[s.i]
	s.i++
	return s.cur.data[start:end:end], ci, nil
}

// replayParallel replays in with n workers. The reader runs in the
// calling goroutine; it stops at the end of the file, on a read error
// (returned after the workers finish what they got) or when ctx is done.
func (s *Sensor) replayParallel(ctx context.Context, in Input, n int) (Summary, error) {
	lt := in.Source.LinkType()
	srcs := make([]*batchSource, n)
	ws := make([]*worker, n)
	for i := range srcs {
		bs := &batchSource{name: in.Source.Name(), lt: lt, in: make(chan *frameBatch, batchQueue), free: make(chan *frameBatch, batchQueue+2)}
		for range batchQueue + 2 {
			bs.free <- &frameBatch{data: make([]byte, 0, batchBytes), offs: make([]int, 0, batchFrames), cis: make([]gopacket.CaptureInfo, 0, batchFrames)}
		}
		srcs[i] = bs
		w, err := s.newWorker(Input{Source: bs, Vantage: in.Vantage, VLAN: in.VLAN}, true)
		if err != nil {
			return Summary{}, err
		}
		ws[i] = w
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Workers drain what they were given even after ctx is done
			// (the reader stops feeding them): context.Background here,
			// the sink is still given ctx through emit's fallback.
			errs[i] = w.loop(context.WithoutCancel(ctx))
		}()
	}
	cur := make([]*frameBatch, n)
	var readErr error
	for k := uint64(0); ; k++ {
		if k&1023 == 0 && ctx.Err() != nil {
			break
		}
		data, ci, err := in.Source.ReadPacket()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = err
			}
			break
		}
		i := int(frameHash(lt, data) % uint32(n))
		b := cur[i]
		if b != nil && b.full(len(data)) {
			srcs[i].in <- b
			b = nil
		}
		if b == nil {
			b = <-srcs[i].free
			b.reset()
			cur[i] = b
		}
		b.add(data, ci)
	}
	for i, b := range cur {
		if b != nil && len(b.offs) > 0 {
			srcs[i].in <- b
		}
		close(srcs[i].in)
	}
	wg.Wait()
	sum := Summary{Duration: time.Since(start)}
	for i, w := range ws {
		st := w.snapshot() // the worker has stopped
		if i == 0 {
			sum.Stats = st
		} else {
			sum.Stats.add(&st)
		}
		if !w.firstTS.IsZero() && (sum.FirstPacket.IsZero() || w.firstTS.Before(sum.FirstPacket)) {
			sum.FirstPacket = w.firstTS
		}
		if w.lastTS.After(sum.LastPacket) {
			sum.LastPacket = w.lastTS
		}
	}
	if readErr == nil {
		readErr = errors.Join(errs...)
	}
	return sum, readErr
}

// frameHash is a symmetric hash of a frame's endpoints: its IP addresses
// when the frame is (VLAN-tagged) Ethernet carrying IPv4 or IPv6, else its
// MAC pair (just the source when the destination is a group address). Both
// directions hash alike. Ports are left out: the flow table keys a flow by
// client, server, protocol and server port, so all the connections of one
// flow (a client's DNS queries from many source ports, its TCP connections
// to one service) must be counted on one worker, as they are with one (a
// hash with ports made a flow row's connections depend on the number of
// workers). Mirror tunnels hash by their outer endpoints, so one tunnel's
// traffic stays on one worker. Other link types all go to worker 0, and so
// does DHCPv4 (UDP port 67 or 68 at either end): a relayed message is placed
// on its client's VLAN by the client's own frames (sharedTables.home), and
// the client's broadcast and the relay's copy of it have different
// addresses; on one worker they are read in capture order (with the
// addresses' hash, 1,004 relayed messages of mixed1m found their client not
// yet seen by the other worker and were dropped).
func frameHash(lt layers.LinkType, d []byte) uint32 {
	if lt != layers.LinkTypeEthernet || len(d) < 14 {
		return 0
	}
	off := 12
	et := binary.BigEndian.Uint16(d[off:])
	for (et == 0x8100 || et == 0x88a8 || et == 0x9100) && len(d) >= off+6 {
		off += 4
		et = binary.BigEndian.Uint16(d[off:])
	}
	off += 2
	switch et {
	case 0x0800:
		if len(d) >= off+20 {
			if isDHCP4(d[off:]) {
				return 0
			}
			return symHash(d[off+12:off+16], d[off+16:off+20])
		}
	case 0x86dd:
		if len(d) >= off+40 {
			return symHash(d[off+8:off+24], d[off+24:off+40])
		}
	}
	dst, src := d[0:6], d[6:12]
	if dst[0]&1 != 0 {
		return fnv(2166136261, src)
	}
	return symHash(src, dst)
}

// isDHCP4 reports whether the IPv4 packet ip (at least its 20-byte header)
// is an unfragmented, or first-fragment, UDP datagram from or to port 67 or
// 68.
func isDHCP4(ip []byte) bool {
	if ip[9] != 17 || ip[6]&0x1f != 0 || ip[7] != 0 {
		return false
	}
	h := int(ip[0]&0x0f) * 4
	if h < 20 || len(ip) < h+4 {
		return false
	}
	sp, dp := binary.BigEndian.Uint16(ip[h:]), binary.BigEndian.Uint16(ip[h+2:])
	return sp == 67 || sp == 68 || dp == 67 || dp == 68
}

// symHash hashes the endpoints a and b in a fixed order, so swapping them
// gives the same value.
func symHash(a, b []byte) uint32 {
	x, y := fnv(2166136261, a), fnv(2166136261, b)
	if x > y {
		x, y = y, x
	}
	h := x*16777619 ^ y
	h ^= h >> 15
	h *= 0x2c1b3c6d
	h ^= h >> 12
	return h
}

func fnv(h uint32, b []byte) uint32 {
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}
