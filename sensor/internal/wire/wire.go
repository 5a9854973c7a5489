// Package wire holds the small byte helpers the signal decoders under
// sensor/ share. Nothing here allocates.
package wire

// TrimNUL drops the trailing NUL bytes some implementations send after a
// text value (C strings).
func TrimNUL(v []byte) []byte {
	for len(v) > 0 && v[len(v)-1] == 0 {
		v = v[:len(v)-1]
	}
	return v
}
