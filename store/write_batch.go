package store

// One flush of the writer: a batch is one transaction that applies a slice
// of observations, classifies the assets whose facts changed and commits.
// apply dispatches each observation to the method of its concern:
//
//	write_assets.go      activity; assets (created; one new-device event each at the end of the batch), the owner of an address
//	write_arpwatch.go    addresses and ARP/DHCP bindings with arpwatch's events
//	write_dhcp.go        DHCPv4 fingerprints and names
//	write_flows.go       flows and their server end
//	write_violations.go  policy violations
//	write_dicom.go       DICOM associations
//	write_hl7.go         HL7 v2 messages
//	write_events.go      the events table
//	classify.go          classification of the assets a batch changed (classify_facts.go: their facts)
//
// write_statements.go holds the SQL of every statement the writer runs.

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"

	"github.com/wardwatch/wardwatch/model"
)

// batch is one flush's transaction.
type batch struct {
	ctx     context.Context
	db      *DB
	tx      *sql.Tx
	st      [numStmts]*sql.Stmt // tx-bound, made on first use
	invalid uint64
	ignored uint64
	// dirty are the assets whose fingerprint facts changed in the batch,
	// to classify before commit (only with Options.Classifier).
	dirty map[int64]*dirtyAsset
	// index are the changes to publish in DB.Classes once committed.
	index []indexOp
	// fresh are the assets created in this batch: their new-device event
	// is written at the end, with the first IP and the class the batch
	// learned, instead of new-ip, new-station and class-changed events.
	fresh map[int64]*freshDevice
}

func (b *batch) stmt(id stmtID) *sql.Stmt {
	if b.st[id] == nil {
		b.st[id] = b.tx.StmtContext(b.ctx, b.db.stmts.s[id])
	}
	return b.st[id]
}

func (b *batch) exec(id stmtID, args ...any) (sql.Result, error) {
	return b.stmt(id).ExecContext(b.ctx, args...)
}

// writeBatch applies obs in one transaction.
func (db *DB) writeBatch(obs []model.Observation) error {
	ctx := context.Background()
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	b := &batch{ctx: ctx, db: db, tx: tx}
	for i := range obs {
		if err := b.apply(&obs[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("write %s observation of %s: %w", obs[i].Kind, obs[i].Key, err)
		}
	}
	if err := b.classify(); err != nil {
		tx.Rollback()
		return err
	}
	if err := b.newDevices(); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	db.classes.apply(b.index)
	db.invalid.Add(b.invalid)
	db.ignored.Add(b.ignored)
	return nil
}

// apply writes one observation. Each kind has its own method, in the file
// of its concern (write_*.go).
func (b *batch) apply(o *model.Observation) error {
	key, ok := normKey(o.Key)
	if !ok {
		b.invalid++
		return nil
	}
	t := o.Time
	if t.IsZero() {
		t = b.db.opts.Now()
	}
	switch o.Kind {
	case model.ObsActivity:
		return b.activity(key, o, t)
	case model.ObsAddress:
		return b.addressObs(key, o, t)
	case model.ObsARP, model.ObsDHCPAck:
		return b.bindingObs(key, o, t)
	case model.ObsDHCP:
		return b.dhcpObs(key, o, t)
	case model.ObsFlow:
		if o.Flow != nil {
			return b.flow(key, o, t)
		}
	case model.ObsViolation:
		if o.Flow != nil && o.Violation != nil {
			return b.violation(key, o, t)
		}
	case model.ObsDICOM:
		if d := o.DICOM; d != nil && (d.Role == model.RoleSCU || d.Role == model.RoleSCP) {
			return b.clinicalObs(key, o, t)
		}
	case model.ObsHL7:
		if h := o.HL7; h != nil && (h.Role == model.RoleSender || h.Role == model.RoleReceiver) {
			return b.clinicalObs(key, o, t)
		}
	case model.ObsMACFlood:
		return b.macFlood(key, t)
	}
	b.ignored++ // a kind this schema does not persist, or one without its details
	return nil
}

// normKey returns the key in the form the database keys assets by, and
// whether it names a device at all.
func normKey(k model.AssetKey) (model.AssetKey, bool) {
	if k.VLAN > 4095 {
		return k, false
	}
	if !k.MAC.IsZero() {
		k.IP = netip.Addr{}
		return k, !k.MAC.IsGroup()
	}
	k.IP = normIP(k.IP)
	return k, k.IP.IsValid() && !k.IP.IsUnspecified()
}

func normIP(ip netip.Addr) netip.Addr { return ip.Unmap().WithZone("") }

// usableIP reports whether ip can be an address binding (not a probe's
// 0.0.0.0).
func usableIP(ip netip.Addr) bool { return ip.IsValid() && !ip.IsUnspecified() }

func seenBefore(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
