package inventory

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// CSVRow is a record that can be written as CSV.
type CSVRow interface{ CSV() []string }

// CSVWriter writes records as CSV, every cell defused (SafeCell).
type CSVWriter struct{ w *csv.Writer }

// NewCSVWriter returns a CSVWriter on w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{csv.NewWriter(w)} }

// Header writes the header row.
func (c *CSVWriter) Header(header []string) error { return c.w.Write(header) }

// Flush writes what is buffered to the underlying writer.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// Rows writes rows, every cell defused (SafeCell).
func (c *CSVWriter) Rows(rows [][]string) error {
	for _, row := range rows {
		for j, cell := range row {
			row[j] = SafeCell(cell)
		}
		if err := c.w.Write(row); err != nil {
			return err
		}
	}
	return nil
}

// WriteCSVRows writes a row per record.
func WriteCSVRows[R any, P interface {
	*R
	CSVRow
}](c *CSVWriter, recs []R) error {
	for i := range recs {
		row := P(&recs[i]).CSV()
		for j, cell := range row {
			row[j] = SafeCell(cell)
		}
		if err := c.w.Write(row); err != nil {
			return err
		}
	}
	return nil
}

// WriteCSV writes header and then every record.
func WriteCSV[R any, P interface {
	*R
	CSVRow
}](w io.Writer, header []string, recs []R) error {
	c := NewCSVWriter(w)
	if err := c.Header(header); err != nil {
		return err
	}
	if err := WriteCSVRows[R, P](c, recs); err != nil {
		return err
	}
	return c.Flush()
}

// SafeCell defuses spreadsheet formulas: hostnames, AE titles and HL7
// names come from the wire, and a cell starting with =, +, -, @, tab or CR
// is run as a formula by Excel and LibreOffice when the CSV is opened.
// Such a cell gets a leading apostrophe (OWASP "CSV injection").
func SafeCell(c string) string {
	if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return "'" + c
	}
	return c
}

// RFC3339 formats t in UTC to the second; "" for the zero time.
func RFC3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ProtoName names an IP protocol number: tcp, udp, icmp, icmpv6, else the
// number.
func ProtoName(p uint8) string {
	switch p {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 1:
		return "icmp"
	case 58:
		return "icmpv6"
	}
	return strconv.Itoa(int(p))
}

// Age renders a duration in one unit, at most 4 characters for anything
// under 1000 years: 42s, 5m, 3h, 12d, 2y.
func Age(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d < 1000*24*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return strconv.Itoa(int(d/(365*24*time.Hour))) + "y"
}

func macOf(k model.AssetKey) string {
	if k.MAC.IsZero() {
		return ""
	}
	return k.MAC.String()
}

func ipOf(a interface {
	IsValid() bool
	String() string
}) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func u16(v uint16) string { return strconv.Itoa(int(v)) }
func u64(v uint64) string { return strconv.FormatUint(v, 10) }
func i64(v int64) string  { return strconv.FormatInt(v, 10) }
