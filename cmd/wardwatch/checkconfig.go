package main

import (
	"context"
	"fmt"
	"io"
)

// checkConfigCmd validates a config file (strict: unknown keys are errors)
// and exits 0 when it is good.
func checkConfigCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check-config", "[FILE]", stderr)
	var cf commonFlags
	cf.register(fs, false)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError("check-config: more than one file given")
	}
	if fs.NArg() == 1 {
		cf.configFile = fs.Arg(0)
	}
	if cf.configFile == "" {
		cf.configFile = defaultConfigFile
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	if err := needInterface(cfg, cf.configFile); err != nil {
		return fmt.Errorf("%s: capture.interfaces: %w", cf.configFile, err)
	}
	fmt.Fprintf(stdout, "%s: OK\n", cf.configFile)
	return nil
}
