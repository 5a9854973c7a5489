package store

// The facts of one asset as the classifier sees them, read back from the
// store's rows inside the writer's transaction.

import (
	"cmp"
	"database/sql"
	"slices"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
)

// loadFacts reads an asset's fingerprint facts and current classification
// in the flush's transaction. The DICOM and HL7 rows are read only when
// the asset may have some.
func (f *flush) loadFacts(d *dirtyAsset) (*fingerprint.Facts, fingerprint.Result, error) {
	id := d.a.id
	var (
		facts   fingerprint.Facts
		cur     fingerprint.Result
		mac     string
		queries = [...]stmtID{sFactsDICOM, sFactsDICOMSOP, sFactsDICOMCmd, sFactsHL7, sFactsHL7Type, sFactsHL7Equip}
	)
	e := f.db.facts.get(id)
	if e.row == nil {
		r := &factsRow{}
		err := f.stmt(sFactsAsset).QueryRowContext(f.ctx, id).Scan(&r.mac, &r.vendor, &r.randomized,
			&r.params, &r.vendorClass, &r.hostname, &r.cur.Class, &r.cur.Confidence, &r.cur.Strength,
			&r.cur.Manufacturer, &r.cur.Model, &r.cur.OS, &r.cur.Modality, &r.cur.Version)
		if err != nil {
			f.db.facts.drop(id)
			return nil, cur, err
		}
		e.row = r
	}
	r := e.row
	mac, cur = r.mac, r.cur
	facts.Vendor, facts.Randomized = r.vendor, r.randomized
	facts.DHCPParamList, facts.DHCPVendorClass, facts.Hostname = r.params, r.vendorClass, r.hostname
	var err error
	if err := f.flowFacts(id, &facts); err != nil {
		return nil, cur, err
	}
	if err := f.signalFacts(id, &facts); err != nil {
		return nil, cur, err
	}
	if mac != "" {
		if facts.MAC, err = model.ParseMAC(mac); err != nil {
			return nil, cur, err
		}
	}
	if d.clinical == clinicalNone {
		return &facts, cur, nil
	}
	f.db.clinicalReads.Add(1)
	var rs [len(queries)]*sql.Rows
	defer func() {
		for _, r := range rs {
			if r != nil {
				r.Close()
			}
		}
	}()
	for i, q := range queries {
		if rs[i], err = f.stmt(q).QueryContext(f.ctx, id); err != nil {
			return nil, cur, err
		}
	}
	if err := buildFacts(&facts, rs[0], rs[1], rs[2], rs[3], rs[4], rs[5]); err != nil {
		return nil, cur, err
	}
	if len(facts.DICOM) == 0 && len(facts.HL7) == 0 && d.clinical == clinicalUnknown {
		f.noClinical = append(f.noClinical, d.a) // noted by the writer once committed
	}
	return &facts, cur, nil
}

