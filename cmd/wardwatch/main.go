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
	"reflect"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
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
		{"advisories", "print the manufacturer advisories that name devices, with verdict and evidence", advisoriesCmd},
		{"baseline", "show or reset a device's behaviour baseline", baselineCmd},
		{"policy", "check, simulate or learn a segmentation policy", policyCmd},
		{"central", "serve the central inventory of many sensors (PostgreSQL) with the API, web page and metrics", centralCmd},
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
	stop := startCPUProfile(os.Getenv("WARDWATCH_CPUPROFILE"))
	code := Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
	stop()
	writeHeapProfile(os.Getenv("WARDWATCH_MEMPROFILE"))
	os.Exit(code)
}

// startCPUProfile writes a CPU profile of the whole process to path when it
// is set (WARDWATCH_CPUPROFILE, for docs/performance.md's profiles of a
// replay); the returned function stops it.
func startCPUProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "wardwatch: cpu profile: %v\n", err)
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// writeHeapProfile writes the allocation profile (alloc_space shows every
// allocation since start) to path when it is set (WARDWATCH_MEMPROFILE).
func writeHeapProfile(path string) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "wardwatch: memory profile: %v\n", err)
	}
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

// newFlagSet returns the flag set of a verb. -h and --help print its usage
// to out, flags with two dashes as the Prometheus tools print them; a bad
// flag is one line with a hint, not the whole usage (parseFlags).
func newFlagSet(name, args string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: wardwatch %s [flags] %s\n\nFlags:\n", name, args)
		printFlags(fs.Output(), fs)
	}
	return fs
}

// hiddenFlag starts the usage of a flag left out of the help, e.g. a
// deprecated alias kept so that old scripts keep working.
const hiddenFlag = "\x00hidden: "

// printFlags prints fs's flags like flag.PrintDefaults, but as --name
// (one-letter flags as -o), without hidden ones.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Usage, hiddenFlag) {
			return
		}
		dashes := "--"
		if len(f.Name) == 1 {
			dashes = "-"
		}
		typ, usage := flag.UnquoteUsage(f)
		line := "  " + dashes + f.Name
		if typ != "" {
			line += " " + typ
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
		if def := f.DefValue; !isZeroDefault(f) {
			if reflect.TypeOf(f.Value).String() == "*flag.stringValue" {
				def = strconv.Quote(def)
			}
			fmt.Fprintf(w, " (default %s)", def)
		}
		fmt.Fprintln(w)
	})
}

// isZeroDefault reports whether f's default is its type's zero value, as
// the flag package decides whether to print "(default ...)".
func isZeroDefault(f *flag.Flag) (zero bool) {
	defer func() {
		if recover() != nil { // a Value whose String needs a non-nil receiver
			zero = f.DefValue == ""
		}
	}()
	t := reflect.TypeOf(f.Value)
	if t.Kind() != reflect.Pointer {
		return f.DefValue == ""
	}
	return f.DefValue == reflect.New(t.Elem()).Interface().(flag.Value).String()
}

// flagErrorDashes rewrites the flag package's "-name" in its errors as
// "--name", the form the help shows.
var flagErrorDashes = regexp.MustCompile(`(: |flag |for )-([A-Za-z][\w.-]+)`)

// parseFlags parses args. -h prints the usage (flag.ErrHelp, exit 0); a
// bad flag is a usage error (exit 2) of one line naming the verb's --help.
func parseFlags(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard) // the flag package would print the whole usage
	err := fs.Parse(args)
	fs.SetOutput(out)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return err
	}
	msg := flagErrorDashes.ReplaceAllStringFunc(err.Error(), func(m string) string {
		sub := flagErrorDashes.FindStringSubmatch(m)
		if len(sub[2]) == 1 {
			return m
		}
		return sub[1] + "--" + sub[2]
	})
	return usageError("%s: %s (see 'wardwatch %s --help')", fs.Name(), msg, fs.Name())
}
