// Command wardwatch is the Wardwatch sensor: a passive asset-discovery and
// IoMT segmentation sensor for hospital networks.
//
//	wardwatch run          capture live on the interfaces in the config file
//	wardwatch replay FILE  run capture files through the same pipeline
//	wardwatch assets       print the asset inventory
//	wardwatch events       print recorded changes (new assets, moved IPs, ...)
//	wardwatch check-config validate a config file
//	wardwatch version      print version information
//
// main is thin: it parses flags, loads the config, builds the logger and
// wires sensor -> store. Each verb lives in its own file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// exitError carries a process exit status through the verbs.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

type verb struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func verbs() []verb {
	return []verb{
		{"run", "capture live on the configured interfaces (daemon)", runCmd},
		{"replay", "read pcap/pcapng files through the sensor pipeline into the database", replayCmd},
		{"assets", "print the asset inventory (filters: class, vendor, zone, state, search, ...)", assetsCmd},
		{"asset", "print everything known about one device (MAC or IP)", assetCmd},
		{"violations", "print policy violations", violationsCmd},
		{"flows", "print flows (who talks to whom, on which service)", flowsCmd},
		{"events", "print recorded asset events", eventsCmd},
		{"policy", "check, simulate or learn a segmentation policy", policyCmd},
		{"check-config", "validate a configuration file and exit", checkConfigCmd},
		{"version", "print version information", versionCmd},
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: wardwatch <command> [flags] [args]\n\nWardwatch is a passive network asset-discovery and IoMT segmentation sensor.\n\nCommands:\n")
	for _, v := range verbs() {
		fmt.Fprintf(w, "  %-14s %s\n", v.name, v.summary)
	}
	fmt.Fprintf(w, "\nRun 'wardwatch <command> -h' for the flags of a command.\n")
}

func main() {
	os.Exit(Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// Main runs one verb and returns the process exit status. Errors are printed
// as one line: "wardwatch: <cause>".
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	case "--version", "-version":
		args[0] = "version"
	}
	for _, v := range verbs() {
		if v.name != args[0] {
			continue
		}
		err := v.run(ctx, args[1:], stdout, stderr)
		if err == nil {
			return 0
		}
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.err != nil {
				fmt.Fprintf(stderr, "wardwatch: %s\n", oneLine(ee.err))
			}
			return ee.code
		}
		fmt.Fprintf(stderr, "wardwatch: %s\n", oneLine(err))
		return 1
	}
	fmt.Fprintf(stderr, "wardwatch: unknown command %q (run 'wardwatch help')\n", args[0])
	return 2
}

// usageError marks bad command-line usage (exit status 2).
func usageError(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}

func newFlagSet(name, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: wardwatch %s [flags] %s\n\nFlags:\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: 2, err: nil}
	}
	return nil
}
