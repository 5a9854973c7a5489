//go:build linux

package main

import (
	"context"
	"testing"

	"github.com/wardwatch/wardwatch/store"
)

func e2eDebugDump(t *testing.T, path string) {
	db, err := store.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	all, _ := db.AssetDetails(ctx, store.AssetFilter{})
	for _, a := range all {
		t.Logf("ASSET %s host=%q class=%q mod=%q addrs=%v", a.Key, a.Hostname, a.Class, a.Modality, a.Addresses)
		d, _ := db.DICOM(ctx, a.ID)
		for _, f := range d {
			t.Logf("   DICOM %s %s->%s peer=%s assoc=%d sops=%d cmds=%+v", f.Role, f.AETitle, f.PeerAETitle, f.PeerIP, f.Associations, len(f.SOPClasses), f.Commands)
		}
		h, _ := db.HL7(ctx, a.ID)
		for _, f := range h {
			t.Logf("   HL7 %s %s->%s peer=%s msgs=%d acks=%d types=%+v eq=%d", f.Role, f.Application, f.PeerApplication, f.PeerIP, f.Messages, f.AcksSent, f.MessageTypes, len(f.Equipment))
		}
	}
	fl, _ := db.Flows(ctx, store.FlowFilter{})
	for _, f := range fl {
		t.Logf("FLOW vlan=%d %s %s -> %s %s:%d/%d %s local=%v/%v pk=%d conns=%d", f.VLAN, f.Src, f.SrcIP, f.Dst, f.DstIP, f.Port, f.Proto, f.Service, f.SrcLocal, f.DstLocal, f.Packets, f.Connections)
	}
}
