package store

import (
	"sync"

	"github.com/wardwatch/wardwatch/model"
)

// Watch registers fn to be called after every batch the writer commits,
// with the keys of the assets whose class or AE title the batch changed
// (none, often): the policy checker judges flows again when an end's class
// settles or changes. fn runs on the writer's goroutine, after the commit
// and after the index shows the batch: it must return quickly and must not
// call Submit, Flush or Close. A read-only DB's index never changes and
// never calls fn.
func (x *ClassIndex) Watch(fn func(changed []model.AssetKey)) {
	x.watchers.mu.Lock()
	x.watchers.fns = append(x.watchers.fns, fn)
	x.watchers.mu.Unlock()
}

// watchers are the functions Watch registered.
type watchers struct {
	mu  sync.Mutex
	fns []func(changed []model.AssetKey)
}

func (w *watchers) notify(changed []model.AssetKey) {
	w.mu.Lock()
	fns := w.fns
	w.mu.Unlock()
	for _, fn := range fns {
		fn(changed)
	}
}
