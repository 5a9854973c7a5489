package segment

import (
	"net/netip"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/policy"
)

// FlowEndpoints returns the policy endpoints of a flow's client (src) and
// server (dst), from the flow and what the inventory knows about each end.
// The live checker and ObservedFlows (simulate, learn) both build endpoints
// here, so they judge the same flow the same way.
//
// An end whose MAC is its own (ClientLocal, ServerLocal) carries that MAC,
// and the class and AE title of its asset when the inventory has it
// (EndFacts.Known; else class "unknown"). An end seen behind a router is
// known by its address only: no MAC, class "unknown". Either way an end
// without an AE title of its own takes the one last seen for its address
// (EndFacts.IPAETitle). Both ends carry the frames' vantage and VLAN (for
// the server of a routed flow, the client's VLAN: see policy.Endpoint).
func FlowEndpoints(f *model.FlowInfo, client, server *model.EndFacts) (src, dst policy.Endpoint) {
	return flowEnd(f.Client, f.ClientIP, f.ClientLocal, client), flowEnd(f.Server, f.ServerIP, f.ServerLocal, server)
}

func flowEnd(k model.AssetKey, ip netip.Addr, local bool, x *model.EndFacts) policy.Endpoint {
	e := policy.Endpoint{Vantage: k.Vantage, VLAN: k.VLAN, IP: ip, Class: model.ClassUnknown}
	if local {
		e.MAC = k.MAC
		if x.Known {
			e.Class, e.AETitle = x.Class.OrUnknown(), trimAE(x.AETitle)
		}
	}
	if e.AETitle == "" {
		e.AETitle = trimAE(x.IPAETitle)
	}
	return e
}

// ObservedFlows turns stored flows into the input of policy.Simulate and
// policy.Learn, one per stored flow, with endpoints built by FlowEndpoints
// exactly as the live checker builds them. A routed flow is stored (and
// judged live) once per VLAN it was seen on: its copies (same vantage,
// addresses, protocol and port) share an ObservedFlow.Conv, and
// policy.Simulate counts the copies that get the same verdict as one flow,
// as the live checker reports them once and the store merges their
// violations.
func ObservedFlows(flows []model.FlowFacts) []policy.ObservedFlow {
	type conv struct {
		vantage        string
		client, server netip.Addr
		proto          uint8
		port           uint16
	}
	convs := map[conv]uint64{}
	out := make([]policy.ObservedFlow, 0, len(flows))
	for i := range flows {
		f := &flows[i]
		src, dst := FlowEndpoints(&f.Flow, &f.ClientFacts, &f.ServerFacts)
		o := policy.ObservedFlow{Src: src, Dst: dst, Proto: f.Flow.Proto, Port: f.Flow.Port,
			Packets: f.Flow.Packets, Bytes: f.Flow.Bytes, Connections: f.Flow.Connections}
		if f.Flow.ClientIP.IsValid() {
			// The checker's test for "the same flow": vantage, addresses,
			// protocol and port.
			k := conv{f.Flow.Client.Vantage, f.Flow.ClientIP, f.Flow.ServerIP, f.Flow.Proto, f.Flow.Port}
			if o.Conv = convs[k]; o.Conv == 0 {
				o.Conv = uint64(len(convs) + 1)
				convs[k] = o.Conv
			}
		}
		out = append(out, o)
	}
	return out
}
