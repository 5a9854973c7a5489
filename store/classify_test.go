package store

import (
	"github.com/wardwatch/wardwatch/fingerprint"
)

// classifierFunc adapts a function to Classifier.
type classifierFunc func(*fingerprint.Facts) fingerprint.Result

func (f classifierFunc) Classify(x *fingerprint.Facts) fingerprint.Result { return f(x) }
