package cli

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// writer streams the items of a listing in one output format. write
// buffers a row (an item led by leads, see rows.go), flush makes what was
// written so far visible (after every page), close ends the output.
type writer interface {
	write(leads []lead, it item) error
	flush() error
	close() error
}

// writerConfig is what shapes a writer: the operation listed, the names
// of the lead columns every row has (the CSV header's; see
// listFlags.leadNames), and --csv-raw.
type writerConfig struct {
	op    *listOp
	leads []string
	raw   bool
}

// writers are the output formats by name.
var writers = map[string]func(io.Writer, writerConfig) writer{
	"ndjson": newNDJSON,
	"json":   newJSON,
	"csv":    newCSV,
	"table":  newTable,
}

// ndjson: one item a line, as the server sent it (itemJSON).
type ndjson struct {
	buf *bufio.Writer
}

func newNDJSON(w io.Writer, _ writerConfig) writer { return &ndjson{buf: bufio.NewWriter(w)} }

func (n *ndjson) write(leads []lead, it item) error {
	b, err := leadJSON(leads, it)
	if err != nil {
		return err
	}
	_, _ = n.buf.Write(b)
	return n.buf.WriteByte('\n')
}

func (n *ndjson) flush() error { return n.buf.Flush() }
func (n *ndjson) close() error { return n.buf.Flush() }

// itemJSON is the item as the server sent it, members the spec does not
// list included: its RawJSON with the white space between tokens removed
// (one line; members, values and their order as sent). An item that has
// no RawJSON object is its type as encoding/json writes it.
func itemJSON(it item) ([]byte, error) {
	if raw := it.RawJSON(); len(raw) > 0 && raw[0] == '{' {
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err == nil {
			return b.Bytes(), nil
		}
	}
	return json.Marshal(it)
}

// jsonArray: one JSON array of the items as the server sent them
// (itemJSON), streamed. The array is closed even when the listing fails,
// so what was written is always valid JSON.
type jsonArray struct {
	buf *bufio.Writer
	n   int
}

func newJSON(w io.Writer, _ writerConfig) writer { return &jsonArray{buf: bufio.NewWriter(w)} }

func (j *jsonArray) write(leads []lead, it item) error {
	b, err := leadJSON(leads, it)
	if err != nil {
		return err
	}
	sep := ",\n  "
	if j.n == 0 {
		sep = "[\n  "
	}
	j.n++
	_, _ = j.buf.WriteString(sep)
	_, err = j.buf.Write(b)
	return err
}

func (j *jsonArray) flush() error { return j.buf.Flush() }

func (j *jsonArray) close() error {
	if j.n == 0 {
		_, _ = j.buf.WriteString("[")
	}
	_, _ = j.buf.WriteString("\n]\n")
	return j.buf.Flush()
}

// csvOut writes one row per item, with the operation's columns (columns.go)
// led by the command's lead columns. The header is the same whether rows
// follow or none do, so that runs appended to one file share one shape.
type csvOut struct {
	w      *csv.Writer
	header []string
	cells  *rowReader
	raw    bool // --csv-raw: cells as they came, formulas included
	begun  bool
	item   []string // the item's cells
	row    []string // the leads' and the item's
}

func newCSV(w io.Writer, cfg writerConfig) writer {
	cols := cfg.op.columns()
	return &csvOut{
		w:      csv.NewWriter(w),
		header: append(slices.Clip(cfg.leads), columnNames(cols)...),
		cells:  newRowReader(columnPaths(cols)),
		raw:    cfg.raw,
	}
}

func (c *csvOut) write(leads []lead, it item) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	c.item = c.cells.row(it, c.item)
	c.row = c.row[:0]
	for _, l := range leads {
		c.row = append(c.row, l.value)
	}
	c.row = append(c.row, c.item...)
	return c.writeRow(c.row)
}

// writeHeader writes the header once, before the first row or at close.
func (c *csvOut) writeHeader() error {
	if c.begun {
		return nil
	}
	c.begun = true
	return c.w.Write(c.header)
}

// writeRow writes row, each cell neutralised (see defuse) unless raw.
func (c *csvOut) writeRow(row []string) error {
	if !c.raw {
		for i := range row {
			row[i] = defuse(row[i])
		}
	}
	return c.w.Write(row)
}

// formulaStarts are the characters that make a spreadsheet read a cell as
// a formula (OWASP, CSV injection): =, +, -, @, tab and carriage return.
const formulaStarts = "=+-@\t\r"

