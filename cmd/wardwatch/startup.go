package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"syscall"

	"go.uber.org/zap"

	"github.com/wardwatch/wardwatch/configs"
	"github.com/wardwatch/wardwatch/store"
)

// startupWarnings logs, once at start, what `run` accepts but is probably
// not what the operator meant: running as root with nothing to become, and
// a capture interface with IP addresses (a SPAN port should have none, see
// README "The SPAN interface"). euid and addrsOf are os.Geteuid and
// interfaceAddrs, replaced in tests.
func startupWarnings(log *zap.Logger, cfg *configs.Config, euid int, addrsOf func(name string) []string) {
	if euid == 0 && cfg.RunAs.User == "" {
		log.Warn("running as root without run_as.user: after opening the capture sockets the sensor stays uid 0 " +
			"(with no capability left) and its database and event files belong to root; " +
			"set run_as.user (the Debian package's config sets wardwatch) or start it from wardwatch.service")
	}
	for _, ic := range cfg.Capture.Interfaces {
		if addrs := addrsOf(ic.Name); len(addrs) > 0 {
			log.Warn("capture interface has IP addresses: a SPAN port should have none, or the kernel sends ARP, "+
				"IPv6 neighbour and router solicitations and DHCP on it, and they are captured as traffic",
				zap.String("interface", ic.Name), zap.Strings("addresses", addrs),
				zap.String("fix", fmt.Sprintf("ip address flush dev %s; sysctl -w net.ipv6.conf.%s.disable_ipv6=1", ic.Name, ic.Name)))
		}
	}
}

// interfaceAddrs returns the addresses of a capture interface, none for a
// loopback interface (captured in tests, never a SPAN port) or one that
// cannot be looked up (opening it reports that).
func interfaceAddrs(name string) []string {
	ifi, err := net.InterfaceByName(name)
	if err != nil || ifi.Flags&net.FlagLoopback != 0 {
		return nil
	}
	addrs, err := ifi.Addrs()
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, a.String())
	}
	return out
}

// dataFileError says "not writable" when the database or events file
// cannot be created or opened for writing where it is (a read-only file
// system, as under the unit's ProtectSystem=strict, or a directory the user
// may not write), as the store says it for the database itself.
func dataFileError(err error) error {
	if errors.Is(err, syscall.EROFS) || errors.Is(err, fs.ErrPermission) {
		return storeHint(notWritableError{err})
	}
	return err
}

type notWritableError struct{ err error }

func (e notWritableError) Error() string   { return "not writable: " + e.err.Error() }
func (e notWritableError) Unwrap() []error { return []error{e.err, store.ErrReadOnly} }

// storeHint adds what to do to a store error of `run` under
// wardwatch.service, whose sandbox lets it write only its own directories.
func storeHint(err error) error {
	if errors.Is(err, store.ErrReadOnly) && os.Getenv("INVOCATION_ID") != "" {
		return fmt.Errorf("%w (wardwatch.service may write only /var/lib/wardwatch and /var/log/wardwatch: "+
			"keep store.path there or add ReadWritePaths= in a drop-in, systemctl edit wardwatch)", err)
	}
	return err
}
