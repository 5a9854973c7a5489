package inventory

import (
	"context"

	"github.com/wardwatch/wardwatch/store"
)

// Assets returns the page of assets q selects.
func (s *Service) Assets(ctx context.Context, q AssetQuery) (Page[AssetRecord], error) {
	now := s.now()
	f := store.AssetFilter{
		Vantage: q.Vantage, VLAN: q.VLAN, MAC: q.MAC, IP: q.IP, Class: q.Class, Modality: q.Modality,
		Vendor: q.Vendor, Search: q.Search, SeenSince: q.SeenSince, FirstSeenSince: q.NewSince, Sort: q.Sort,
	}
	if q.State != "" {
		since, before := s.life.bounds(q.State, now)
		if since.After(f.SeenSince) {
			f.SeenSince = since
		}
		f.SeenBefore = before
	}
	if q.Zone == "" { // else zones are computed here: so is the page
		f.Limit, f.Offset = q.Limit, q.Offset
	}
	page := Page[AssetRecord]{Limit: q.Limit, Offset: q.Offset, Items: []AssetRecord{}}
	details, total, err := s.st.FindAssets(ctx, f)
	if err != nil {
		return page, err
	}
	names, err := s.st.AssetNames(ctx, ids(details))
	if err != nil {
		return page, err
	}
	for i := range details {
		r := s.assetRecord(&details[i], names[details[i].ID], now)
		if q.Zone != "" && r.Zone != q.Zone {
			continue
		}
		page.Items = append(page.Items, r)
	}
	page.Total = total
	if q.Zone != "" {
		page.Total = len(page.Items)
		page.Items = window(page.Items, q.Limit, q.Offset)
	}
	return page, nil
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
