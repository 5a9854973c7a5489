package configs

import (
	"time"

	"github.com/wardwatch/wardwatch/behaviour"
)

// BaselineConfig is the baseline: section: per-device behaviour baselines
// (package behaviour).
type BaselineConfig struct {
	// LearnFor is each device's learning window, in capture time from its
	// first flow (1s..8760h). What it does afterwards that its baseline
	// lacks is an event.
	LearnFor time.Duration `yaml:"learn_for"`
	// MaxAssets bounds the devices with a baseline in memory (1..10000000).
	MaxAssets int `yaml:"max_assets"`
	// MaxItems bounds a device's items of each kind (1..100000).
	MaxItems int `yaml:"max_items"`
	// ClassMinDevices is how many other learned devices of its class a
	// device's class must have before "no other device of its class does
	// this" is an event (1..100000).
	ClassMinDevices int `yaml:"class_min_devices"`
}

func defaultBaseline() BaselineConfig {
	return BaselineConfig{LearnFor: behaviour.DefaultLearnFor, MaxAssets: behaviour.DefaultMaxAssets,
		MaxItems: behaviour.DefaultMaxItems, ClassMinDevices: behaviour.DefaultClassMinDevices}
}

// Options returns the behaviour stage's options of the section.
func (b *BaselineConfig) Options() behaviour.Options {
	return behaviour.Options{LearnFor: b.LearnFor, MaxAssets: b.MaxAssets, MaxItems: b.MaxItems,
		ClassMinDevices: b.ClassMinDevices}
}

func (b *BaselineConfig) validate(v *validator) {
	v.durRange("baseline.learn_for", b.LearnFor, time.Second, 8760*time.Hour, "1s..8760h")
	v.intRange("baseline.max_assets", b.MaxAssets, 1, 10000000)
	v.intRange("baseline.max_items", b.MaxItems, 1, 100000)
	v.intRange("baseline.class_min_devices", b.ClassMinDevices, 1, 100000)
}
