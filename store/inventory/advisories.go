package inventory

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint/advisory"
	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// The advisories of the inventory: which devices manufacturer security
// advisories (CSAF, loaded by fingerprint/advisory from advisories.dir)
// name, with the verdict and the evidence. The CLI (wardwatch advisories,
// wardwatch asset), the API, the web page, the metric and the
// advisory-match events all take this one answer.

// AdvisoryRecord is one advisory with the devices of the inventory it
// names.
type AdvisoryRecord struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	URL      string   `json:"url"`
	Released string   `json:"released"`
	Updated  string   `json:"updated"`
	CVEs     []string `json:"cves"`
	// CVSS is the highest CVSS v3 base score of the advisory, Severity its
	// qualitative severity (none, low, medium, high, critical).
	CVSS     float64 `json:"cvss"`
	Severity string  `json:"severity"`
	// Verdict is the strongest verdict of its devices.
	Verdict          string `json:"verdict"`
	Affected         int    `json:"affected"`          // devices affected
	PossiblyAffected int    `json:"possibly_affected"` // devices possibly affected
	// Devices it names: affected first, then by MAC or IP.
	Devices []AdvisoryDeviceRecord `json:"devices"`
}

// AdvisoryDeviceRecord is one device an advisory names.
type AdvisoryDeviceRecord struct {
	Device       AssetRefRecord `json:"device"`
	Manufacturer string         `json:"manufacturer"`
	Model        string         `json:"model"`
	MatchRecord
}

// AssetAdvisoryRecord is one advisory that names an asset
// (AssetDetailRecord.Advisories).
type AssetAdvisoryRecord struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
	MatchRecord
}

// MatchRecord is how an advisory names one device: the verdict, the CVEs,
// CVSS and severity of the products matched, the products with their
// evidence, and the remediations that apply to them, with the ports,
// services and addresses they name (byte offsets into Details).
type MatchRecord struct {
	Verdict      string                  `json:"verdict"`
	CVEs         []string                `json:"cves"`
	CVSS         float64                 `json:"cvss"`
	Severity     string                  `json:"severity"`
	Products     []advisory.ProductMatch `json:"products"`
	Remediations []advisory.Remediation  `json:"remediations"`
}

func matchRecord(m *advisory.Match) MatchRecord {
	return MatchRecord{Verdict: string(m.Verdict), CVEs: nonNil(m.CVEs), CVSS: m.CVSS, Severity: string(m.Severity),
		Products: m.Products, Remediations: nonNil(m.Remediations)}
}

// AdvisoriesRecord is the inventory against the advisories in force.
type AdvisoriesRecord struct {
	// Loaded is how many advisories are in force (0: none configured or
	// none loaded).
	Loaded int `json:"loaded"`
	// Assets is how many assets were checked, Matched how many of them
	// some advisory names.
	Assets  int `json:"assets"`
	Matched int `json:"matched"`
	// Advisories that name at least one device: affected before possibly
	// affected, then by CVSS (highest first), then by id.
	Advisories []AdvisoryRecord `json:"advisories"`
}

// AdvisoryCount is how many assets advisories of one severity name with
// one verdict (an asset named by several counts once per series).
type AdvisoryCount struct {
	Severity string
	Verdict  string
	N        int
}

// AdvisoryMatch is one (asset, advisory) pair of the inventory: what the
// advisory-match events are written from.
type AdvisoryMatch struct {
	AssetID int64
	Key     model.AssetKey
	IP      string // the address the device is shown with
	ID      string // the advisory's
	Verdict string
}

// AdvisoryCSVHeader is the header of AdvisoryRecord's CSV rows: one row
// per (advisory, device).
var AdvisoryCSVHeader = []string{"advisory", "title", "cves", "cvss", "severity", "verdict", "vantage", "vlan",
	"mac", "ip", "hostname", "class", "manufacturer", "model", "products", "evidence", "reasons"}

// CSVRows are the advisory's rows: one per device.
func (r *AdvisoryRecord) CSVRows() [][]string {
	var out [][]string
	for _, d := range r.Devices {
		var prods, ev, reasons []string
		for _, p := range d.Products {
			prods = append(prods, ProductText(p))
			for _, e := range p.Evidence {
				ev = append(ev, EvidenceText(e))
			}
			reasons = append(reasons, p.Reasons...)
		}
		out = append(out, []string{r.ID, r.Title, strings.Join(d.CVEs, " "), cvssText(d.CVSS), d.Severity,
			d.Verdict, d.Device.Vantage, u16(d.Device.VLAN), d.Device.MAC, d.Device.IP, d.Device.Hostname,
			string(d.Device.Class), d.Manufacturer, d.Model, strings.Join(prods, "; "), strings.Join(ev, "; "),
			strings.Join(slices.Compact(reasons), "; ")})
	}
	return out
}