// signalFacts reads the asset's signals (asset_signals: what it said about
// itself to the sensor's passive decoders) into facts.Signals, in the
// order of sFactsSignals (first seen, source, value), from the facts cache
// when it holds them.
func (f *flush) signalFacts(id int64, facts *fingerprint.Facts) error {
	e := f.db.facts.get(id)
	if !e.sigOK {
		rows, err := f.stmt(sFactsSignals).QueryContext(f.ctx, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		var sigs []cachedSignal
		for rows.Next() {
			var s cachedSignal
			if err := rows.Scan(&s.source, &s.value, &s.first); err != nil {
				return err
			}
			sigs = append(sigs, s)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		e.signals, e.sigOK = sigs, true
	}
	for _, s := range e.signals {
		facts.AddSignal(s.source, s.value)
	}
	return nil
}

// flowFacts reads the services the asset answered, the classes of its
// clients and how many addresses it routed for into f.Served, f.Clients
// and f.RoutedIPs. A port's clients are its distinct (client asset, client
// IP) pairs, routed clients counting apart; its client classes count the
// distinct assets of each class the rules count (fingerprint.
// ClientClassMatters), a routed client being the asset that has its
// address on the vantage. Sorted by proto, port (and class).
//
// The facts are kept in the facts cache (factsCache), which follows the
// new flows rows the flusher writes, until something it cannot follow
// drops them.
func (fl *flush) flowFacts(id int64, f *fingerprint.Facts) error {
	e := fl.db.facts.get(id)
	if e.flows == nil {
		ff, err := fl.readFlowFacts(id)
		if err != nil {
			return err
		}
		e.flows = ff
	}
	e.flows.facts(f)
	return nil
}

// flowPort and flowClient key a served port and one client of it.
type flowPort struct {
	proto uint8
	port  uint16
}

type flowClient struct {
	asset int64
	ip    string // as stored: "" when unknown
}

// flowOwner is a client asset of a class the rules count.
type flowOwner struct {
	id    int64
	class model.Class
}

// servedPort is one port the asset answered.
type servedPort struct {
	service string
	clients map[flowClient]struct{}
	owners  map[flowOwner]struct{}
}

// flowFactsEntry is an asset's flow facts, with the sets behind the counts
// so that new rows can be added (factsCache.applyFlows).
type flowFactsEntry struct {
	ports  map[flowPort]*servedPort
	routed map[string]struct{} // distinct routed client addresses
	size   int                 // clients and routed addresses held
}

// maxFlowFactsSize bounds the sets one entry keeps; a larger server's or
// router's facts are read again whenever its flows change.
const maxFlowFactsSize = 4096

func newFlowFacts() *flowFactsEntry {
	return &flowFactsEntry{ports: map[flowPort]*servedPort{}, routed: map[string]struct{}{}}
}

// port returns the entry's port, added if new.
func (e *flowFactsEntry) port(k flowPort) *servedPort {
	p := e.ports[k]
	if p == nil {
		p = &servedPort{clients: map[flowClient]struct{}{}, owners: map[flowOwner]struct{}{}}
		e.ports[k] = p
	}
	return p
}

// addClient adds a client of port k, and whether it is too large to keep.
func (e *flowFactsEntry) addClient(k flowPort, service string, c flowClient, o flowOwner) bool {
	p := e.port(k)
	p.service = max(p.service, service)
	if _, ok := p.clients[c]; !ok {
		p.clients[c] = struct{}{}
		e.size++
	}
	if o.id != 0 && fingerprint.ClientClassMatters(o.class) {
		p.owners[o] = struct{}{}
	}
	return e.size <= maxFlowFactsSize
}

// addRouted adds a routed client address, and whether it is too large to
// keep.
func (e *flowFactsEntry) addRouted(ip string) bool {
	if _, ok := e.routed[ip]; !ok {
		e.routed[ip] = struct{}{}
		e.size++
	}
	return e.size <= maxFlowFactsSize
}

// facts sets f.Served, f.Clients and f.RoutedIPs from the entry.
func (e *flowFactsEntry) facts(f *fingerprint.Facts) {
	f.Served, f.Clients, f.RoutedIPs = nil, nil, len(e.routed)
	keys := make([]flowPort, 0, len(e.ports))
	for k := range e.ports {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b flowPort) int {
		return cmp.Or(cmp.Compare(a.proto, b.proto), cmp.Compare(a.port, b.port))
	})
	for _, k := range keys {
		p := e.ports[k]
		f.Served = append(f.Served, fingerprint.Served{Proto: k.proto, Port: k.port, Service: p.service, Clients: len(p.clients)})
		if len(p.owners) == 0 {
			continue
		}
		counts := map[model.Class]int{}
		for o := range p.owners {
			counts[o.class]++
		}
		classes := make([]model.Class, 0, len(counts))
		for c := range counts {
			classes = append(classes, c)
		}
		slices.Sort(classes)
		for _, c := range classes {
			f.Clients = append(f.Clients, fingerprint.ClassCount{Proto: k.proto, Port: k.port, Class: c, Count: counts[c]})
		}
	}
}

// readFlowFacts reads an asset's flow facts from the database.
func (fl *flush) readFlowFacts(id int64) (*flowFactsEntry, error) {
	e := newFlowFacts()
	var has bool
	if err := fl.stmt(sFactsFlows).QueryRowContext(fl.ctx, id).Scan(&has); err != nil || !has {
		return e, err
	}
	type row struct {
		k       flowPort
		service string
		c       flowClient
		local   bool
		vantage string
		class   model.Class
	}
	var rs []row
	rows, err := fl.stmt(sFactsServed).QueryContext(fl.ctx, id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.k.proto, &r.k.port, &r.service, &r.c.asset, &r.c.ip, &r.local, &r.vantage, &r.class); err != nil {
			rows.Close()
			return nil, err
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	type ownerKey struct{ ip, vantage string }
	owners := map[ownerKey]flowOwner{}
	for _, r := range rs {
		o := flowOwner{r.c.asset, r.class}
		if !r.local {
			ok := ownerKey{r.c.ip, r.vantage}
			var known bool
			if o, known = owners[ok]; !known {
				var oid sql.NullInt64
				var class sql.NullString
				var last sql.NullInt64
				if err := fl.stmt(sOwnerClass).QueryRowContext(fl.ctx, r.c.ip, r.vantage).Scan(&oid, &class, &last); err != nil {
					return nil, err
				}
				o = flowOwner{oid.Int64, model.Class(class.String)}
				owners[ok] = o
			}
		}
		e.addClient(r.k, r.service, r.c, o)
	}
	rows, err = fl.stmt(sFactsRouted).QueryContext(fl.ctx, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ip string
		if err := rows.Scan(&ip); err != nil {
			return nil, err
		}
		e.addRouted(ip)
	}
	return e, rows.Err()
}

// buildFacts folds an asset's DICOM and HL7 rows into f with
// Facts.AddDICOM and Facts.AddHL7, so that the store's rows give Classify
// exactly the facts the observations would have.
func buildFacts(f *fingerprint.Facts, aes, sops, cmds, apps, types, equip *sql.Rows) error {
	if err := dicomFacts(f, aes, sops, cmds); err != nil {
		return err
	}
	return hl7Facts(f, apps, types, equip)
}

// dicomFacts rebuilds the DICOM observations of an asset from its
// dicom_aes rows (one per AE pair, in id order), their SOP classes and
// their commands, and folds them into f.
func dicomFacts(f *fingerprint.Facts, aes, sops, cmds *sql.Rows) error {
	byAE := map[int64]*model.DICOMInfo{}
	var aeOrder []*model.DICOMInfo
	for aes.Next() {
		var id int64
		d := &model.DICOMInfo{}
		if err := aes.Scan(&id, &d.Role, &d.AETitle, &d.PeerAETitle, &d.ImplClassUID, &d.ImplVersion); err != nil {
			return err
		}
		byAE[id] = d
		aeOrder = append(aeOrder, d)
	}
	if err := aes.Err(); err != nil {
		return err
	}
	err := scanByID(sops, func(id int64, uid string) {
		if d := byAE[id]; d != nil {
			d.SOPClasses = append(d.SOPClasses, uid)
		}
	})
	if err != nil {
		return err
	}
	for cmds.Next() {
		var id int64
		var name, sop string
		if err := cmds.Scan(&id, &name, &sop); err != nil {
			return err
		}
		if d := byAE[id]; d != nil {
			d.Commands = append(d.Commands, model.DICOMCommand{Name: name, SOPClass: sop})
		}
	}
	if err := cmds.Err(); err != nil {
		return err
	}
	for _, d := range aeOrder {
		f.AddDICOM(d)
	}
	return nil
}

// hl7App is one hl7_apps row with its message types, as hl7Facts reads it.
type hl7App struct {
	info  model.HL7Info
	acks  int64
	types []string
}

// hl7Facts rebuilds the HL7 observations of an asset from its hl7_apps
// rows (in id order), their message types and equipment, and folds them
// into f.
func hl7Facts(f *fingerprint.Facts, apps, types, equip *sql.Rows) error {
	byApp := map[int64]*hl7App{}
	var appOrder []*hl7App
	for apps.Next() {
		var id int64
		a := &hl7App{}
		h := &a.info
		if err := apps.Scan(&id, &h.Role, &h.Application, &h.Facility, &h.PeerApplication, &h.PeerFacility,
			&a.acks); err != nil {
			return err
		}
		byApp[id] = a
		appOrder = append(appOrder, a)
	}
	if err := apps.Err(); err != nil {
		return err
	}
	err := scanByID(types, func(id int64, typ string) {
		if a := byApp[id]; a != nil {
			a.types = append(a.types, typ)
		}
	})
	if err != nil {
		return err
	}
	err = scanByID(equip, func(id int64, eq string) {
		if a := byApp[id]; a != nil {
			a.info.EquipmentIDs = append(a.info.EquipmentIDs, eq)
		}
	})
	if err != nil {
		return err
	}
	for _, a := range appOrder {
		a.fold(f)
	}
	return nil
}

// fold adds the app to f as the observations that made it would have.
func (a *hl7App) fold(f *fingerprint.Facts) {
	h := a.info
	f.AddHL7(&h) // the fact itself, and its equipment
	h.EquipmentIDs = nil
	for _, typ := range a.types {
		h.MessageType = typ
		f.AddHL7(&h)
	}
	if a.acks > 0 && h.Role == model.RoleReceiver {
		// What AddHL7 makes of an acknowledgement the asset sent.
		ack := model.HL7Info{Role: model.RoleSender, Application: h.Application, Facility: h.Facility,
			PeerApplication: h.PeerApplication, PeerFacility: h.PeerFacility, AckCode: "AA"}
		f.AddHL7(&ack)
	}
}

// scanByID reads rows of (parent id, value), calling add for each.
func scanByID(rows *sql.Rows, add func(id int64, value string)) error {
	for rows.Next() {
		var id int64
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return err
		}
		add(id, v)
	}
	return rows.Err()
}
