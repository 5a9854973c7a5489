package dicom

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A tiny CT object with a fictional patient: the name and ID are PHI
// canaries that must never show up in what the parser reports.
const ctDump = `(0008,0016) UI =CTImageStorage
(0008,0018) UI [2.25.123456789]
(0008,0060) CS [CT]
(0010,0010) PN [DOE^JANE]
(0010,0020) LO [CANARY0042]
(0020,000d) UI [2.25.1]
(0020,000e) UI [2.25.2]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0010) US 2
(0028,0011) US 2
(0028,0100) US 16
(0028,0101) US 12
(0028,0102) US 11
(0028,0103) US 0
(7fe0,0010) OW 0000\0001\0002\0003
`

// recorder is a TCP proxy that records what each connection carried, in
// the order the proxy read it.
type recorder struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  [][]segment
}

func newRecorder(t *testing.T, target string) *recorder {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{ln: ln, target: target}
	go r.serve()
	return r
}

func (r *recorder) port() int { return r.ln.Addr().(*net.TCPAddr).Port }

func (r *recorder) serve() {
	for {
		client, err := r.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", r.target)
		if err != nil {
			client.Close()
			continue
		}
		r.mu.Lock()
		id := len(r.conns)
		r.conns = append(r.conns, nil)
		r.mu.Unlock()
		r.wg.Add(2)
		go r.pipe(id, true, client, server)
		go r.pipe(id, false, server, client)
	}
}

func (r *recorder) pipe(id int, fromClient bool, src, dst net.Conn) {
	defer r.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			r.mu.Lock()
			r.conns[id] = append(r.conns[id], segment{FromClient: fromClient, Data: append([]byte(nil), buf[:n]...)})
			r.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
}

func (r *recorder) close() [][]segment {
	r.ln.Close()
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conns
}

func needBinaries(t *testing.T, names ...string) {
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Skipf("dcmtk binary %s not installed: %v", n, err)
		}
	}
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestDCMTK runs echoscu and storescu against storescp through a recording
// proxy and checks what the parser learns from the real bytes.
func TestDCMTK(t *testing.T) {
	if testing.Short() {
		t.Skip("starts dcmtk processes")
	}
	needBinaries(t, "storescp", "storescu", "echoscu", "dump2dcm")
	dir := t.TempDir()
	dump := filepath.Join(dir, "ct.dump")
	ct := filepath.Join(dir, "ct.dcm")
	if err := os.WriteFile(dump, []byte(ctDump), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, "dump2dcm", dump, ct)
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	port := freePort(t)
	scp := exec.CommandContext(ctx, "storescp", "-aet", "PACS1", "-od", out, strconv.Itoa(port))
	var scpLog bytes.Buffer
	scp.Stdout, scp.Stderr = &scpLog, &scpLog
	if err := scp.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		scp.Process.Kill()
		scp.Wait()
	}()
	target := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	waitListening(t, target)

	rec := newRecorder(t, target)
	pp := strconv.Itoa(rec.port())
	run(t, "echoscu", "-aet", "MODALITY1", "-aec", "PACS1", "127.0.0.1", pp)
	run(t, "storescu", "-aet", "MODALITY1", "-aec", "PACS1", "127.0.0.1", pp, ct)
	conns := rec.close()
	if len(conns) != 2 {
		t.Fatalf("recorded %d connections, want 2; storescp log:\n%s", len(conns), scpLog.String())
	}

	results := make([]Association, len(conns))
	for i, segs := range conns {
		var c Conn
		for _, s := range segs {
			c.Feed(s.FromClient, s.Data)
		}
		c.Flush()
		if c.Err() != nil || c.Malformed() != 0 {
			t.Errorf("conn %d: Err %v, stats %+v", i, c.Err(), c.Stats())
		}
		results[i] = c.Association()
		a := results[i]
		t.Logf("conn %d: %s -> %s, %d proposed, %d accepted, commands %+v, impl %s/%s",
			i, a.CallingAE, a.CalledAE, len(a.Proposed), len(a.Accepted), a.Commands, a.RequestorImplVersion, a.AcceptorImplVersion)

		if a.CallingAE != "MODALITY1" || a.CalledAE != "PACS1" || a.ApplicationContext != UIDApplicationContext {
			t.Errorf("conn %d: AEs %q -> %q, context %q", i, a.CallingAE, a.CalledAE, a.ApplicationContext)
		}
		if a.State != StateReleased {
			t.Errorf("conn %d: state %v", i, a.State)
		}
		for _, v := range []string{a.RequestorImplVersion, a.AcceptorImplVersion} {
			if !strings.HasPrefix(v, "OFFIS_DCMTK_3") {
				t.Errorf("conn %d: implementation version %q", i, v)
			}
		}
		for _, u := range []string{a.RequestorImplClassUID, a.AcceptorImplClassUID} {
			if !strings.HasPrefix(u, "1.2.276.0.7230010.3.") { // OFFIS root
				t.Errorf("conn %d: implementation class UID %q", i, u)
			}
		}
		if a.RequestorMaxPDU == 0 || a.AcceptorMaxPDU == 0 {
			t.Errorf("conn %d: max PDU %d/%d", i, a.RequestorMaxPDU, a.AcceptorMaxPDU)
		}
		// PHI canary: the data set went over the wire but nothing of it is
		// reported or kept.
		s := fmt.Sprintf("%+v", a)
		for _, bad := range []string{"DOE", "JANE", "CANARY"} {
			if strings.Contains(s, bad) {
				t.Errorf("conn %d: association contains %q", i, bad)
			}
		}
		assertNoPHI(t, &c)

		// Same result whatever the chunking.
		var whole Conn
		whole.Feed(true, joined(segs, true))
		whole.Feed(false, joined(segs, false))
		whole.Flush()
		if got := whole.Association(); !reflect.DeepEqual(got, a) {
			t.Errorf("conn %d: joined streams give %+v", i, got)
		}
	}

	echo, store := results[0], results[1]
	if !hasCommand(echo, CEchoRQ, UIDVerification) || !hasCommand(echo, CEchoRSP, UIDVerification) {
		t.Errorf("echo: commands %+v", echo.Commands)
	}
	if !hasAccepted(echo, UIDVerification) {
		t.Errorf("echo: Verification not accepted: %+v", echo.Accepted)
	}
	if !hasCommand(store, CStoreRQ, UIDCTImageStorage) || !hasCommand(store, CStoreRSP, UIDCTImageStorage) {
		t.Errorf("store: commands %+v", store.Commands)
	}
	if !hasAccepted(store, UIDCTImageStorage) {
		t.Errorf("store: CT Image Storage not accepted: %+v", store.Accepted)
	}
	proposedCT := false
	for _, p := range store.Proposed {
		proposedCT = proposedCT || p.AbstractSyntax == UIDCTImageStorage
	}
	if !proposedCT {
		t.Errorf("store: CT Image Storage not proposed: %+v", store.Proposed)
	}
	if !bytes.Contains(joined(conns[1], true), []byte("DOE^JANE")) {
		t.Error("canary not found on the wire: the PHI check proves nothing")
	}
}

func hasCommand(a Association, field uint16, sop string) bool {
	for _, c := range a.Commands {
		if c.Field == field && c.AffectedSOPClass == sop && c.FromRequestor == (field&ResponseBit == 0) {
			return true
		}
	}
	return false
}

func hasAccepted(a Association, sop string) bool {
	for _, p := range a.Accepted {
		if p.AbstractSyntax == sop && p.Accepted() {
			return true
		}
	}
	return false
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("storescp not listening on %s", addr)
}
