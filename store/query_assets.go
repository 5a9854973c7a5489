package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/model"
)

// AssetDetail is an asset with the classification fields model.Asset does
// not have.
type AssetDetail struct {
	model.Asset
	Modality       string    // DICOM modality of an imaging-modality ("CT", ...), "" otherwise
	ClassStrength  int       // strength of the evidence behind Class (fingerprint Strength*), 0 if unclassified
	ClassChangedAt time.Time // when Class last changed value; zero if never
	// Sensor and Site are the central inventory's (store/central): the
	// sensor whose row Key is (the vantage seen last), and Vantages every
	// sensor, vantage and VLAN the device was seen at. Empty in a sensor's
	// own database.
	Sensor, Site string
	Vantages     []Vantage
}

// AssetFilter selects assets. Zero fields match everything. Every value is
// bound as a query parameter; Sort.By is looked up in a fixed table.
type AssetFilter struct {
	// Sensor and Site select by the pushing sensor in the central
	// inventory (store/central); a sensor's own database ignores them.
	Sensor, Site string
	Vantage      string
	VLAN         *uint16
	MAC          model.MAC
	IP           netip.Addr  // assets that used this address, or are keyed by it
	IDs          []int64     // only these asset rows (nil: any; empty non-nil: none)
	Class        model.Class // device class, exactly (model.ClassUnknown for unclassified)
	// Modality is the DICOM modality of an imaging-modality ("CT"),
	// exactly.
	Modality string
	// Vendor matches a case-insensitive substring of the OUI vendor or of
	// the fingerprinted manufacturer.
	Vendor string
	// Search matches a case-insensitive substring of any hostname the
	// asset announced, its model or manufacturer, a DICOM AE title it used
	// as its own, or an HL7 application or facility it used as its own.
	Search         string
	SeenSince      time.Time // last seen at or after
	SeenBefore     time.Time // last seen before
	FirstSeenSince time.Time // first seen at or after

	Sort   AssetSort
	Limit  int // at most this many; 0 for all
	Offset int // skip this many (after sorting); needs no Limit
}

// AssetSort orders assets: By one of AssetSorts, descending with Desc. The
// zero value is the key order (vantage, VLAN, MAC, key IP), which also
// breaks every tie.
type AssetSort struct {
	By   string
	Desc bool
}

// String is the sort as a parameter: By, with a leading "-" when Desc.
func (s AssetSort) String() string {
	if s.Desc {
		return "-" + s.By
	}
	return s.By
}

// AssetSorts are the keys AssetSort.By accepts.
var AssetSorts = []string{"vantage", "vlan", "mac", "hostname", "vendor", "class", "model", "confidence",
	"first_seen", "last_seen", "packets", "bytes"}

// assetSortColumns maps AssetSorts to columns: By never reaches SQL.
var assetSortColumns = map[string]string{
	"vantage": "vantage", "vlan": "vlan", "mac": "mac", "hostname": "hostname", "vendor": "vendor",
	"class": "class", "model": "model", "confidence": "class_confidence", "first_seen": "first_seen", "last_seen": "last_seen",
	"packets": "packets", "bytes": "bytes",
}

const assetKeyOrder = "vantage, vlan, mac, key_ip"

func assetOrder(s AssetSort) (string, error) {
	if s.By == "" {
		return assetKeyOrder, nil
	}
	col, ok := assetSortColumns[s.By]
	if !ok {
		return "", fmt.Errorf("assets filter: unknown sort %q (want one of %s)", s.By, strings.Join(AssetSorts, ", "))
	}
	dir := " ASC"
	if s.Desc {
		dir = " DESC"
	}
	if col == "vantage" {
		return "vantage" + dir + ", vlan, mac, key_ip", nil
	}
	return col + dir + ", " + assetKeyOrder, nil
}

// latestAETitle is the latest non-empty DICOM AE title the asset a used
// as its own (either role), "" if none: model.Asset.AETitle, what the
// policy checker places an asset by.
const latestAETitle = `ifnull((SELECT ae_title FROM dicom_aes x WHERE x.asset_id = a.id AND x.ae_title <> ''
	ORDER BY x.last_seen DESC, x.id DESC LIMIT 1), '')`

const assetColumns = `id, vantage, vlan, mac, key_ip, outer_vlan, vendor, randomized, first_seen, last_seen,
	packets, bytes, hostname, dhcp_param_list, dhcp_max_msg_size, dhcp_vendor_class, dhcp_client_id,
	class, class_confidence, manufacturer, model, os, modality, class_strength, class_changed_at, version, ` + latestAETitle

