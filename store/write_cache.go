package store

// The writer's cache of asset ids, bindings and flow server ends.

import (
	"github.com/wardwatch/wardwatch/model"
)

// cache spares the writer a lookup per observation in steady state. It is
// emptied when it grows past max, and when a flush fails (a rollback may
// have removed rows it names).
type cache struct {
	max    int
	assets map[model.AssetKey]*assetState
	binds  map[bindKey]binding
	// dst resolves a flow's server end (server key, server IP) to the
	// asset id, 0 when it is not an asset there (a router's MAC). It is
	// emptied whenever an asset or an address is inserted, the only changes
	// that can turn a 0 into an id.
	dst map[dstKey]int64
}

func (c *cache) init(max int) {
	c.max = max
	c.reset()
}

func (c *cache) reset() {
	c.assets = make(map[model.AssetKey]*assetState)
	c.binds = make(map[bindKey]binding)
	c.dst = make(map[dstKey]int64)
}

func (c *cache) putAsset(k model.AssetKey, a *assetState) {
	if len(c.assets) >= c.max {
		c.assets = make(map[model.AssetKey]*assetState)
	}
	c.assets[k] = a
}

func (c *cache) putBinding(k bindKey, b binding) {
	if _, ok := c.binds[k]; !ok && len(c.binds) >= c.max {
		c.binds = make(map[bindKey]binding)
	}
	c.binds[k] = b
}
