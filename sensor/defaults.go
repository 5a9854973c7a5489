package sensor

import "time"

// Defaults applied to the zero fields of Config, StreamConfig and
// LiveOptions. They are the one home of these numbers: configs.Default is
// built from them, so a zero Config, the config file's defaults and its
// documentation agree (configs tests that).
const (
	DefaultMaxAssets        = 200000          // Config.MaxAssets, per worker
	DefaultMaxBindings      = 200000          // Config.MaxBindings, per worker
	DefaultNewAssetBurst    = 10000           // Config.NewAssetBurst: new MACs at once, per worker
	DefaultNewAssetRate     = 100.0           // Config.NewAssetRate: new MACs per second after the burst
	DefaultMaxFlows         = 100000          // Config.MaxFlows, per worker
	DefaultMaxSignals       = 100000          // Config.MaxSignals, for all workers
	DefaultFlowIdle         = 5 * time.Minute // Config.FlowIdle
	DefaultActivityInterval = 10 * time.Second
	DefaultRefreshInterval  = 5 * time.Minute

	DefaultMaxStreams       = 10000           // StreamConfig.MaxStreams, per worker
	DefaultMaxBufferedPages = 4096            // StreamConfig.MaxBufferedPages, per worker
	DefaultMaxPagesPerConn  = 64              // StreamConfig.MaxPagesPerConn
	DefaultStreamIdle       = 2 * time.Minute // StreamConfig.IdleTimeout
	DefaultMaxInspectBytes  = 1 << 20         // StreamConfig.MaxInspectBytes, per direction
	DefaultMaxHL7Message    = 64 << 10        // StreamConfig.MaxHL7Message
	DefaultMaxBufferBytes   = 64 << 20        // StreamConfig.MaxBufferBytes, all parsers together

	DefaultRingSize    = 64 << 20               // LiveOptions.RingSize
	DefaultBlockSize   = 1 << 20                // LiveOptions.BlockSize
	DefaultSnaplen     = 65535                  // LiveOptions.Snaplen
	DefaultPollTimeout = 100 * time.Millisecond // LiveOptions.PollTimeout
)

// DefaultVXLANPorts returns Config.VXLANPorts's default: VXLAN (4789) and
// VXLAN-GPE (4790). Each call returns a new slice.
func DefaultVXLANPorts() []uint16 { return []uint16{4789, 4790} }

// DefaultDICOMPorts returns StreamConfig.DICOMPorts's default: 104 (the
// well-known port) and 11112 (IANA's registered DICOM port).
func DefaultDICOMPorts() []uint16 { return []uint16{104, 11112} }

// DefaultHL7Ports returns StreamConfig.HL7Ports's default: 2575 (MLLP).
func DefaultHL7Ports() []uint16 { return []uint16{2575} }

// setDefault sets *v to def when it is zero or negative.
func setDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
