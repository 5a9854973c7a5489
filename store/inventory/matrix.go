package inventory

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// MatrixRecord is which zones talk to which: every stored flow (the two
// copies of a routed flow as one) counted under the zones of its client
// (Src) and server (Dst) as the inventory places them now, and the stored
// violations under the zones they were flagged between. Without a policy
// there are no zones and no cells.
type MatrixRecord struct {
	GeneratedAt string       `json:"generated_at"`
	Zones       []string     `json:"zones"` // every zone in a cell, sorted: the rows and the columns
	Cells       []MatrixCell `json:"cells"` // the pairs with flows or violations, by source then destination
}

// MatrixCell is the traffic from one zone to another.
type MatrixCell struct {
	SrcZone     string `json:"src_zone"`
	DstZone     string `json:"dst_zone"`
	Flows       int    `json:"flows"`
	Connections uint64 `json:"connections"`
	Bytes       uint64 `json:"bytes"`
	Violations  int    `json:"violations"`
}

// Cell returns the cell from src to dst (zero when they do not talk).
func (m *MatrixRecord) Cell(src, dst string) MatrixCell {
	i, ok := slices.BinarySearchFunc(m.Cells, [2]string{src, dst}, func(c MatrixCell, k [2]string) int {
		if c.SrcZone != k[0] {
			return cmp.Compare(c.SrcZone, k[0])
		}
		return cmp.Compare(c.DstZone, k[1])
	})
	if !ok {
		return MatrixCell{SrcZone: src, DstZone: dst}
	}
	return m.Cells[i]
}

// Matrix counts flows and violations by source and destination zone. The
// answer is reused for SummaryTTL.
func (s *Service) Matrix(ctx context.Context) (MatrixRecord, error) {
	m, err := s.matrix.get(s.now(), func(now time.Time) (*MatrixRecord, error) { return s.zoneMatrix(ctx, now) })
	if err != nil {
		return MatrixRecord{}, err
	}
	return *m, nil
}

// zoneMatrix reads every flow and violation once, with cursors.
func (s *Service) zoneMatrix(ctx context.Context, now time.Time) (*MatrixRecord, error) {
	m := MatrixRecord{GeneratedAt: RFC3339(now), Zones: []string{}, Cells: []MatrixCell{}}
	cells := map[[2]string]*MatrixCell{}
	cell := func(src, dst string) *MatrixCell {
		k := [2]string{src, dst}
		if cells[k] == nil {
			cells[k] = &MatrixCell{SrcZone: src, DstZone: dst}
		}
		return cells[k]
	}
	_, err := s.EachFlow(ctx, FlowQuery{}, func(fs []FlowRecord) error {
		for i := range fs {
			if f := &fs[i]; f.SrcZone != "" && f.DstZone != "" {
				c := cell(f.SrcZone, f.DstZone)
				c.Flows++
				c.Connections += f.Connections
				c.Bytes += f.Bytes
			}
		}
		return nil
	})
	if err == nil && len(cells) > 0 { // violations only under a policy
		_, err = s.EachViolation(ctx, ViolationQuery{}, func(vs []ViolationRecord) error {
			for i := range vs {
				cell(vs[i].SrcZone, vs[i].DstZone).Violations++
			}
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	zones := map[string]bool{}
	for k, c := range cells {
		zones[k[0]], zones[k[1]] = true, true
		m.Cells = append(m.Cells, *c)
	}
	for z := range zones {
		m.Zones = append(m.Zones, z)
	}
	slices.Sort(m.Zones)
	slices.SortFunc(m.Cells, func(a, b MatrixCell) int {
		if a.SrcZone != b.SrcZone {
			return cmp.Compare(a.SrcZone, b.SrcZone)
		}
		return cmp.Compare(a.DstZone, b.DstZone)
	})
	return &m, nil
}
