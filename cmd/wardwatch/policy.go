package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wardwatch/wardwatch/policy"
	"github.com/wardwatch/wardwatch/policy/segment"
	"github.com/wardwatch/wardwatch/store"
)

// policyCmd: wardwatch policy check|simulate|learn.
func policyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("policy: want a subcommand: check, simulate or learn (see 'wardwatch policy --help')")
	}
	switch args[0] {
	case "check":
		return policyCheck(args[1:], stdout, stderr)
	case "simulate":
		return policySimulate(ctx, args[1:], stdout, stderr)
	case "learn":
		return policyLearn(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, policyUsage)
		return nil
	}
	return usageError("policy: unknown subcommand %q: want check, simulate or learn (see 'wardwatch policy --help')", args[0])
}

const policyUsage = `Usage: wardwatch policy <subcommand> [flags] [args]

Check, try out and propose the segmentation policy (see configs/policy.yml).

Subcommands:
  check FILE                   validate a policy file: every problem with its
                               line, else its zones, rules and default action
  simulate --policy.file FILE  what FILE would flag on the flows already in the
                               database, rule by rule, before it goes live
  learn                        write a proposed allow-policy from the flows in
                               the database (--since, --zones), for a human to
                               review

Run 'wardwatch policy <subcommand> --help' for its flags.
`

func policyCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("policy check", "FILE", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("policy check: want exactly one policy file")
	}
	p, err := policy.Load(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("policy: %s", oneLine(err))
	}
	act, _ := p.Default()
	fmt.Fprintf(stdout, "%s: OK (%d zones, %d rules, default %s)\n", fs.Arg(0), len(p.Zones()), len(p.Rules()), act)
	return nil
}

