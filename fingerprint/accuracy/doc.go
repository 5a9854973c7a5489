// Package accuracy measures how well package fingerprint identifies
// devices. Its tests are the measurement: the labelled set of documented
// and observed fingerprints (testdata/labelled.yml), and the shared
// third-party captures replayed through the sensor and the store with their
// devices labelled (testdata/captures.yml), each as wired today and with the
// signals of the decoders that are not wired yet. `make identification`
// writes the results into the tables of docs/identification.md.
package accuracy
