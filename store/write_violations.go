package store

// Policy violations: counted per (rule, flow), the first one an event.

import (
	"database/sql"
	"errors"
	"net/netip"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// violationKey is a violations row's unique key (dst 0 for NULL).
type violationKey struct {
	rule, srcZone, dstZone string
	flowKey
	service, severity string
}

// violationState is one violations row and its pending changes: the latest
// vantage and VLAN, the number of reports and their delta.
type violationState struct {
	id        int64
	key       violationKey
	persisted bool
	vantage   string
	vlan      uint16
	count     uint64
	flowDelta
}

func (v *violationState) clean() {
	v.persisted, v.count, v.flowDelta = true, 0, flowDelta{}
}

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
		srv, err := b.serverAsset(link, f, dst)
		if err != nil {
			return err
		}
		dstID = idOf(srv)
	} else if k, ok, err := b.ownerOf(client.Vantage, dst); err != nil {
		return err
	} else if ok {
		da, err := b.ensureAsset(k, 0, first, t)
		if err != nil {
			return err
		}
		dstID = da.id
	}
	vk := violationKey{rule: v.Rule, srcZone: v.SrcZone, dstZone: v.DstZone, service: f.Service, severity: v.Severity,
		flowKey: flowKey{src: a.id, srcIP: src, dst: dstID, dstIP: dst, proto: f.Proto, port: f.Port}}
	s, isNew, err := b.violationRow(a, vk)
	if err != nil {
		return err
	}
	s.vantage, s.vlan = client.Vantage, client.VLAN
	if s.add(first, t, f) {
		b.viols = append(b.viols, s)
		b.changed()
	}
	s.count++
	if isNew {
		b.event(model.EventViolation, t, client, a.id, dst, "", ViolationEventValue(v, dst, f.Port))
	}
	return nil
}

// violationRow returns the violations row of k, and whether it is new (a
// new one gets its id). The client asset a tells whether the database can
// hold rows the cache does not.
func (b *batch) violationRow(a *assetState, k violationKey) (*violationState, bool, error) {
	c := &b.db.cache
	if s := c.viols[k]; s != nil {
		return s, false, nil
	}
	s := &violationState{key: k}
	if !c.violsComplete && a.born != c.epoch {
		st, err := b.lookup(sViolationGet)
		if err != nil {
			return nil, false, err
		}
		err = st.QueryRowContext(b.ctx, k.rule, k.srcZone, k.dstZone, k.src, ipText(k.srcIP),
			k.dst, k.dstIP.String(), k.proto, k.port, k.service, k.severity).Scan(&s.id)
		switch {
		case err == nil:
			s.persisted = true
		case !errors.Is(err, sql.ErrNoRows):
			return nil, false, err
		}
	}
	if !s.persisted {
		s.id = c.nextViolation
		c.nextViolation++
	}
	c.viols[k] = s
	return s, !s.persisted, nil
}

// writeViolations inserts the new violations and updates the changed ones.
func (f *flush) writeViolations() error {
	ins := news(len(f.viols), func(i int) bool { return !f.viols[i].persisted })
	err := f.insert(sViolationInsert, len(ins), func(i int, args []any) []any {
		s := &f.viols[ins[i]]
		k := s.key
		return append(args, s.id, k.rule, k.srcZone, k.dstZone, k.src, nullID(k.dst), ipText(k.srcIP),
			k.dstIP.String(), k.proto, k.port, k.service, k.severity, s.vantage, s.vlan, s.first, s.last,
			i64(s.count), i64(s.packets), i64(s.bytes), i64(s.conns))
	})
	if err != nil {
		return err
	}
	for i := range f.viols {
		if s := &f.viols[i]; s.persisted {
			if _, err := f.exec(sViolationUpdate, s.vantage, s.vlan, s.first, s.last, i64(s.count), i64(s.packets),
				i64(s.bytes), i64(s.conns), s.id); err != nil {
				return err
			}
		}
	}
	return nil
}

// ViolationEventValue is the new_value of a policy-violation event:
// "<rule> <src_zone>-><dst_zone> <ip>:<port>" (an IPv6 address in
// brackets, "[2001:db8::1]:104").
func ViolationEventValue(v *model.ViolationInfo, dst netip.Addr, port uint16) string {
	return v.Rule + " " + v.SrcZone + "->" + v.DstZone + " " + netip.AddrPortFrom(dst, port).String()
}
