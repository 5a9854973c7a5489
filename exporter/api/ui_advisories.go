package api

import (
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/wardwatch/wardwatch/fingerprint/advisory"
	"github.com/wardwatch/wardwatch/store/inventory"
)

// The advisories page (/ui/advisories) and the advisories of a device's
// page: which manufacturer advisories name devices, with the verdict, the
// evidence, and the remediation texts with the ports, services and
// addresses they name highlighted.

type advisoriesData struct {
	Record     *inventory.AdvisoriesRecord
	Advisories []advisoryView
}

// advisoryView is an advisory with the remediations of its devices' matches
// (each text once).
type advisoryView struct {
	inventory.AdvisoryRecord
	Remediations []advisory.Remediation
}

func (u *ui) advisories(w http.ResponseWriter, r *http.Request) {
	v, err := form(r)
	for name := range v {
		err = &inventory.ParamError{Param: name, Msg: "unknown parameter (the advisories page takes none)"}
		break
	}
	var rec *inventory.AdvisoriesRecord
	if err == nil {
		rec, err = u.inv.Advisories(r.Context())
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := advisoriesData{Record: rec}
	for _, a := range rec.Advisories {
		av := advisoryView{AdvisoryRecord: a}
		seen := map[string]bool{}
		for _, dev := range a.Devices {
			for _, rem := range dev.Remediations {
				if k := rem.Category + "\x00" + rem.Details; !seen[k] {
					seen[k] = true
					av.Remediations = append(av.Remediations, rem)
				}
			}
		}
		sort.SliceStable(av.Remediations, func(i, j int) bool {
			return remediationOrder(av.Remediations[i].Category) < remediationOrder(av.Remediations[j].Category)
		})
		d.Advisories = append(d.Advisories, av)
	}
	u.render(w, r, http.StatusOK, "advisories", view{Title: "Advisories", Nav: "advisories", Summary: u.summary(r), Data: d})
}

// remediationOrder puts the vendor's fix first, then mitigations and
// workarounds.
func remediationOrder(category string) int {
	switch category {
	case "vendor_fix":
		return 0
	case "mitigation":
		return 1
	case "workaround":
		return 2
	}
	return 3
}

// remediationHTML is a remediation text, HTML-escaped, with each port,
// service and address it names in a <mark> (class mention and the kind).
// A mention whose offsets do not fit the text is left unmarked.
func remediationHTML(r advisory.Remediation) template.HTML {
	text := r.Details
	var b strings.Builder
	pos := 0
	for _, m := range r.Mentions {
		if m.Start < pos || m.End <= m.Start || m.End > len(text) || text[m.Start:m.End] != m.Text {
			continue
		}
		b.WriteString(template.HTMLEscapeString(text[pos:m.Start]))
		b.WriteString(`<mark class="mention `)
		b.WriteString(template.HTMLEscapeString(string(m.Kind)))
		b.WriteString(`">`)
		b.WriteString(template.HTMLEscapeString(m.Text))
		b.WriteString(`</mark>`)
		pos = m.End
	}
	b.WriteString(template.HTMLEscapeString(text[pos:]))
	return template.HTML(b.String()) // #nosec G203 -- every piece of text is escaped above
}

// productLabel is a matched product as one line.
func productLabel(p advisory.ProductMatch) string { return inventory.ProductText(p) }
