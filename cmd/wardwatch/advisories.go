package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/fingerprint/advisory"
	"github.com/wardwatch/wardwatch/store/inventory"
)

// advisoriesCmd prints the manufacturer advisories (advisories.dir) that
// name devices of the inventory, with the verdict and the evidence.
func advisoriesCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("advisories", "", stderr)
	var f inventoryFlags
	f.register(fs, "table, json or csv")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("advisories: unexpected argument %q (for one device's advisories: wardwatch asset %s)", fs.Arg(0), fs.Arg(0))
	}
	if err := checkOutput(f.output); err != nil {
		return err
	}
	inv, closeDB, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	if inv.AdvisoriesLoaded() == 0 && f.dir() == "" {
		return fmt.Errorf("advisories: no advisories: set advisories.dir in the config or pass --advisories.dir DIR")
	}
	rec, err := inv.Advisories(ctx)
	if err != nil {
		return err
	}
	switch f.output {
	case "json":
		return writeJSON(stdout, rec)
	case "csv":
		cw := inventory.NewCSVWriter(stdout)
		if err := cw.Header(inventory.AdvisoryCSVHeader); err != nil {
			return err
		}
		for i := range rec.Advisories {
			if err := cw.Rows(rec.Advisories[i].CSVRows()); err != nil {
				return err
			}
		}
		return cw.Flush()
	}
	return printAdvisories(stdout, outputWidth(stdout, f.wide), rec)
}

// printAdvisories writes each advisory that names devices: its id, CVSS,
// title and CVEs, then a table of its devices with the verdict, the
// product matched and the evidence; a count line last.
func printAdvisories(w io.Writer, width int, rec *inventory.AdvisoriesRecord) error {
	for i := range rec.Advisories {
		a := &rec.Advisories[i]
		cvss := "no CVSS"
		if a.CVSS > 0 {
			cvss = fmt.Sprintf("CVSS %.1f %s", a.CVSS, a.Severity)
		}
		fmt.Fprintf(w, "%s  %s  %s\n", a.ID, cvss, printable(a.Title))
		if len(a.CVEs) > 0 {
			fmt.Fprintf(w, "  %s\n", cveList(a.CVEs, 8))
		}
		t := newTable(w, width)
		t.header = []string{"  VERDICT", "DEVICE", "IP", "HOSTNAME", "CLASS", "PRODUCT", "EVIDENCE"}
		t.cut(-1, -1, 15, 10, 10, 16, 20)
		for _, d := range a.Devices {
			dev := d.Device.MAC
			if dev == "" {
				dev = "(by IP)"
			}
			prod, ev := matchSummary(d.Products)
			t.row("  "+d.Verdict, dev, d.Device.IP, d.Device.Hostname, string(d.Device.Class), prod, ev)
		}
		if err := t.flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	noun := "advisories"
	if rec.Loaded == 1 {
		noun = "advisory"
	}
	_, err := fmt.Fprintf(w, "%d of %d %s name %d of %d assets\n", len(rec.Advisories), rec.Loaded, noun, rec.Matched, rec.Assets)
	return err
}

// cveList shows at most n CVEs, "+k more" for the rest.
func cveList(cves []string, n int) string {
	if len(cves) <= n {
		return strings.Join(cves, " ")
	}
	return strings.Join(cves[:n], " ") + fmt.Sprintf(" +%d more", len(cves)-n)
}

// matchSummary is the product and the evidence of a device's match, one
// line each: the first product leaf (+N others) and its evidence fields.
func matchSummary(ps []advisory.ProductMatch) (product, evidence string) {
	if len(ps) == 0 {
		return "", ""
	}
	product = inventory.ProductText(ps[0])
	if len(ps) > 1 {
		product += fmt.Sprintf(" +%d", len(ps)-1)
	}
	var ev []string
	for _, e := range ps[0].Evidence {
		ev = append(ev, string(e.Field)+"="+e.Value)
	}
	return product, strings.Join(ev, ", ")
}

// printAdvisoriesOf is the Advisories section of `wardwatch asset` (left
// out when no advisory names the device): each
// advisory that names the device, the products matched with the evidence
// and the reasons, and the remediations with the ports, services and
// addresses they name.
func printAdvisoriesOf(t *table, d *inventory.AssetDetailRecord, _ time.Time) error {
	if len(d.Advisories) == 0 {
		return nil // no advisories loaded, or none names it: nothing to say
	}
	fmt.Fprintf(t.w, "\nAdvisories (%d)\n", len(d.Advisories))
	for _, a := range d.Advisories {
		cvss := ""
		if a.CVSS > 0 {
			cvss = fmt.Sprintf(", CVSS %.1f %s", a.CVSS, a.Severity)
		}
		fmt.Fprintf(t.w, "%s: %s%s  %s\n", a.ID, a.Verdict, cvss, printable(a.Title))
		if len(a.CVEs) > 0 {
			fmt.Fprintf(t.w, "  %s\n", cveList(a.CVEs, 8))
		}
		for _, p := range a.Products {
			fmt.Fprintf(t.w, "  product: %s: %s\n", printable(inventory.ProductText(p)), p.Verdict)
			for _, e := range p.Evidence {
				fmt.Fprintf(t.w, "    evidence: %s\n", printable(inventory.EvidenceText(e)))
			}
			for _, r := range p.Reasons {
				fmt.Fprintf(t.w, "    reason: %s\n", printable(r))
			}
		}
		// The remediations that name ports, services or addresses (what
		// the segmentation should restrict) in full; the others counted.
		others := 0
		for _, r := range a.Remediations {
			if len(r.Mentions) == 0 {
				others++
				continue
			}
			var named []string
			for _, m := range r.Mentions {
				named = append(named, m.Text)
			}
			line := r.Category + ": " + oneLineText(r.Details, 300) + " [names: " + strings.Join(named, ", ") + "]"
			fmt.Fprintf(t.w, "  %s\n", printable(line))
		}
		if others > 0 {
			fmt.Fprintf(t.w, "  (%d more remediation texts: -o json, or the device's web page)\n", others)
		}
	}
	return nil
}

// oneLineText is s on one line, cut to n characters.
func oneLineText(s string, n int) string {
	return trunc(strings.Join(strings.Fields(s), " "), n)
}

// loadAdvisories loads the advisories in dir ("" loads none) for a query
// verb: a document that does not load is a warning on stderr.
func loadAdvisories(dir string, stderr io.Writer) (*advisory.Set, error) {
	set, errs, err := readAdvisoryDir(dir)
	for i, e := range errs {
		if i == maxLoadWarnings {
			fmt.Fprintf(stderr, "wardwatch: warning: %d more advisories not loaded\n", len(errs)-i)
			break
		}
		fmt.Fprintf(stderr, "wardwatch: warning: advisory not loaded: %s\n", oneLine(e))
	}
	return set, err
}

// readAdvisoryDir loads every advisory in dir ("" loads none): the set and
// the documents that did not load, or an error when dir is not a readable
// directory.
func readAdvisoryDir(dir string) (*advisory.Set, []advisory.LoadError, error) {
	if dir == "" {
		return nil, nil, nil
	}
	if fi, err := os.Stat(dir); err != nil {
		return nil, nil, fmt.Errorf("advisories: %w", err)
	} else if !fi.IsDir() {
		return nil, nil, fmt.Errorf("advisories: %s is not a directory", dir)
	}
	set, errs := advisory.LoadDir(dir)
	return set, errs, nil
}

// maxLoadWarnings bounds the per-file warnings of a load.
const maxLoadWarnings = 10
