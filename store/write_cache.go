package store

// The writer's in-memory state: what it knows of the database's rows (ids,
// the values that decide events), and, marked dirty, the changes not yet
// committed. Between flushes this state is the truth; a flush writes the
// dirty part and marks it clean (write_batch.go).

import (
	"context"
	"net/netip"

	"github.com/wardwatch/wardwatch/model"
)

// cache spares the writer a lookup per observation in steady state, and
// holds the pending changes. After a commit, when no flush is under way,
// each map that grew past max is trimmed to 7/8 of it, keeping the rows
// with pending changes; a failed flush that gives up resets it all.
type cache struct {
	max    int
	assets map[model.AssetKey]*assetState // a nil value: known not to exist
	ips    map[netip.Addr]*ipOwners       // addresses, by IP: every asset that has it
	binds  map[bindKey]*bindState
	flows  map[flowKey]*flowState
	viols  map[violationKey]*violationState
	// grown counts, per server port and router, the growth markGrown saw
	// (an entry trimmed or reset starts again at 0: an early step again).
	grown map[grownKey]*growth
	// unresolved are the server addresses of flows rows to the link that
	// no asset was resolved for (dst_asset_id NULL, dst_local): an asset
	// that gets one of these addresses serves those flows (servedFlows).
	// unresolvedComplete says it holds all of the database's (a fresh
	// database, never trimmed): otherwise every new address counts.
	unresolved         map[netip.Addr]struct{}
	unresolvedComplete bool
	// quiet are classified assets whose evidence shows no count (no
	// flow.served, clients or routed row), as of the last commit that
	// classified them and no change marked since: growth between steps
	// cannot change their result nor their evidence text, so markGrown
	// does not defer a classification for it (deferGrowth).
	quiet map[int64]struct{}

	// complete says the map holds every row of its table (the database had
	// none at load and the map was never trimmed): a miss is an absent row,
	// no query needed. The common case of a fresh database.
	assetsComplete, ipsComplete, bindsComplete, flowsComplete, violsComplete bool
	// epoch counts trims of flows or violations: an asset this writer
	// created in the current epoch has all its flow and violation rows in
	// the maps (born == epoch).
	epoch uint64

	// The next row ids. Assets, flows and violations get their ids when the
	// writer first sees them, so that pending rows can reference each other
	// before any is written, and a failed flush can be retried as is.
	nextAsset, nextFlow, nextViolation int64

	loaded bool // load ran since the last reset
}

func (c *cache) init(max int) {
	c.max = max
	c.reset()
}

// reset forgets everything: ids, flags and pending changes. load must run
// before the next use.
func (c *cache) reset() {
	c.assets = make(map[model.AssetKey]*assetState)
	c.ips = make(map[netip.Addr]*ipOwners)
	c.binds = make(map[bindKey]*bindState)
	c.flows = make(map[flowKey]*flowState)
	c.viols = make(map[violationKey]*violationState)
	c.grown = make(map[grownKey]*growth)
	c.unresolved, c.unresolvedComplete = make(map[netip.Addr]struct{}), false
	c.quiet = make(map[int64]struct{})
	c.assetsComplete, c.ipsComplete, c.bindsComplete, c.flowsComplete, c.violsComplete = false, false, false, false, false
	c.epoch++
	c.loaded = false
}

// loadCacheQuery returns the next ids and which tables are empty.
const loadCacheQuery = `SELECT
	(SELECT ifnull(max(id), 0) FROM assets), (SELECT ifnull(max(id), 0) FROM flows),
	(SELECT ifnull(max(id), 0) FROM violations),
	NOT EXISTS (SELECT 1 FROM assets), NOT EXISTS (SELECT 1 FROM asset_addresses),
	NOT EXISTS (SELECT 1 FROM ip_bindings), NOT EXISTS (SELECT 1 FROM flows),
	NOT EXISTS (SELECT 1 FROM violations)`

// load reads the next row ids and which tables are empty.
func (c *cache) load(ctx context.Context, db *DB) error {
	var maxA, maxF, maxV int64
	st, err := db.lookupStmt(sCacheLoad)
	if err != nil {
		return err
	}
	if err := st.QueryRowContext(ctx).Scan(&maxA, &maxF, &maxV, &c.assetsComplete,
		&c.ipsComplete, &c.bindsComplete, &c.flowsComplete, &c.violsComplete); err != nil {
		return err
	}
	c.nextAsset, c.nextFlow, c.nextViolation = maxA+1, maxF+1, maxV+1
	c.unresolvedComplete = c.flowsComplete
	c.loaded = true
	return nil
}

// size is the number of entries the cache holds.
func (c *cache) size() int {
	return len(c.assets) + len(c.ips) + len(c.binds) + len(c.flows) + len(c.viols) + len(c.grown) + len(c.unresolved)
}

// trim bounds every map to max entries after a commit, when no flush is
// under way (every row the cache holds is in the database, or pending in
// the batch), keeping the pending rows and a random choice of the others.
func (c *cache) trim() {
	keep := c.max - c.max/8
	if trimMap(c.assets, c.max, keep, func(a *assetState) bool { return a != nil && a.dirty }) {
		c.assetsComplete = false
	}
	if trimMap(c.ips, c.max, keep, (*ipOwners).dirty) {
		c.ipsComplete = false
	}
	if trimMap(c.binds, c.max, keep, func(s *bindState) bool { return s.dirty }) {
		c.bindsComplete = false
	}
	trimMap(c.grown, c.max, keep, func(*growth) bool { return false })
	if len(c.quiet) > c.max {
		clear(c.quiet) // forgetting costs a deferred classification, no more
	}
	if len(c.unresolved) > c.max {
		clear(c.unresolved)
		c.unresolvedComplete = false
	}
	f := trimMap(c.flows, c.max, keep, func(s *flowState) bool { return s.dirty })
	v := trimMap(c.viols, c.max, keep, func(s *violationState) bool { return s.dirty })
	if f {
		c.flowsComplete = false
	}
	if v {
		c.violsComplete = false
	}
	if f || v {
		c.epoch++
	}
}

// trimMap deletes entries of m but those pending says to keep (in Go's
// random iteration order) down to keep when it holds more than max, and
// reports whether it did.
func trimMap[K comparable, V any](m map[K]V, max, keep int, pending func(V) bool) bool {
	if len(m) <= max {
		return false
	}
	for k, v := range m {
		if len(m) <= keep {
			break
		}
		if !pending(v) {
			delete(m, k)
		}
	}
	return true
}

// mayServe reports whether flows rows to ip no asset was resolved for may
// exist: an asset that gets the address serves them.
func (c *cache) mayServe(ip netip.Addr) bool {
	if !c.unresolvedComplete {
		return true
	}
	_, ok := c.unresolved[ip]
	return ok
}