// parseSince accepts Go durations and a "d" (days) suffix: 7d, 36h, 90m.
func parseSince(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		if err != nil || n < 0 {
			return 0, fmt.Errorf("--since %q: want a duration such as 7d or 36h", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("--since %q: want a duration such as 7d or 36h", s)
	}
	return d, nil
}

// observedFlows reads the stored flows (since a time) with what the
// inventory knows about their ends, as policy/segment turns them into the
// input of simulate and learn: the endpoints the live checker builds.
func observedFlows(ctx context.Context, dbPath string, since time.Duration, now time.Time) ([]policy.ObservedFlow, error) {
	db, err := store.OpenReadOnly(dbPath)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var from time.Time
	if since > 0 {
		from = now.Add(-since)
	}
	ff, err := db.FlowFacts(ctx, from)
	if err != nil {
		return nil, err
	}
	return segment.ObservedFlows(ff), nil
}

func policySimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("policy simulate", "", stderr)
	var cf commonFlags
	cf.register(fs, false)
	file := fs.String("policy.file", "", "candidate policy `file` (required)")
	fs.StringVar(file, "policy", "", hiddenFlag+"deprecated alias of --policy.file")
	sinceS := fs.String("since", "0", "only flows seen in this window (e.g. 7d, 36h; 0 = all)")
	output := fs.String("o", "table", "output format: table or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *file == "" {
		return usageError("policy simulate: --policy.file FILE is required (see 'wardwatch policy simulate --help')")
	}
	if *output != "table" && *output != "json" {
		return usageError("-o %q: want table or json", *output)
	}
	since, err := parseSince(*sinceS)
	if err != nil {
		return usageError("policy simulate: %v", err)
	}
	p, err := policy.Load(*file)
	if err != nil {
		return fmt.Errorf("policy: %s", oneLine(err))
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	flows, err := observedFlows(ctx, cfg.Store.Path, since, time.Now())
	if err != nil {
		return err
	}
	res := policy.Simulate(p, flows)
	if *output == "json" {
		// Keys are lowercase snake_case, like the API's.
		type sample struct {
			Src     string `json:"src"`
			Dst     string `json:"dst"`
			SrcZone string `json:"src_zone"`
			DstZone string `json:"dst_zone"`
			Proto   uint8  `json:"proto"`
			Port    uint16 `json:"port"`
		}
		type row struct {
			Rule        string   `json:"rule"`
			Action      string   `json:"action"`
			Severity    string   `json:"severity"`
			Flows       int      `json:"flows"`
			Connections uint64   `json:"connections"`
			Packets     uint64   `json:"packets"`
			Bytes       uint64   `json:"bytes"`
			Samples     []sample `json:"samples"`
		}
		var rows []row
		for _, r := range res {
			rr := row{Rule: r.Rule, Action: r.Action.String(), Severity: r.Severity, Flows: r.Flows,
				Connections: r.Connections, Packets: r.Packets, Bytes: r.Bytes, Samples: []sample{}}
			for _, s := range r.Samples {
				rr.Samples = append(rr.Samples, sample{Src: s.Flow.Src.IP.String(), Dst: s.Flow.Dst.IP.String(),
					SrcZone: s.SrcZone, DstZone: s.DstZone, Proto: s.Flow.Proto, Port: s.Flow.Port})
			}
			rows = append(rows, rr)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tACTION\tFLOWS\tCONNECTIONS\tPACKETS\tEXAMPLE")
	alerts := 0
	for _, r := range res {
		ex := ""
		if len(r.Samples) > 0 {
			s := r.Samples[0]
			ex = fmt.Sprintf("%s (%s) -> %s (%s) %s/%d", s.Flow.Src.IP, s.SrcZone, s.Flow.Dst.IP, s.DstZone, protoName(s.Flow.Proto), s.Flow.Port)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", r.Rule, r.Action, r.Flows, r.Connections, r.Packets, ex)
		if r.Action == policy.Alert {
			alerts += r.Flows
		}
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d stored flows; %d would alert under %s\n", len(flows), alerts, *file)
	return nil
}

func protoName(p uint8) string {
	switch p {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	}
	return strconv.Itoa(int(p))
}

func policyLearn(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("policy learn", "", stderr)
	var cf commonFlags
	cf.register(fs, false)
	sinceS := fs.String("since", "7d", "learn from flows seen in this window (e.g. 7d, 36h; 0 = all)")
	base := fs.String("zones", "", "reuse the zones of this policy file (default: one zone per VLAN)")
	out := fs.String("o", "-", "write the proposed policy here ('-' = stdout)")
	nowS := fs.String("now", "", "the time --since counts back from (RFC 3339; default: now), e.g. a replayed capture's end")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	now := time.Now()
	if *nowS != "" {
		t, err := time.Parse(time.RFC3339, *nowS)
		if err != nil {
			return usageError("policy learn: --now %q: want an RFC 3339 time such as 2026-01-05T08:10:00Z", *nowS)
		}
		now = t
	}
	since, err := parseSince(*sinceS)
	if err != nil {
		return usageError("policy learn: %v", err)
	}
	var bp *policy.Policy
	if *base != "" {
		if bp, err = policy.Load(*base); err != nil {
			return fmt.Errorf("policy: %s", oneLine(err))
		}
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	flows, err := observedFlows(ctx, cfg.Store.Path, since, now)
	if err != nil {
		return err
	}
	if len(flows) == 0 {
		fmt.Fprintf(stderr, "policy learn: learned from 0 flows (none seen in %s since %s): the proposed policy allows nothing; use --since 0 or --now for a replayed capture\n",
			cfg.Store.Path, now.Add(-since).UTC().Format(time.RFC3339))
	}
	y := policy.Learn(flows, bp)
	if *out == "-" {
		_, err = stdout.Write(y)
		return err
	}
	if err := os.WriteFile(*out, y, 0o644); err != nil {
		return fmt.Errorf("write proposed policy: %w", err)
	}
	fmt.Fprintf(stdout, "wrote a proposed policy from %d flows to %s: review it, then `wardwatch policy check %s`\n", len(flows), *out, *out)
	return nil
}
