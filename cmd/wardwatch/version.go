package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/wardwatch/wardwatch/exporter"
	"github.com/wardwatch/wardwatch/fingerprint/oui"
)

// Set with -ldflags "-X main.version=..." by the Makefile and packaging.
var version = "dev"

func buildInfo() (rev, date string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", ""
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			date = s.Value
		}
	}
	return rev, date
}

func versionCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rev, date := buildInfo()
	fmt.Fprintf(stdout, "wardwatch %s (revision %s, built %s, %s %s/%s)\n", version, orUnknown(rev), orUnknown(date),
		runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(stdout, "IEEE registry: %d prefixes, ieee-data %s (%s)\n", oui.Len(), oui.SourceVersion, oui.SourceDate)
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return exporter.Unknown
	}
	return s
}
