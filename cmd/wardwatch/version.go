package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/wardwatch/wardwatch/fingerprint/oui"
)

// Set by the Makefile (and so by `make deb`) with
// -ldflags "-X main.version=... -X main.revision=... -X main.revisionTime=...":
// version from packaging/version.sh (the git tag, or the newest
// packaging/changelog entry as a snapshot), revision and revisionTime from
// git. A plain `go build` leaves them empty and buildVersion falls back to
// the Go build info.
var (
	version      = ""
	revision     = ""
	revisionTime = ""
)

// init settles version and revision once, for everything that shows them
// (`version`, wardwatch_build_info, the landing page and the API).
func init() {
	version, revision, revisionTime = buildVersion(version, revision, revisionTime, readBuildInfo)
}

func readBuildInfo() (*debug.BuildInfo, bool) { return debug.ReadBuildInfo() }

// buildVersion fills what -ldflags did not set from the Go build info: the
// module version (`go install github.com/wardwatch/wardwatch/cmd/wardwatch@v1.2.3`
// gives "1.2.3", a pseudo-version for a commit) and the VCS stamp that
// `go build` records in a git checkout (vcs.revision, vcs.time,
// vcs.modified). Go records no VCS stamp in a git worktree or with
// -buildvcs=false; then the version is "devel" and the revision empty.
func buildVersion(ver, rev, revTime string, read func() (*debug.BuildInfo, bool)) (string, string, string) {
	bi, ok := read()
	if ok {
		modified := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" {
					rev = s.Value
				}
			case "vcs.time":
				if revTime == "" {
					revTime = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if ver == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			ver = strings.TrimPrefix(bi.Main.Version, "v")
		}
		if ver == "" && rev != "" {
			ver = "devel+" + shortRev(rev)
			if modified {
				ver += ".dirty"
			}
		}
	}
	if ver == "" {
		ver = "devel"
	}
	return ver, rev, revTime
}

func shortRev(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

func versionCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wardwatch %s\n", version)
	if revision != "" {
		fmt.Fprintf(stdout, "revision: %s", revision)
		if revisionTime != "" {
			fmt.Fprintf(stdout, " (%s)", revisionTime)
		}
		fmt.Fprintln(stdout)
	} else {
		fmt.Fprintln(stdout, "revision: not recorded (built outside git, or without `make build`)")
	}
	fmt.Fprintf(stdout, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(stdout, "IEEE registry: %d prefixes, ieee-data %s (%s)\n", oui.Len(), oui.SourceVersion, oui.SourceDate)
	fmt.Fprintln(stdout, "licence: Apache-2.0 (/usr/share/doc/wardwatch/copyright lists the bundled code and data)")
	return nil
}