// assetSearch is the condition of AssetFilter.Search; every ? is the
// pattern.
const assetSearch = `(hostname LIKE ? ESCAPE '\' OR model LIKE ? ESCAPE '\' OR manufacturer LIKE ? ESCAPE '\'
	OR id IN (SELECT asset_id FROM asset_hostnames WHERE name LIKE ? ESCAPE '\')
	OR id IN (SELECT asset_id FROM dicom_aes WHERE ae_title LIKE ? ESCAPE '\')
	OR id IN (SELECT asset_id FROM hl7_apps WHERE application LIKE ? ESCAPE '\' OR facility LIKE ? ESCAPE '\'))`

// assetConds turns f into conditions on assets. The caller handles an
// empty non-nil f.IDs (nothing matches).
func assetConds(f *AssetFilter) conds {
	var c conds
	c.in("id", f.IDs)
	eq(&c, f.Vantage, "vantage")
	c.vlan("vlan", f.VLAN)
	c.mac(f.MAC, "mac")
	if f.IP.IsValid() {
		ip := normIP(f.IP).String()
		c.add("(key_ip = ? OR id IN (SELECT asset_id FROM asset_addresses WHERE ip = ?))", ip, ip)
	}
	eq(&c, f.Class, "class")
	eq(&c, f.Modality, "modality")
	c.like(f.Vendor, `(vendor LIKE ? ESCAPE '\' OR manufacturer LIKE ? ESCAPE '\')`)
	c.like(f.Search, assetSearch)
	c.since("last_seen", f.SeenSince)
	c.before("last_seen", f.SeenBefore)
	c.since("first_seen", f.FirstSeenSince)
	return c
}

// FindAssets returns the page of assets f selects, ordered by f.Sort, each
// with its addresses (by first seen) and latest AE title, and how many
// match f in all (Limit and Offset aside).
func (db *DB) FindAssets(ctx context.Context, f AssetFilter) ([]AssetDetail, int, error) {
	if f.IDs != nil && len(f.IDs) == 0 {
		return nil, 0, nil // no IDs: nothing matches
	}
	order, err := assetOrder(f.Sort)
	if err != nil {
		return nil, 0, err
	}
	return db.findAssets(ctx, pageQuery{conds: assetConds(&f), order: order, limit: f.Limit, offset: f.Offset})
}

// Assets returns the model.Asset of each asset FindAssets returns.
func (db *DB) Assets(ctx context.Context, f AssetFilter) ([]model.Asset, error) {
	details, _, err := db.FindAssets(ctx, f)
	if err != nil || len(details) == 0 {
		return nil, err
	}
	assets := make([]model.Asset, len(details))
	for i := range details {
		assets[i] = details[i].Asset
	}
	return assets, nil
}

// Asset returns the asset with row id id, with its addresses. A missing
// asset is an error matching ErrNoAsset.
func (db *DB) Asset(ctx context.Context, id int64) (AssetDetail, error) {
	var c conds
	c.add("id = ?", id)
	return db.oneAsset(ctx, c, fmt.Sprintf("no asset with id %d", id))
}

// AssetByKey returns the asset keyed by k (normalised as the writer keys
// assets). A missing asset is an error matching ErrNoAsset.
func (db *DB) AssetByKey(ctx context.Context, k model.AssetKey) (AssetDetail, error) {
	missing := "no asset " + k.String()
	nk, ok := normKey(k)
	if !ok { // a key the writer does not store
		return AssetDetail{}, &pathError{op: "query asset in", path: db.path, kind: ErrNoAsset, msg: missing}
	}
	mac, keyIP, _ := keyColumns(nk)
	var c conds
	c.add("vantage = ? AND vlan = ? AND mac = ? AND key_ip = ?", nk.Vantage, nk.VLAN, mac, keyIP)
	return db.oneAsset(ctx, c, missing)
}

// oneAsset returns the asset c selects; none is an ErrNoAsset error
// saying missing.
func (db *DB) oneAsset(ctx context.Context, c conds, missing string) (AssetDetail, error) {
	as, _, err := db.findAssets(ctx, pageQuery{conds: c, order: assetKeyOrder, limit: 1})
	if err != nil {
		return AssetDetail{}, err
	}
	if len(as) == 0 {
		return AssetDetail{}, &pathError{op: "query asset in", path: db.path, kind: ErrNoAsset, msg: missing}
	}
	return as[0], nil
}

