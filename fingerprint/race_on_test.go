//go:build race

package fingerprint

// raceEnabled: the race detector makes sync.Pool (regexp's machine cache)
// drop entries, so allocation counts are meaningless.
const raceEnabled = true
