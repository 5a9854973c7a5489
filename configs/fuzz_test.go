package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: any input either parses to a config that validates, or fails
// with nil and an error whose every line names the file (the contract the
// daemon's one-line errors and check-config rely on); it never panics.
// Seeded with the shipped example and every testdata file.
func FuzzParse(f *testing.F) {
	f.Add(Example)
	files, _ := filepath.Glob("testdata/*.yml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, "fuzz.yml")
		if err != nil {
			if cfg != nil {
				t.Fatalf("Parse returned a config with its error %v", err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "fuzz.yml: ") {
					t.Fatalf("error line %q does not name the file; error:\n%v", line, err)
				}
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that does not validate: %v", err)
		}
	})
}