// ProductText is a matched product as one line: its name and version as
// the advisory writes them (the vendor is in the evidence).
func ProductText(p advisory.ProductMatch) string {
	s := p.Product
	if p.Version != "" {
		s += " (" + p.Version + ")"
	}
	return s
}

// EvidenceText is one piece of match evidence as one line:
// `dhcp.opt60 "BD Alaris PC 8015" ~ product: ... (rule)`.
func EvidenceText(e advisory.Evidence) string {
	s := string(e.Field) + " " + `"` + e.Value + `"`
	if e.Advisory != "" {
		s += " ~ " + e.Advisory
	}
	if e.Rule != "" {
		s += " (" + e.Rule + ")"
	}
	return s
}

func cvssText(v float64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// advisorySet is the set in force, nil when none.
func (s *Service) advisorySet() *advisory.Set {
	if s.advisories == nil {
		return nil
	}
	return s.advisories()
}

// AdvisoriesLoaded is how many advisories are in force.
func (s *Service) AdvisoriesLoaded() int {
	if set := s.advisorySet(); set != nil {
		return set.Len()
	}
	return 0
}

// identity is what the sensor learned about the asset beyond its
// inventory fields, for matching: its firmware or software version (the
// classifier's), its own DICOM implementation (when it used an AE title)
// and its HL7 application names. HL7 equipment ids are not passed: the ids
// a device sends may name the devices behind it (a pump gateway's), not
// itself.
func (s *Service) identity(ctx context.Context, a *store.AssetDetail, names store.AssetNames) (advisory.Identity, error) {
	id := advisory.Identity{HL7Applications: names.HL7Apps, Firmware: a.Version}
	if len(names.AETitles) == 0 {
		return id, nil
	}
	dc, err := s.st.DICOM(ctx, a.ID)
	if err != nil {
		return id, err
	}
	for _, f := range dc { // the latest implementation the device announced
		if f.ImplClassUID != "" && id.DICOMImplClassUID == "" {
			id.DICOMImplClassUID, id.DICOMImplVersion = f.ImplClassUID, f.ImplVersion
		}
	}
	return id, nil
}

// fillAdvisories adds the advisories that name the asset.
func (s *Service) fillAdvisories(ctx context.Context, d *AssetDetailRecord, a *store.AssetDetail, names store.AssetNames) error {
	set := s.advisorySet()
	d.Advisories = []AssetAdvisoryRecord{}
	if set == nil {
		return nil
	}
	id, err := s.identity(ctx, a, names)
	if err != nil {
		return err
	}
	for _, m := range set.Match(a.Asset, id) {
		d.Advisories = append(d.Advisories, AssetAdvisoryRecord{ID: m.ID, Title: m.Title, URL: urlOf(m.Advisory),
			MatchRecord: matchRecord(&m)})
	}
	return nil
}

func urlOf(a *advisory.Advisory) string {
	if a == nil {
		return ""
	}
	return a.URL
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// advisoryScan is the whole inventory matched once.
type advisoryScan struct {
	rec     AdvisoriesRecord
	counts  []AdvisoryCount
	matches []AdvisoryMatch
}

// AdvisoryTTL is how long Advisories and AdvisoryCounts reuse their
// answer: matching reads every asset (about 40 µs of CPU each against the
// 144 ICSMA advisories), and matches change only with a device's identity
// or the advisories. A reload forgets it.
const AdvisoryTTL = time.Minute

// advisoryChunk is how many assets are read per query while matching the
// inventory.
const advisoryChunk = 500

// Advisories matches every asset of the inventory to the advisories in
// force. The answer is reused for AdvisoryTTL.
func (s *Service) Advisories(ctx context.Context) (*AdvisoriesRecord, error) {
	sc, err := s.advisoryScan.get(s.now(), func(now time.Time) (*advisoryScan, error) { return s.scanAdvisories(ctx, now) })
	if err != nil {
		return nil, err
	}
	return &sc.rec, nil
}

// AdvisoryCounts counts the assets advisories name by the advisory's
// severity and the verdict (wardwatch_advisory_matched_assets), as
// Advisories (and cached as long).
func (s *Service) AdvisoryCounts(ctx context.Context) ([]AdvisoryCount, error) {
	sc, err := s.advisoryScan.get(s.now(), func(now time.Time) (*advisoryScan, error) { return s.scanAdvisories(ctx, now) })
	if err != nil {
		return nil, err
	}
	return sc.counts, nil
}

// AdvisoryMatches returns every (asset, advisory) pair of the inventory
// now, not cached: the daemon writes an advisory-match event for each new
// pair or stronger verdict.
func (s *Service) AdvisoryMatches(ctx context.Context) ([]AdvisoryMatch, error) {
	sc, err := s.scanAdvisories(ctx, s.now())
	if err != nil {
		return nil, err
	}
	return sc.matches, nil
}

func (s *Service) scanAdvisories(ctx context.Context, now time.Time) (*advisoryScan, error) {
	sc := &advisoryScan{rec: AdvisoriesRecord{Advisories: []AdvisoryRecord{}}}
	set := s.advisorySet()
	if set == nil || set.Len() == 0 {
		return sc, nil
	}
	sc.rec.Loaded = set.Len()
	byID := map[string]*AdvisoryRecord{}
	type series struct{ sev, verdict string }
	seen := map[series]map[int64]bool{}
	err := s.st.EachAsset(ctx, store.AssetFilter{Sort: store.AssetSort{By: "mac"}}, advisoryChunk,
		func(ctx context.Context, as []store.AssetDetail) error {
			names, err := s.st.AssetNames(ctx, ids(as))
			if err != nil {
				return err
			}
			for i := range as {
				a := &as[i]
				sc.rec.Assets++
				id, err := s.identity(ctx, a, names[a.ID])
				if err != nil {
					return err
				}
				ms := set.Match(a.Asset, id)
				if len(ms) == 0 {
					continue
				}
				sc.rec.Matched++
				ref := refRecord(a)
				for i := range ms {
					m := &ms[i]
					r := byID[m.ID]
					if r == nil {
						r = newAdvisoryRecord(m.Advisory, m.ID, m.Title)
						byID[m.ID] = r
					}
					if m.Verdict == advisory.Affected {
						r.Affected++
						r.Verdict = string(advisory.Affected)
					} else {
						r.PossiblyAffected++
					}
					r.Devices = append(r.Devices, AdvisoryDeviceRecord{Device: ref, Manufacturer: a.Manufacturer,
						Model: a.Model, MatchRecord: matchRecord(m)})
					k := series{r.Severity, string(m.Verdict)}
					if seen[k] == nil {
						seen[k] = map[int64]bool{}
					}
					seen[k][a.ID] = true
					sc.matches = append(sc.matches, AdvisoryMatch{AssetID: a.ID, Key: a.Key, IP: ref.IP, ID: m.ID,
						Verdict: string(m.Verdict)})
				}
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	for _, r := range byID {
		sort.SliceStable(r.Devices, func(i, j int) bool {
			a, b := &r.Devices[i], &r.Devices[j]
			if a.Verdict != b.Verdict {
				return a.Verdict == string(advisory.Affected)
			}
			return false // EachAsset's order: by MAC
		})
		sc.rec.Advisories = append(sc.rec.Advisories, *r)
	}
	sort.Slice(sc.rec.Advisories, func(i, j int) bool {
		a, b := &sc.rec.Advisories[i], &sc.rec.Advisories[j]
		if a.Verdict != b.Verdict {
			return a.Verdict == string(advisory.Affected)
		}
		if a.CVSS != b.CVSS {
			return a.CVSS > b.CVSS
		}
		return a.ID < b.ID
	})
	for k, ids := range seen {
		sc.counts = append(sc.counts, AdvisoryCount{Severity: k.sev, Verdict: k.verdict, N: len(ids)})
	}
	sort.Slice(sc.counts, func(i, j int) bool {
		a, b := sc.counts[i], sc.counts[j]
		if a.Severity != b.Severity {
			return a.Severity < b.Severity
		}
		return a.Verdict < b.Verdict
	})
	return sc, nil
}

func newAdvisoryRecord(a *advisory.Advisory, id, title string) *AdvisoryRecord {
	r := &AdvisoryRecord{ID: id, Title: title, Verdict: string(advisory.PossiblyAffected), CVEs: []string{},
		Severity: string(advisory.SeverityNone)}
	if a != nil {
		r.URL, r.Released, r.Updated = a.URL, RFC3339(a.Released), RFC3339(a.Updated)
		r.CVEs, r.CVSS, r.Severity = nonNil(a.CVEs), a.CVSS, string(a.Severity)
	}
	return r
}
