package model

import "time"

// EndFacts is what the inventory knows about one end of a flow: the input
// segmentation (policy/segment) turns, with the flow's FlowInfo, into the
// end's policy endpoint. The live policy checker fills it from the store's
// in-memory class index; `policy simulate` and `policy learn` get it from
// the stored flows (FlowFacts). Both go through the same function.
type EndFacts struct {
	// Known says the end's asset key (FlowInfo.Client or Server) is an
	// asset of the inventory; Class and AETitle are then that asset's.
	Known bool
	// Class is the asset's device class (ClassUnknown until classified).
	Class Class
	// AETitle is the asset's own latest DICOM AE title, "" if none.
	AETitle string
	// IPAETitle is the DICOM AE title last seen for the end's IP address on
	// the flow's vantage, whoever's frames carried the association: what
	// names an end known only by its address (behind a router).
	IPAETitle string
}

// FlowFacts is a stored flow with what the inventory knows about its two
// ends.
//
// Flow.Client and Flow.Server are the ends' asset keys: the client's is the
// asset of the frames' client MAC (a router's when ClientLocal is false);
// the server's is the asset the store tied the server end to, zero (but
// for vantage and VLAN) when it tied it to none, and then ServerLocal is
// false. ClientLocal and ServerLocal are as the sensor last reported them.
// Packets, Bytes and Connections are the flow's totals since First.
type FlowFacts struct {
	Flow                     FlowInfo
	LastSeen                 time.Time
	ClientFacts, ServerFacts EndFacts
}
