package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// The CLI's text tables: aligned columns as wide as their widest cell,
// fitted to the terminal when they are wider. Fitting cuts the widest
// columns first ("…" marks a cut), never below a column's floor; with
// --wide nothing is cut.

// defaultWidth is the width tables fit when the output is not a terminal
// and $COLUMNS is not set (a pipe, a file, the goldens).
const defaultWidth = 120

// outputWidth is the width tables written to w fit: unlimited (0) with
// wide, else the terminal's when w is one, else $COLUMNS, else
// defaultWidth.
func outputWidth(w io.Writer, wide bool) int {
	if wide {
		return 0
	}
	if f, ok := w.(*os.File); ok {
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil && ws.Col > 0 {
			return int(ws.Col)
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return defaultWidth
}

// table is an aligned text table fitted to a width.
type table struct {
	w      io.Writer
	width  int // 0: no limit
	header []string
	floors []int // per column: the narrowest it may be cut to; -1 never cut
	rows   [][]string
	// hidden are the columns (of the rows' cells) column left out.
	hidden []bool
}

// newTable returns a table for w fitting width (0: no limit) with the
// given header (none: a table of label/value lines).
func newTable(w io.Writer, width int, header ...string) *table {
	return &table{w: w, width: width, header: header}
}

// cut sets each column's floor, the narrowest it may be cut to when the
// table is too wide: -1 never cuts it (a MAC, a time, a count). Columns
// without a floor are never cut either.
func (t *table) cut(floors ...int) { t.floors = floors }

// column declares the next column: its header and floor (see cut), or,
// when show is false, that rows' cells for it are left out (a column only
// some listings have).
func (t *table) column(show bool, header string, floor int) {
	t.hidden = append(t.hidden, !show)
	if show {
		t.header = append(t.header, header)
		t.floors = append(t.floors, floor)
	}
}

// row adds a row (with a cell for hidden columns too); control characters
// print as "?".
func (t *table) row(cells ...string) {
	out := make([]string, 0, len(cells))
	for i, c := range cells {
		if i < len(t.hidden) && t.hidden[i] {
			continue
		}
		out = append(out, printable(c))
	}
	t.rows = append(t.rows, out)
}

// widths returns each column's width: its widest cell, the widest cut
// first while the table is wider than t.width.
func (t *table) widths() []int {
	var ws []int
	measure := func(cells []string) {
		for i, c := range cells {
			if i == len(ws) {
				ws = append(ws, 0)
			}
			ws[i] = max(ws[i], utf8.RuneCountInString(c))
		}
	}
	measure(t.header)
	for _, r := range t.rows {
		measure(r)
	}
	if t.width <= 0 {
		return ws
	}
	total := 2 * max(len(ws)-1, 0)
	for _, w := range ws {
		total += w
	}
	for total > t.width {
		widest := -1
		for i, w := range ws {
			if i < len(t.floors) && t.floors[i] >= 0 && w > max(t.floors[i], 2) && (widest < 0 || w > ws[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break // every column at its floor: the table stays wider
		}
		ws[widest]--
		total--
	}
	return ws
}

// flush writes the table: the header (when it has one) even without rows.
func (t *table) flush() error {
	ws := t.widths()
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			c = trunc(c, ws[i])
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", ws[i]-utf8.RuneCountInString(c)+2))
			}
		}
		s := strings.TrimRight(b.String(), " ")
		b.Reset()
		fmt.Fprintln(t.w, s)
	}
	if len(t.header) > 0 {
		line(t.header)
	}
	for _, r := range t.rows {
		line(r)
	}
	t.rows = nil
	return nil
}

// section writes a section of the device: "name (total)" after a blank
// line, the table when it has rows (shown of total), and a pointer to the
// list verbs when total is more.
func (t *table) section(name string, shown, total int) error {
	fmt.Fprintf(t.w, "\n%s (%d)\n", name, total)
	if shown > 0 {
		if err := t.flush(); err != nil {
			return err
		}
	}
	if total > shown {
		fmt.Fprintf(t.w, "(latest %d of %d shown; see wardwatch flows/violations/events --mac)\n", shown, total)
	}
	return nil
}

// trunc shortens s to at most n characters, marking a cut with "…".
func trunc(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// printable replaces control characters (terminal escapes, tabs, newlines
// in names that came from the wire) with "?", so a table cell is one line
// that cannot drive the terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return '?'
		}
		return r
	}, s)
}
