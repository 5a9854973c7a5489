package inventory

import (
	"context"
	"time"

	"github.com/wardwatch/wardwatch/store"
)

// assetFilter is the store filter of q at now, and whether the service
// must still filter by zone or state (zones are the policy's, computed
// here, and so is a critical device's state: then the store returns every
// other match and the page is cut here too).
func (s *Service) assetFilter(q *AssetQuery, now time.Time) (f store.AssetFilter, byZone bool) {
	f = store.AssetFilter{
		Sensor: q.Sensor, Site: q.Site, Vantage: q.Vantage, VLAN: q.VLAN, MAC: q.MAC, IP: q.IP, Class: q.Class, Modality: q.Modality,
		Vendor: q.Vendor, Search: q.Search, SeenSince: q.SeenSince, FirstSeenSince: q.NewSince, Sort: q.Sort,
	}
	byState := q.State != "" && s.hasCritical()
	if q.State != "" && !byState {
		since, before := s.life.bounds(q.State, now)
		if since.After(f.SeenSince) {
			f.SeenSince = since
		}
		f.SeenBefore = before
	}
	if q.Zone == "" && !byState {
		f.Limit, f.Offset = q.Limit, q.Offset
	}
	return f, q.Zone != "" || byState
}

// keep reports whether r passes q's zone and state (the filters the
// service applies itself).
func (q *AssetQuery) keep(r *AssetRecord) bool {
	return (q.Zone == "" || r.Zone == q.Zone) && (q.State == "" || r.State == q.State)
}

// Assets returns the page of assets q selects.
func (s *Service) Assets(ctx context.Context, q AssetQuery) (Page[AssetRecord], error) {
	if err := s.checkFleet(q.Sensor, q.Site); err != nil {
		return Page[AssetRecord]{Limit: q.Limit, Offset: q.Offset, Items: []AssetRecord{}}, err
	}
	now := s.now()
	f, byZone := s.assetFilter(&q, now)
	conv := func(ctx context.Context, ds []store.AssetDetail) ([]AssetRecord, error) {
		return s.assetRecords(ctx, ds, now)
	}
	if !byZone {
		return findPage(ctx, s.st.FindAssets, f, conv, q.Limit, q.Offset)
	}
	// By zone: every other match streams past, the page is kept.
	page := Page[AssetRecord]{Limit: q.Limit, Offset: q.Offset, Items: []AssetRecord{}}
	var err error
	page.Total, err = s.eachAsset(ctx, f, &q, now, func(recs []AssetRecord) error {
		page.Items = append(page.Items, recs...)
		page.Items = window(page.Items, q.Limit, 0) // never more than a page in memory
		return nil
	}, q.Offset)
	return page, err
}

// EachAsset calls fn with the assets q selects, in chunks, and returns how
// many there were.
func (s *Service) EachAsset(ctx context.Context, q AssetQuery, fn func([]AssetRecord) error) (int, error) {
	if err := s.checkFleet(q.Sensor, q.Site); err != nil {
		return 0, err
	}
	now := s.now()
	f, byZone := s.assetFilter(&q, now)
	if !byZone {
		return eachChunk(ctx, s.st.EachAsset, f, func(ctx context.Context, ds []store.AssetDetail) ([]AssetRecord, error) {
			return s.assetRecords(ctx, ds, now)
		}, fn)
	}
	n := 0
	_, err := s.eachAsset(ctx, f, &q, now, func(recs []AssetRecord) error {
		if q.Limit > 0 {
			if n >= q.Limit {
				return nil
			}
			recs = window(recs, q.Limit-n, 0)
		}
		n += len(recs)
		return fn(recs)
	}, q.Offset)
	return n, err
}

// eachAsset calls fn with the records of the assets f selects that q keeps
// (zone, state), skipping the first skip of them, and returns how many
// matched in all (skipped ones included).
func (s *Service) eachAsset(ctx context.Context, f store.AssetFilter, q *AssetQuery, now time.Time,
	fn func([]AssetRecord) error, skip int) (int, error) {
	n := 0
	err := s.st.EachAsset(ctx, f, 0, func(ctx context.Context, ds []store.AssetDetail) error {
		recs, err := s.assetRecords(ctx, ds, now)
		if err != nil {
			return err
		}
		kept := recs[:0]
		for _, r := range recs {
			if !q.keep(&r) {
				continue
			}
			if n++; n > skip {
				kept = append(kept, r)
			}
		}
		if len(kept) == 0 {
			return nil
		}
		return fn(kept)
	})
	return n, err
}

// assetRecords returns the records of ds at now, with their names.
func (s *Service) assetRecords(ctx context.Context, ds []store.AssetDetail, now time.Time) ([]AssetRecord, error) {
	names, err := s.st.AssetNames(ctx, ids(ds))
	if err != nil {
		return nil, err
	}
	probed, err := s.probed(ctx, ds)
	if err != nil {
		return nil, err
	}
	out := make([]AssetRecord, 0, len(ds))
	for i := range ds {
		out = append(out, s.assetRecord(&ds[i], names[ds[i].ID], probed[ds[i].ID], now))
	}
	return out, nil
}

func ids(ds []store.AssetDetail) []int64 {
	out := make([]int64, len(ds))
	for i := range ds {
		out[i] = ds[i].ID
	}
	return out
}

// assetsByID loads the assets of ids (zeros and repeats skipped).
func (s *Service) assetsByID(ctx context.Context, ids []int64) (map[int64]*store.AssetDetail, error) {
	var want []int64
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			want = append(want, id)
		}
	}
	out := make(map[int64]*store.AssetDetail, len(want))
	if len(want) == 0 {
		return out, nil
	}
	as, _, err := s.st.FindAssets(ctx, store.AssetFilter{IDs: want})
	if err != nil {
		return nil, err
	}
	for i := range as {
		out[as[i].ID] = &as[i]
	}
	return out, nil
}
