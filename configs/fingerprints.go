package configs

import _ "embed"

// Fingerprints is the shipped device fingerprint rule pack
// (configs/fingerprints.yml), for fingerprint.Load.
//
//go:embed fingerprints.yml
var Fingerprints []byte
