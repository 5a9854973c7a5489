package store

// Policy violations: counted per (rule, flow), the first one an event.

import (
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// violation counts a policy violation; the first report of a (rule, flow)
// is a policy-violation event.
func (b *batch) violation(key model.AssetKey, o *model.Observation, t time.Time) error {
	f, v := o.Flow, o.Violation
	client, src, dst, ok := flowEnds(key, f)
	if !ok {
		b.invalid++
		return nil
	}
	first := flowStart(o, t)
	if !f.ClientLocal {
		// A flow whose client MAC is no device (it never sent a frame) is
		// not recorded (see flow); nor is its violation.
		if a, err := b.existingAsset(client); err != nil || a == nil {
			b.ignored++
			return err
		}
		// The flow it is about is recorded, without counts (its reports
		// carry them), even if a report came before the client was a
		// device (several workers): `policy simulate` sees every flow the
		// checker judged.
		zf := *f
		zf.Packets, zf.Bytes, zf.Connections = 0, 0, 0
		zo := *o
		zo.Kind, zo.Flow = model.ObsFlow, &zf
		if err := b.flow(key, &zo, t); err != nil {
			return err
		}
	}
	// An end seen behind a router is the asset that owns its address (if
	// any): both halves of a routed flow, seen on two VLANs, are then one
	// violation.
	link := client // the frame's view: the server must be on its link
	if !f.ClientLocal && src.IsValid() {
		if k, ok, err := b.ownerOf(client.Vantage, src); err != nil {
			return err
		} else if ok {
			client = k
		}
	}
	a, err := b.ensureAsset(client, o.OuterVLAN, first, t)
	if err != nil {
		return err
	}
	var dstID int64
	if f.ServerLocal {
		if dstID, err = b.serverAsset(link, f, dst); err != nil {
			return err
		}
	} else if k, ok, err := b.ownerOf(client.Vantage, dst); err != nil {
		return err
	} else if ok {
		da, err := b.ensureAsset(k, 0, first, t)
		if err != nil {
			return err
		}
		dstID = da.id
	}
	var count int64
	if err := b.stmt(sViolationUpsert).QueryRowContext(b.ctx, v.Rule, v.SrcZone, v.DstZone, a.id, nullID(dstID),
		ipText(src), dst.String(), f.Proto, f.Port, f.Service, v.Severity, client.Vantage, client.VLAN,
		ns(first), ns(t), i64(f.Packets), i64(f.Bytes), i64(f.Connections)).Scan(&count); err != nil {
		return err
	}
	if count != 1 {
		return nil
	}
	return b.event(model.EventViolation, t, client, a.id, dst, "", ViolationEventValue(v, dst, f.Port))
}

// ViolationEventValue is the new_value of a policy-violation event:
// "<rule> <src_zone>-><dst_zone> <ip>:<port>" (an IPv6 address in
// brackets, "[2001:db8::1]:104").
func ViolationEventValue(v *model.ViolationInfo, dst netip.Addr, port uint16) string {
	return v.Rule + " " + v.SrcZone + "->" + v.DstZone + " " + netip.AddrPortFrom(dst, port).String()
}