// defuse returns s with a leading ' when a spreadsheet would run it as a
// formula (text from the API is written by anyone: =HYPERLINK(…) would be
// a live link), as OWASP recommends; other cells are unchanged.
func defuse(s string) string {
	if s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

func (c *csvOut) flush() error { c.w.Flush(); return c.w.Error() }

func (c *csvOut) close() error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	return c.flush()
}

// tableColumn is a column of the table format: a property path of the
// item, its header, and its width in runes (0: defaultWidth, or no limit
// for the last column).
type tableColumn struct {
	path   string
	header string
	width  int
}

// defaultWidth is the width of a table column that gives none, but the
// last.
const defaultWidth = 24

// fallbackColumns is how many columns a table shows when the spec names
// none (x-cli-table): the first scalar columns.
const fallbackColumns = 5

// tableColumns are the operation's table columns: x-cli-table's, else its
// first fallbackColumns columns that hold a string, a number or a boolean.
func (o *listOp) tableColumns() []tableColumn {
	if o.table != nil {
		return o.table
	}
	var out []tableColumn
	for _, c := range o.columns() {
		if len(out) == fallbackColumns {
			break
		}
		t := o.item
		for _, i := range c.index {
			for t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
			t = t.Field(i).Type
		}
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			out = append(out, tableColumn{path: c.path, header: strings.ToUpper(c.name)})
		}
	}
	return out
}

// table: fixed-width columns for a person at a terminal, so that rows
// line up across pages while they stream. Its columns are the spec's
// choice for the operation (x-cli-table), a curated view: a property added
// to the spec shows in ndjson, json and csv, and here only when the spec
// adds it to the table. Long text is shortened; the last column is shown
// whole unless it has a width.
type table struct {
	w      *bufio.Writer
	cols   []tableColumn
	cells  *rowReader
	header bool
	row    []string
}

func newTable(w io.Writer, cfg writerConfig) writer {
	cols := cfg.op.tableColumns()
	paths := make([]string, len(cols))
	for i, c := range cols {
		paths[i] = c.path
	}
	return &table{w: bufio.NewWriter(w), cols: cols, cells: newRowReader(paths)}
}

// leadWidth is the width of a leading table column.
const leadWidth = 16

// line writes one line: the lead cells, then cells in the table's columns.
func (t *table) line(leads, cells []string) error {
	var b strings.Builder
	pad := func(c string, w int) {
		c = cell(c, w)
		b.WriteString(c)
		b.WriteString(strings.Repeat(" ", w-utf8.RuneCountInString(c)+2))
	}
	for _, l := range leads {
		pad(l, leadWidth)
	}
	for i, c := range cells {
		w := t.cols[i].width
		switch {
		case i < len(cells)-1:
			pad(c, cmp.Or(w, defaultWidth))
		case w > 0:
			b.WriteString(cell(c, w))
		default:
			b.WriteString(printable(c))
		}
	}
	b.WriteByte('\n')
	_, err := t.w.WriteString(b.String())
	return err
}

func (t *table) write(leads []lead, it item) error {
	if len(t.cols) == 0 {
		return nil
	}
	names, values := make([]string, len(leads)), make([]string, len(leads))
	for i, l := range leads {
		names[i], values[i] = strings.ToUpper(l.name), l.value
	}
	if !t.header {
		t.header = true
		headers := make([]string, len(t.cols))
		for i, c := range t.cols {
			headers[i] = c.header
		}
		if err := t.line(names, headers); err != nil {
			return err
		}
	}
	t.row = t.cells.row(it, t.row)
	return t.line(values, t.row)
}

func (t *table) flush() error { return t.w.Flush() }
func (t *table) close() error { return t.w.Flush() }

// cell makes s fit one table cell: printable (see printable), one line, at
// most n runes.
func cell(s string, n int) string {
	s = printable(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// printable makes text from the API safe to show on a terminal: runs of
// white space become one space, and control characters (an ESC would let
// an invitation's text drive the terminal) and bidirectional formatting
// characters (which reorder what is shown) are shown escaped, as Go writes
// them (\x1b, \u202e), so that what was sent stays visible and inert.
func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.IsControl(r): // C0, DEL and C1
			fmt.Fprintf(&b, `\x%02x`, r)
		case isBidiControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// isBidiControl reports whether r is one of Unicode's bidirectional
// formatting characters.
func isBidiControl(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}
