package central

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// The sensor databases of these tests are made the way a sensor makes them:
// the project's binary replays captures through the live pipeline
// (decoders, tracker, policy checker, classification, the store's writer).

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// repoRoot is the module root (two levels above this package).
func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// wardwatchBin builds cmd/wardwatch once per test binary.
func wardwatchBin(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "wardwatch-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "wardwatch")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/wardwatch")
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = err
			t.Logf("go build: %s", out)
		}
	})
	if binErr != nil {
		t.Fatalf("build wardwatch: %v", binErr)
	}
	return binPath
}

// TestMain removes the built binary.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// replay replays files into the database db (created if missing) with the
// example policy, labelled vantage.
func replay(t testing.TB, db, vantage string, files ...string) {
	t.Helper()
	args := append([]string{"replay", "--db", db, "--vantage", vantage,
		"--policy.file", filepath.Join(repoRoot(t), "configs", "policy.yml")}, files...)
	cmd := exec.Command(wardwatchBin(t), args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wardwatch %v: %v\n%s", args, err, out)
	}
}

// sharedCaptures returns the third-party captures under ../shared/pcaps that
// exist, or nil (the caller falls back to a project capture).
func sharedCaptures(t testing.TB, names ...string) []string {
	var out []string
	for _, n := range names {
		p := filepath.Join(repoRoot(t), "..", "shared", "pcaps", n)
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func demoPcap(t testing.TB) string { return filepath.Join(repoRoot(t), "testdata", "demo.pcap") }
