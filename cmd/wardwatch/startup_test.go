package main

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/wardwatch/wardwatch/configs"
	"github.com/wardwatch/wardwatch/store"
)

// TestStartupWarnings: root without run_as.user, and a capture interface
// with addresses, each give one warning; a service user and a bare SPAN
// port give none.
func TestStartupWarnings(t *testing.T) {
	warn := func(cfg *configs.Config, euid int, addrs map[string][]string) []observer.LoggedEntry {
		core, logs := observer.New(zap.WarnLevel)
		startupWarnings(zap.New(core), cfg, euid, func(name string) []string { return addrs[name] })
		return logs.All()
	}
	cfg := configs.Default()
	cfg.Capture.Interfaces = []configs.InterfaceConfig{{Name: "span0"}, {Name: "span1"}}
	addrs := map[string][]string{"span1": {"fe80::1/64"}}

	got := warn(cfg, 0, addrs)
	if len(got) != 2 || !strings.Contains(got[0].Message, "root without run_as.user") ||
		!strings.Contains(got[1].Message, "capture interface has IP addresses") {
		t.Fatalf("root, no run_as, span1 with an address: %v", got)
	}
	ctx := got[1].ContextMap()
	if ctx["interface"] != "span1" || !strings.Contains(ctx["fix"].(string), "net.ipv6.conf.span1.disable_ipv6=1") {
		t.Errorf("interface warning fields: %v", ctx)
	}
	cfg.RunAs.User = "wardwatch"
	if got := warn(cfg, 0, nil); len(got) != 0 {
		t.Errorf("root with run_as, bare interfaces: %v", got)
	}
	cfg.RunAs.User = ""
	if got := warn(cfg, 998, nil); len(got) != 0 {
		t.Errorf("a service user, bare interfaces: %v", got)
	}

	// The real lookup: loopback is never reported; an interface with an
	// address, if this host has one, is.
	if a := interfaceAddrs("lo"); a != nil {
		t.Errorf("interfaceAddrs(lo) = %v, want nothing (loopback)", a)
	}
	ifs, _ := net.Interfaces()
	for _, ifi := range ifs {
		if as, _ := ifi.Addrs(); ifi.Flags&net.FlagLoopback == 0 && len(as) > 0 {
			if got := interfaceAddrs(ifi.Name); len(got) != len(as) {
				t.Errorf("interfaceAddrs(%s) = %v, want %v", ifi.Name, got, as)
			}
			break
		}
	}
}

// TestStoreHint: under systemd a database that cannot be written names
// the sandbox's writable directories.
func TestStoreHint(t *testing.T) {
	_, err := store.Open("/etc/hostname/x.db", store.Options{})
	if err == nil {
		t.Fatal("opened a database under a file")
	}
	t.Setenv("INVOCATION_ID", "")
	if got := storeHint(err).Error(); strings.Contains(got, "ReadWritePaths") || !strings.Contains(got, "not writable") {
		t.Errorf("outside systemd: %q", got)
	}
	t.Setenv("INVOCATION_ID", "0123")
	if got := storeHint(err).Error(); !strings.Contains(got, "not writable") || !strings.Contains(got, "ReadWritePaths=") {
		t.Errorf("under systemd: %q", got)
	}
}

// TestDataFileError: a data file on a read-only file system (the unit's
// ProtectSystem=strict) or in a directory the user may not write is "not
// writable", with the sandbox hint under systemd.
func TestDataFileError(t *testing.T) {
	t.Setenv("INVOCATION_ID", "0123")
	for _, errno := range []syscall.Errno{syscall.EROFS, syscall.EACCES} {
		err := dataFileError(fmt.Errorf("/opt/w.db: %w", errno))
		if !errors.Is(err, store.ErrReadOnly) || !errors.Is(err, errno) ||
			!strings.HasPrefix(err.Error(), "not writable: /opt/w.db: ") || !strings.Contains(err.Error(), "ReadWritePaths=") {
			t.Errorf("%v: %v", errno, err)
		}
	}
	other := fmt.Errorf("/var/lib/wardwatch/w.db: %w", syscall.EIO)
	if err := dataFileError(other); err != other {
		t.Errorf("EIO: %v", err)
	}
}
