package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/wardwatch/wardwatch/configs"
	"github.com/wardwatch/wardwatch/exporter/siem"
	"github.com/wardwatch/wardwatch/fingerprint"
	"github.com/wardwatch/wardwatch/policy"
)

// checkConfigCmd validates a config file for `wardwatch run`: the file
// itself (strict: unknown keys are errors), a capture interface, and
// everything it refers to, loaded exactly as run loads it (loadReferences).
// It exits 0 when run would start, else 1 with every problem, each naming
// its file and line.
func checkConfigCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check-config", "[FILE]", stderr)
	configFile := fs.String("config.file", "", "the config file to check, like FILE (default "+defaultConfigFile+")")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError("check-config: more than one file given")
	}
	path := *configFile
	if fs.NArg() == 1 {
		path = fs.Arg(0)
	}
	if path == "" {
		path = defaultConfigFile
	}
	cfg, err := configs.Load(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	src := refSource{path: path}
	var errs []error
	if err := needInterface(cfg, path); err != nil {
		errs = append(errs, src.at("capture.interfaces", "", err))
	}
	refs, err := loadReferences(src, cfg, cfg.Web.ConfigFile)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, w := range checkReachable(ctx, cfg) {
		fmt.Fprintf(stderr, "wardwatch: warning: %s\n", w)
	}
	summary := refs.summary(cfg)
	if dir := cfg.Advisories.Dir; dir != "" { // loaded as run loads them: a document that does not load is a warning
		set, err := loadAdvisories(dir, stderr)
		if err != nil {
			return err
		}
		summary += fmt.Sprintf("; %d advisories", set.Len())
	}
	fmt.Fprintf(stdout, "%s: OK (%s)\n", path, summary)
	return nil
}

// references are what a config points to, loaded as `run` and `replay`
// use them.
type references struct {
	engine *fingerprint.Engine
	policy *policy.Policy // nil without policy.file
}

func (r *references) summary(cfg *configs.Config) string {
	var parts []string
	var names []string
	for _, ic := range cfg.Capture.Interfaces {
		names = append(names, ic.Name)
	}
	if len(names) > 0 {
		parts = append(parts, "capture on "+strings.Join(names, ", "))
	}
	if r.policy != nil {
		pol := fmt.Sprintf("policy %s: %d zones, %d rules", cfg.Policy.File, len(r.policy.Zones()), len(r.policy.Rules()))
		switch n := len(r.policy.Critical()); n {
		case 0:
		case 1:
			pol += ", 1 critical entry"
		default:
			pol += fmt.Sprintf(", %d critical entries", n)
		}
		parts = append(parts, pol)
	} else {
		parts = append(parts, "no policy: no flow is checked")
	}
	parts = append(parts, fmt.Sprintf("%d fingerprint rules", r.engine.Rules()))
	return strings.Join(parts, "; ")
}

// refSource says where a config came from, so that a problem with a file
// it refers to is reported at the line of the key in the config file, or
// as the command-line flag that set it.
type refSource struct {
	path    string            // config file; "" for built-in defaults
	flagSet func(string) bool // flags given on the command line; nil for none
}

// at places err, a problem with the value of key (set by flag when it was
// given), in the config file.
func (s refSource) at(key, flag string, err error) error {
	if flag != "" && s.flagSet != nil && s.flagSet(flag) {
		return fmt.Errorf("--%s: %w", flag, err)
	}
	if s.path != "" {
		if data, rerr := os.ReadFile(s.path); rerr == nil {
			return configs.KeyError(data, s.path, key, err)
		}
		return fmt.Errorf("%s: %s: %w", s.path, key, err)
	}
	return fmt.Errorf("%s: %w", key, err)
}

// refError is a problem with a file or an address the config refers to:
// `run` refuses to start on it (exit status exitConfig).
type refError struct{ err error }

func (e *refError) Error() string { return e.err.Error() }
func (e *refError) Unwrap() error { return e.err }

// loadReferences loads and checks everything cfg refers to, as openDaemon
// uses it: the fingerprint rules (built in, plus the site rule files in
// fingerprints.dir), the policy (policy.file), the web config file
// (webConfigFile: --web.config.file or web.config_file, "" for none) and
// the event sinks (the events.file directory, the syslog address). It
// reports every problem at once. A file that cannot be read is reported at
// the line of its key in the config file; a problem inside a file, at that
// file's own line.
func loadReferences(src refSource, cfg *configs.Config, webConfigFile string) (*references, error) {
	var errs []error
	refs := &references{}
	eng, err := fingerprint.Load(configs.Fingerprints, "configs/fingerprints.yml", cfg.Fingerprints.Dir)
	if err != nil {
		errs = append(errs, src.fileProblem("fingerprints.dir", "", "fingerprints", err))
	}
	refs.engine = eng
	if cfg.Policy.File != "" {
		p, err := policy.Load(cfg.Policy.File)
		if err != nil {
			errs = append(errs, src.fileProblem("policy.file", "policy.file", "policy", err))
		}
		refs.policy = p
	}
	if webConfigFile != "" {
		if err := web.Validate(webConfigFile); err != nil {
			errs = append(errs, src.fileProblem("web.config_file", "web.config.file", "web config file "+webConfigFile, err))
		}
	}
	if dir := cfg.Advisories.Dir; dir != "" {
		if fi, err := os.Stat(dir); err != nil {
			errs = append(errs, src.fileProblem("advisories.dir", "advisories.dir", "advisories", err))
		} else if !fi.IsDir() {
			errs = append(errs, src.at("advisories.dir", "advisories.dir", fmt.Errorf("%s is not a directory", dir)))
		}
	}
	if f := cfg.Events.File; f != "" && f != "-" {
		dir := filepath.Dir(f)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			errs = append(errs, src.at("events.file", "", fmt.Errorf("%s: directory %s does not exist", f, dir)))
		}
	}
	if sl := cfg.Events.Syslog; sl.Address != "" {
		if _, err := siem.NewSyslog(sl.Network, sl.Address, sl.Facility, "", siem.SyslogOptions{Format: sl.Format}); err != nil {
			errs = append(errs, src.at("events.syslog.address", "", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, &refError{err}
	}
	return refs, nil
}

// fileProblem reports err from loading a referenced file: a file or
// directory that cannot be read at the config key that names it, a problem
// inside it (which names its own file and line) as it is.
func (s refSource) fileProblem(key, flag, what string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return s.at(key, flag, fmt.Errorf("%s: %w", pe.Path, pe.Err))
	}
	if strings.HasPrefix(what, "web config file") {
		return fmt.Errorf("%s: %s", what, oneLine(err))
	}
	return fmt.Errorf("%s: %w", what, err)
}

// checkReachable returns warnings for what check-config can see but run
// does not check at start: a syslog host that does not resolve now (run
// resolves it at the first event, so a DNS outage at boot does not stop the
// sensor).
func checkReachable(ctx context.Context, cfg *configs.Config) []string {
	sl := cfg.Events.Syslog
	if sl.Address == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(sl.Address)
	if err != nil || host == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := net.DefaultResolver.LookupHost(ctx, host); err != nil {
		return []string{fmt.Sprintf("events.syslog.address %s: %v: violations will not reach the SIEM until it resolves", sl.Address, err)}
	}
	return nil
}
