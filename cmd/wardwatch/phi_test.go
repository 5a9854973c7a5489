package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// phiCanaries are fictional patients carried by the test captures:
// ndpi/hl7.pcap (MOUSE^MICKEY, with address, phone and an SSN-like number),
// tapirx HL7-ADT/ORU, and the project's demo capture (CANARY^PHI^TEST in a
// PID segment, DEMO^PATIENT in DICOM data sets).
var phiCanaries = []string{"MOUSE", "MICKEY", "Mickey", "DISNEY", "CANARY^PHI", "CANARY", "DEMO^PATIENT", "PATIENT^",
	"123-45-6789", "555-555"}

// TestNoPHI replays every capture with a fictional patient through the whole
// daemon (debug logging, ECS event file, web listener) and asserts no canary
// reaches the database, its WAL, the event file, the logs, the metrics or
// the command output. The database and WAL are read while the daemon still
// runs (replay --serve), before any checkpoint removes the WAL.
func TestNoPHI(t *testing.T) {
	root := sharedPcaps(t)
	bin := wardwatchBinary(t)
	dir := t.TempDir()
	port := freePort(t)
	cfg := filepath.Join(dir, "wardwatch.yml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("log:\n  level: debug\nevents:\n  file: %s\nstore:\n  flush_interval: 50ms\n",
		filepath.Join(dir, "events.jsonl"))), 0o600)
	captures := []string{filepath.Join(root, "ndpi/hl7.pcap"), filepath.Join(root, "tapirx/HL7-ADT.pcap"),
		filepath.Join(root, "tapirx/HL7-ORU.pcap"), filepath.Join("..", "..", "testdata", "demo.pcap")}
	// Sanity: the canaries really are on the wire.
	for _, c := range captures[:1] {
		b, _ := os.ReadFile(c)
		if !bytes.Contains(b, []byte("MOUSE")) {
			t.Fatalf("%s no longer carries the canary", c)
		}
	}
	args := append([]string{"replay", "--serve", "--config.file", cfg, "--db", filepath.Join(dir, "phi.db"),
		"--policy.file", filepath.Join("..", "..", "configs", "policy.yml"), "--web.listen-address", fmt.Sprintf("127.0.0.1:%d", port)}, captures...)
	cmd := exec.Command(bin, args...)
	var out, errb lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for the replay to finish and be served.
	deadline := time.Now().Add(30 * time.Second)
	var metrics []byte
	for time.Now().Before(deadline) {
		if strings.Contains(errb.String(), "replay done") {
			if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port)); err == nil {
				metrics, _ = readAll(resp)
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if metrics == nil {
		cmd.Process.Kill()
		t.Fatalf("daemon did not finish the replay: %s", errb.String())
	}
	time.Sleep(200 * time.Millisecond) // a last flush
	files := map[string][]byte{"metrics": metrics}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		files[e.Name()] = b
	}
	if _, ok := files["phi.db-wal"]; !ok {
		t.Log("no WAL file present while serving (already checkpointed)")
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, errb.String())
	}
	files["stdout"], files["stderr"] = out.Bytes(), errb.Bytes()
	db, _ := os.ReadFile(filepath.Join(dir, "phi.db"))
	files["phi.db (closed)"] = db
	for name, b := range files {
		for _, c := range phiCanaries {
			if bytes.Contains(b, []byte(c)) {
				t.Errorf("PHI canary %q found in %s", c, name)
			}
		}
	}
	if len(files["phi.db"]) == 0 || len(files["phi.db-wal"])+len(db) < 8192 || !bytes.Contains(files["stderr"], []byte("INFO")) {
		t.Errorf("the test did not see a database, its WAL or logs: db %d, wal %d", len(files["phi.db"]), len(files["phi.db-wal"]))
	}
	// What should be there is there: the HL7 applications.
	if !bytes.Contains(db, []byte("SENDING_APPLICATION")) {
		t.Error("HL7 header fields missing from the database")
	}
}

func readAll(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err := b.ReadFrom(resp.Body)
	return b.Bytes(), err
}

// lockedBuffer is a bytes.Buffer safe to read while a child process writes
// to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.b.Bytes()...)
}
