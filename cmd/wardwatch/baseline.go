package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store"
)

// baselineCmd: wardwatch baseline show|reset.
func baselineCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("baseline: want a subcommand: show or reset (see 'wardwatch baseline --help')")
	}
	switch args[0] {
	case "show":
		return baselineShow(ctx, args[1:], stdout, stderr)
	case "reset":
		return baselineReset(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, baselineUsage)
		return nil
	}
	return usageError("baseline: unknown subcommand %q: want show or reset (see 'wardwatch baseline --help')", args[0])
}

const baselineUsage = `Usage: wardwatch baseline <subcommand> [flags] [args]

Behaviour baselines (docs/behaviour.md): what each device did in its learning
window (baseline.learn_for): the zones it talked to, its peers outside the
site, the services it used and served, the protocols it spoke; and what it
did afterwards that the baseline lacked (each reported once as an event).

Subcommands:
  show MAC              a device's baseline and the changes seen since
  reset MAC|--class C   forget the baseline of a device (or of every device
                        of a class) that legitimately changed: it learns
                        again from its next traffic. Needs the sensor
                        stopped (it keeps baselines in memory).

Run 'wardwatch baseline <subcommand> --help' for its flags.
`

// baselineRecord is one device's baseline in -o json.
type baselineRecord struct {
	Vantage  string               `json:"vantage"`
	VLAN     uint16               `json:"vlan"`
	MAC      string               `json:"mac,omitempty"`
	KeyIP    string               `json:"key_ip,omitempty"`
	Class    model.Class          `json:"class"`
	Started  time.Time            `json:"started"`
	LearnFor string               `json:"learn_for"`
	Learning bool                 `json:"learning"`
	Items    []baselineItemRecord `json:"items"`
}

type baselineItemRecord struct {
	Kind      model.BehaviourKind `json:"kind"`
	Value     string              `json:"value"`
	Learned   bool                `json:"learned"`
	FirstSeen time.Time           `json:"first_seen"`
	Peer      string              `json:"peer,omitempty"`
	Evidence  string              `json:"evidence,omitempty"`
}

func baselineShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("baseline show", "MAC", stderr)
	var cf commonFlags
	cf.register(fs, false)
	output := fs.String("o", "table", "output format: table or json")
	wide := fs.Bool("wide", false, "never cut table cells (default: fit the terminal's width, $COLUMNS, else 120)")
	timeFlag(fs, "now", "whether a window has ended, as of this RFC 3339 time (e.g. the end of a replayed capture); default: now",
		func(t time.Time) { nowFunc = func() time.Time { return t } })
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("baseline show: want exactly one MAC address (usage: wardwatch baseline show MAC)")
	}
	mac, err := model.ParseMAC(fs.Arg(0))
	if err != nil {
		return usageError("baseline show: %q is not a MAC address", fs.Arg(0))
	}
	if *output != "table" && *output != "json" {
		return usageError("-o %q: want table or json", *output)
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	db, err := store.OpenReadOnly(cfg.Store.Path)
	if err != nil {
		return err
	}
	defer db.Close()
	bs, err := db.Baselines(ctx, store.BaselineFilter{MAC: mac})
	if err != nil {
		return err
	}
	if len(bs) == 0 {
		return &exitError{code: 1, err: fmt.Errorf("baseline show: no baseline for %s in %s", mac, cfg.Store.Path)}
	}
	recs := make([]baselineRecord, len(bs))
	for i := range bs {
		recs[i] = toBaselineRecord(&bs[i], cfg.Baseline.LearnFor, nowFunc())
	}
	if *output == "json" {
		return writeJSON(stdout, recs)
	}
	for i := range recs {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := printBaseline(stdout, outputWidth(stdout, *wide), &recs[i]); err != nil {
			return err
		}
	}
	return nil
}

func toBaselineRecord(b *store.Baseline, learnFor time.Duration, now time.Time) baselineRecord {
	r := baselineRecord{Vantage: b.Key.Vantage, VLAN: b.Key.VLAN, Class: b.Class.OrUnknown(), Started: b.Started,
		LearnFor: learnFor.String(), Learning: now.Before(b.Started.Add(learnFor)), Items: []baselineItemRecord{}}
	if b.Key.KeyedByIP() {
		r.KeyIP = b.Key.IP.String()
	} else {
		r.MAC = b.Key.MAC.String()
	}
	for _, it := range b.Items {
		x := baselineItemRecord{Kind: it.Kind, Value: it.Value, Learned: it.Learned, FirstSeen: it.FirstSeen,
			Evidence: it.Evidence}
		if it.Peer.IsValid() {
			x.Peer = it.Peer.String()
		}
		r.Items = append(r.Items, x)
	}
	return r
}

// printBaseline writes one baseline: the device and its window, then its
// items, the learned ones first.
func printBaseline(w io.Writer, width int, r *baselineRecord) error {
	dev := r.MAC
	if dev == "" {
		dev = "ip:" + r.KeyIP
	}
	state := "learned"
	if r.Learning {
		state = "learning"
	}
	fmt.Fprintf(w, "%s (VLAN %d at %s): %s, %s since %s (window %s)\n\n", dev, r.VLAN, r.Vantage, r.Class, state,
		r.Started.UTC().Format(time.RFC3339), r.LearnFor)
	t := newTable(w, width, "KIND", "VALUE", "IN BASELINE", "FIRST SEEN", "EVIDENCE")
	t.cut(-1, 16, -1, -1, 20)
	for _, learned := range []bool{true, false} {
		for _, it := range r.Items {
			if it.Learned != learned {
				continue
			}
			in := "yes"
			if !learned {
				in = "no (change)"
			}
			t.row(string(it.Kind), it.Value, in, it.FirstSeen.UTC().Format(time.RFC3339), it.Evidence)
		}
	}
	return t.flush()
}

func baselineReset(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("baseline reset", "MAC | --class CLASS", stderr)
	var cf commonFlags
	cf.register(fs, false)
	class := fs.String("class", "", "reset the baselines of every device of this `class` (e.g. infusion-pump)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var f store.BaselineFilter
	switch {
	case fs.NArg() == 1 && *class == "":
		mac, err := model.ParseMAC(fs.Arg(0))
		if err != nil {
			return usageError("baseline reset: %q is not a MAC address", fs.Arg(0))
		}
		f.MAC = mac
	case fs.NArg() == 0 && *class != "":
		c := model.Class(*class)
		if !c.Valid() {
			return usageError("baseline reset: --class %q is not a device class (%s)", *class,
				strings.Join(model.ClassNames(), ", "))
		}
		f.Class = c
	default:
		return usageError("baseline reset: want one MAC address or --class CLASS (usage: wardwatch baseline reset MAC|--class CLASS)")
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.Store.Path); err != nil {
		return fmt.Errorf("baseline reset: %w", err)
	}
	db, err := store.Open(cfg.Store.Path, store.Options{})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("baseline reset: %s is in use by a running wardwatch, which keeps baselines in memory: stop it, reset, start it again", cfg.Store.Path)
	}
	if err != nil {
		return err
	}
	n, err := db.ResetBaselines(ctx, f)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	what := f.MAC.String()
	if f.Class != "" {
		what = "class " + string(f.Class)
	}
	fmt.Fprintf(stdout, "reset %d baseline(s) of %s: they learn again from their next traffic\n", n, what)
	return nil
}
