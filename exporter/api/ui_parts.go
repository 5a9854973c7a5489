package api

import (
	"cmp"
	"net/url"
	"slices"
	"strings"

	"github.com/wardwatch/wardwatch/model"
	"github.com/wardwatch/wardwatch/store/inventory"
)

// The parts of the web page computed on the server: sortable column
// headers (links: the page is sorted by the database, no script needed)
// and the bar charts (SVG drawn here, inline in the page: no script, no
// style attribute, nothing the Content-Security-Policy forbids).

// columnDef is a table column: its header, and the sort key its header
// link sorts by ("" for a column that does not sort).
type columnDef struct {
	Label, Key string
	Class      string // the header cell's class ("wide-only": left out on narrow screens)
	// DescFirst makes the first click sort descending (times: newest
	// first).
	DescFirst bool
}

// column is a header as the template draws it.
type column struct {
	Label string
	Class string
	Href  string // "" when the column does not sort
	Sort  string // aria-sort: "ascending", "descending" or "" (not sorted by it)
}

// sortColumns returns the headers of defs on the page at path with the
// query v. The page is sorted by cur ("key", or "-key" descending); a
// header links to the page sorted by its key, the other way round when
// the page is sorted by it already. param names the parameter: "sort"
// takes "key" or "-key", "order" (lists sorted by time only) takes "asc"
// or "desc".
func sortColumns(path string, v url.Values, param, cur string, defs []columnDef) []column {
	curKey, curDesc := strings.CutPrefix(cur, "-")
	out := make([]column, len(defs))
	for i, d := range defs {
		out[i].Label, out[i].Class = d.Label, d.Class
		if d.Key == "" {
			continue
		}
		desc := d.DescFirst
		if d.Key == curKey {
			out[i].Sort = "ascending"
			if curDesc {
				out[i].Sort = "descending"
			}
			desc = !curDesc
		}
		value := d.Key
		switch {
		case param == "order" && desc:
			value = "desc"
		case param == "order":
			value = "asc"
		case desc:
			value = "-" + d.Key
		}
		q := cloneValues(v)
		q.Del("offset")
		q.Set(param, value)
		out[i].Href = path + "?" + q.Encode()
	}
	return out
}

// chart is a horizontal bar chart, drawn in SVG user units: each bar a
// labelled row, linked to the inventory filtered to it.
type chart struct {
	ID, Title     string
	Width, Height int
	LabelX, BarX  int // label right edge, bars' left edge
	Bars          []chartBar
}

type chartBar struct {
	Label, URL string
	N          int
	Y, TextY   int // row top (bar top), text baseline
	W          int // bar width
	NX         int // where the count is written
}

// Chart geometry, in SVG user units (the image scales to its box).
const (
	chartWidth   = 420
	chartLabelW  = 160 // labels right-aligned in this column
	chartBarMaxW = 210
	chartRow     = 20
	chartBarH    = 14
)

// barChart draws counts (only those above 0), largest first, each bar
// linked to the inventory filtered by param=key.
func barChart(id, title, param string, counts map[string]int) chart {
	type kv struct {
		k string
		n int
	}
	var rows []kv
	maxN := 0
	for k, n := range counts {
		if n > 0 {
			rows = append(rows, kv{k, n})
			maxN = max(maxN, n)
		}
	}
	slices.SortFunc(rows, func(a, b kv) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return cmp.Compare(a.k, b.k)
	})
	c := chart{ID: id, Title: title, Width: chartWidth, Height: len(rows)*chartRow + 4, LabelX: chartLabelW - 6,
		BarX: chartLabelW}
	for i, r := range rows {
		w := max(r.n*chartBarMaxW/maxN, 1)
		y := 2 + i*chartRow
		c.Bars = append(c.Bars, chartBar{Label: r.k, N: r.n, URL: UIPrefix + "?" + url.Values{param: {r.k}}.Encode(),
			Y: y + (chartRow-chartBarH)/2, TextY: y + chartRow/2 + 4, W: w, NX: chartLabelW + w + 4})
	}
	return c
}

// summaryCharts are the inventory's charts: devices by class, and by zone
// under a policy.
func summaryCharts(s inventory.SummaryRecord) []chart {
	classes := make(map[string]int, len(s.ByClass))
	for c, n := range s.ByClass {
		classes[string(c)] = n
	}
	charts := []chart{barChart("chart-class", "Devices by class", "class", classes)}
	if len(s.ByZone) > 0 {
		charts = append(charts, barChart("chart-zone", "Devices by zone", "zone", s.ByZone))
	}
	return charts
}

// flowEndView is one end of a flow as the flows table shows it: its
// device's name (else its address) linked, the address under a name, its
// class and zone.
type flowEndView struct {
	Link        devLink
	IP          string // shown under the name; "" when the label is the address
	Class, Zone string
}

func flowEnd(vantage string, vlan uint16, mac, ip, hostname string, class model.Class, zone string) flowEndView {
	e := flowEndView{Link: devLink{URL: deviceURL(vantage, vlan, mac, ip), Label: hostname}, Class: string(class),
		Zone: zone}
	switch {
	case hostname != "":
		e.IP = ip
	case ip != "":
		e.Link.Label = ip
	default:
		e.Link.Label = mac
	}
	return e
}
