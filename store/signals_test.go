package store

import (
	"net/netip"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/model"
)

func signal(k model.AssetKey, src model.EvidenceSource, v string, at time.Time) model.Observation {
	return model.Observation{Kind: model.ObsSignal, Key: k, Time: at, Signal: &model.SignalInfo{Source: src, Value: v}}
}

// TestSignals checks asset_signals: one row per (asset, source, value)
// with its first and last report and how many there were; a signal seen
// through a router goes to the owner of its address, or nowhere (no asset
// is made of an address for a signal); empty ones are ignored.
func TestSignals(t *testing.T) {
	db, _ := newDB(t)
	pc := key(t, "00:1b:63:84:45:e6")
	router := key(t, "02:00:00:00:00:01")
	const ja4 = "t13d1516h2_8daaf6152771_02713d6af862"
	remote := func(ip, v string) model.Observation {
		o := signal(router, model.EvidenceHTTPUserAgent, v, t0.Add(2*time.Minute))
		o.Remote, o.IP = true, netip.MustParseAddr(ip)
		return o
	}
	mustSubmit(t, db,
		activity(pc, t0, t0, 1, 60),
		model.Observation{Kind: model.ObsARP, Key: pc, Time: t0, IP: netip.MustParseAddr("10.0.10.5"),
			Source: model.SourceARPReply, ARP: &model.ARPInfo{Op: 2}},
		signal(pc, model.EvidenceTLSJA4, ja4, t0),
		signal(pc, model.EvidenceTLSJA4, ja4, t0.Add(time.Minute)),
		remote("10.0.10.5", "Agent/1.0"),
		remote("10.9.9.9", "Elsewhere/2.0"),
		signal(pc, model.EvidenceTLSSNI, "", t0),
	)
	rows, err := db.rdb.Query(`SELECT a.mac, s.source, s.value, s.first_seen, s.last_seen, s.reports
		FROM asset_signals s JOIN assets a ON a.id = s.asset_id ORDER BY s.source`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type row struct {
		mac, source, value   string
		first, last, reports int64
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.mac, &r.source, &r.value, &r.first, &r.last, &r.reports); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	want := []row{
		{"00:1b:63:84:45:e6", "http.user_agent", "Agent/1.0", ns(t0.Add(2 * time.Minute)), ns(t0.Add(2 * time.Minute)), 1},
		{"00:1b:63:84:45:e6", "tls.ja4", ja4, ns(t0), ns(t0.Add(time.Minute)), 2},
	}
	if !slices.Equal(got, want) {
		t.Errorf("asset_signals:\n got %+v\nwant %+v", got, want)
	}
	var n int
	if err := db.rdb.QueryRow(`SELECT count(*) FROM assets`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d assets (%v), want 1: no asset for a router's MAC or an unowned address", n, err)
	}
	if st := db.Stats(); st.Ignored != 2 {
		t.Errorf("ignored %d, want 2 (the unowned remote signal and the empty one)", st.Ignored)
	}
}

// readsOnly is a Classifier that reads one signal source (SignalReader).
type readsOnly struct {
	*recorder
	src model.EvidenceSource
}

func (r readsOnly) ReadsSignal(src model.EvidenceSource) bool { return src == r.src }

// A new signal value classifies its asset again only when the classifier
// reads its source; the value is stored and in the facts of the next
// classification either way.
func TestSignalReclassifiesOnlyWhatIsRead(t *testing.T) {
	rec := &recorder{Classifier: loadEngine(t)}
	db, pc, n := classifiedAsset(t, rec, readsOnly{rec, model.EvidenceHTTPUserAgent})
	mustSubmit(t, db, signal(pc, model.EvidenceTCPSYNSig, "4:64+0:0:1460:mss*44,8:mss,nop,ws:df,id+:0", t0.Add(time.Second)))
	if got := rec.count(pc.MAC); got != n {
		t.Errorf("an unread signal classified the asset again (%d classifications, was %d)", got, n)
	}
	mustSubmit(t, db, signal(pc, model.EvidenceHTTPUserAgent, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", t0.Add(2*time.Second)))
	if got := rec.count(pc.MAC); got != n+1 {
		t.Errorf("a read signal: %d classifications, want %d", got, n+1)
	}
	f := rec.last(pc.MAC)
	if !slices.ContainsFunc(f.Signals, func(s fingerprint.Signal) bool { return s.Source == model.EvidenceTCPSYNSig }) {
		t.Errorf("the unread signal is not in the next classification's facts: %+v", f.Signals)
	}
}

// readsValue is a Classifier that reads one value of one signal source
// (SignalValueReader).
type readsValue struct {
	*recorder
	src   model.EvidenceSource
	value string
}

func (r readsValue) ReadsSignalValue(src model.EvidenceSource, v string) bool {
	return src == r.src && v == r.value
}

// A new value of a source the classifier reads classifies its asset again
// only when the classifier reads that value; the others are stored and in
// the facts of the next classification.
func TestSignalReclassifiesOnlyValuesRead(t *testing.T) {
	rec := &recorder{Classifier: loadEngine(t)}
	const linux = "4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0"
	db, pc, n := classifiedAsset(t, rec, readsValue{rec, model.EvidenceTCPSYNSig, linux})
	mustSubmit(t, db, signal(pc, model.EvidenceTCPSYNSig, "4:64+0:0:1460:mss*44,8:mss,nop,ws:df,id+:0", t0.Add(time.Second)))
	if got := rec.count(pc.MAC); got != n {
		t.Errorf("an unread value classified the asset again (%d classifications, was %d)", got, n)
	}
	mustSubmit(t, db, signal(pc, model.EvidenceTCPSYNSig, linux, t0.Add(2*time.Second)))
	if got := rec.count(pc.MAC); got != n+1 {
		t.Errorf("a read value: %d classifications, want %d", got, n+1)
	}
	if f := rec.last(pc.MAC); len(f.Signals) != 2 {
		t.Errorf("the next classification's facts hold %d signals, want both values: %+v", len(f.Signals), f.Signals)
	}
}

// classifiedAsset opens a database classifying with cl (which records its
// calls in rec) and gives it one asset; n is how often it was classified.
func classifiedAsset(t *testing.T, rec *recorder, cl Classifier) (db *DB, pc model.AssetKey, n int) {
	t.Helper()
	opts := testOpts()
	opts.Classifier = cl
	db = mustOpen(t, filepath.Join(t.TempDir(), "reads.db"), opts)
	pc = key(t, "00:1b:63:84:45:e6")
	mustSubmit(t, db, activity(pc, t0, t0, 1, 60))
	if n = rec.count(pc.MAC); n == 0 {
		t.Fatal("a new asset was not classified")
	}
	return db, pc, n
}

// TestSignalReadsNoClinicalRows checks that classifying an asset again for
// a new signal reads its DICOM and HL7 rows only when it has some: the
// flusher marks it with what the writer knew when it sealed the batch
// (before, every asset a signal marked was read as if it had some).
func TestSignalReadsNoClinicalRows(t *testing.T) {
	rec := &recorder{Classifier: loadEngine(t)}
	db, pc, n := classifiedAsset(t, rec, rec)
	reads := db.clinicalReads.Load()
	mustSubmit(t, db, signal(pc, model.EvidenceSSHServerBanner, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.4", t0.Add(time.Second)))
	if got := rec.count(pc.MAC); got != n+1 {
		t.Fatalf("a read signal: %d classifications, want %d", got, n+1)
	}
	if got := db.clinicalReads.Load(); got != reads {
		t.Errorf("an asset without DICOM or HL7 rows had them read %d times", got-reads)
	}
	mustSubmit(t, db, dicomObs(pc, t0.Add(2*time.Second), model.DICOMInfo{Role: model.RoleSCU, AETitle: "CT01",
		PeerAETitle: "PACS", SOPClasses: []string{uidCT}}))
	reads = db.clinicalReads.Load()
	mustSubmit(t, db, signal(pc, model.EvidenceSSHServerBanner, "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13", t0.Add(3*time.Second)))
	if got := db.clinicalReads.Load(); got != reads+1 {
		t.Errorf("an asset with DICOM rows: read %d times for a signal, want 1", got-reads)
	}
	if f := rec.last(pc.MAC); len(f.DICOM) != 1 {
		t.Errorf("the classification a signal caused lacks the asset's DICOM facts: %+v", f.DICOM)
	}
}