// findAssets runs q (conditions, order and window set) on assets and adds
// the addresses.
func (db *DB) findAssets(ctx context.Context, q pageQuery) ([]AssetDetail, int, error) {
	q.op, q.columns, q.from = "query assets in", assetColumns, "assets a"
	var assets []AssetDetail
	total, err := db.find(ctx, q, func(rows *sql.Rows, total *int) error {
		d, err := scanAsset(rows, total)
		assets = append(assets, d)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if err := db.fillAddresses(ctx, assets); err != nil {
		return nil, 0, wrap("query addresses in", db.path, err)
	}
	return assets, total, nil
}

// scanAsset scans a row of assetColumns, then total.
func scanAsset(rows *sql.Rows, total *int) (AssetDetail, error) {
	var (
		d                                     AssetDetail
		a                                     = &d.Asset
		mac, keyIP                            string
		first, last, packets, nbytes, changed int64
	)
	if err := rows.Scan(&a.ID, &a.Key.Vantage, &a.Key.VLAN, &mac, &keyIP, &a.OuterVLAN, &a.Vendor,
		&a.Randomized, &first, &last, &packets, &nbytes, &a.Hostname, &a.DHCPParamList,
		&a.DHCPMaxMsgSize, &a.DHCPVendorClass, &a.DHCPClientID, &a.Class, &a.ClassConfidence,
		&a.Manufacturer, &a.Model, &a.OS, &d.Modality, &d.ClassStrength, &changed, &a.Version, &a.AETitle, total); err != nil {
		return d, err
	}
	var err error
	if a.Key.MAC, a.Key.IP, err = parseKey(mac, keyIP); err != nil {
		return d, fmt.Errorf("asset %d: %w", a.ID, err)
	}
	a.FirstSeen, a.LastSeen = fromNS(first), fromNS(last)
	a.Packets, a.Bytes = uint64(packets), uint64(nbytes)
	d.ClassChangedAt = fromNS(changed)
	return d, nil
}

// ClassOf returns the device class (model.ClassUnknown until classified) and the
// latest non-empty DICOM AE title of the asset keyed by k, from the
// database; both are "" when the asset is not in the inventory. A failed
// query is logged and reported as "". Per-flow callers should use Classes
// instead, which needs no query.
func (db *DB) ClassOf(ctx context.Context, k model.AssetKey) (class model.Class, aeTitle string) {
	nk, ok := normKey(k)
	if !ok {
		return "", ""
	}
	mac, keyIP, _ := keyColumns(nk)
	err := db.rdb.QueryRowContext(ctx, `SELECT class, `+latestAETitle+`
		FROM assets a WHERE vantage = ? AND vlan = ? AND mac = ? AND key_ip = ?`,
		nk.Vantage, nk.VLAN, mac, keyIP).Scan(&class, &aeTitle)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		db.log.Warn("store: class lookup failed", zap.String("path", db.path), zap.Stringer("asset", nk),
			zap.Error(err))
	}
	if err != nil {
		return "", ""
	}
	return class, aeTitle
}

// AssetNames are the application-level names an asset used: what biomed
// staff search for.
type AssetNames struct {
	// AETitles are the distinct non-empty DICOM AE titles the asset used as
	// its own (either role), latest first.
	AETitles []string
	// HL7Apps are the distinct non-empty HL7 applications (MSH-3 as sender,
	// MSH-5 as receiver) the asset used as its own, latest first.
	HL7Apps []string
}

// AssetNames returns the names of the asset rows ids; assets without names
// are absent from the map.
func (db *DB) AssetNames(ctx context.Context, ids []int64) (map[int64]AssetNames, error) {
	out := make(map[int64]AssetNames)
	err := inChunks(slices.Compact(slices.Sorted(slices.Values(ids))), func(args []any) error {
		in := "(" + placeholders(len(args)) + ")"
		q := `SELECT asset_id, 'ae', ae_title, max(last_seen) m FROM dicom_aes
				WHERE ae_title <> '' AND asset_id IN ` + in + ` GROUP BY asset_id, ae_title
			UNION ALL
			SELECT asset_id, 'hl7', application, max(last_seen) m FROM hl7_apps
				WHERE application <> '' AND asset_id IN ` + in + ` GROUP BY asset_id, application
			ORDER BY 1, 2, 4 DESC, 3`
		return db.scanEach(ctx, q, append(args, args...), func(rows *sql.Rows) error {
			var (
				id         int64
				kind, name string
				last       int64
			)
			if err := rows.Scan(&id, &kind, &name, &last); err != nil {
				return err
			}
			n := out[id]
			if kind == "ae" {
				n.AETitles = append(n.AETitles, name)
			} else {
				n.HL7Apps = append(n.HL7Apps, name)
			}
			out[id] = n
			return nil
		})
	})
	if err != nil {
		return nil, wrap("query names in", db.path, err)
	}
	return out, nil
}
