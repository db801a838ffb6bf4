package cli

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/postpress/postpress-go/client"
)

// writer streams invitations in one output format. write buffers, flush
// makes what was written so far visible (after every page), close ends the
// output.
type writer interface {
	write(inv *client.Invitation) error
	flush() error
	close() error
}

// writers are the output formats by name.
var writers = map[string]func(io.Writer) writer{
	"ndjson": newNDJSON,
	"json":   newJSON,
	"csv":    newCSV,
	"table":  newTable,
}

// newWriter returns the writer of --format, shaped by the command's flags:
// the CSV header's lead columns (one header per command and flags, rows or
// none) and --csv-raw.
func (f *listFlags) newWriter(out io.Writer) leadWriter {
	w := writers[f.format](out).(leadWriter)
	if c, ok := w.(*csvOut); ok {
		c.leads = f.leadNames()
		c.raw = f.csvRaw
	}
	return w
}

// ndjson: one invitation a line, as the server sent it (invitationJSON).
type ndjson struct {
	buf *bufio.Writer
}

func newNDJSON(w io.Writer) writer { return &ndjson{buf: bufio.NewWriter(w)} }

func (n *ndjson) write(inv *client.Invitation) error {
	b, err := invitationJSON(inv)
	if err != nil {
		return err
	}
	_, _ = n.buf.Write(b)
	return n.buf.WriteByte('\n')
}

func (n *ndjson) flush() error { return n.buf.Flush() }
func (n *ndjson) close() error { return n.buf.Flush() }

// invitationJSON is the invitation as the server sent it, members the spec
// does not list included: its RawJSON with the white space between tokens
// removed (one line; members, values and their order as sent). An
// invitation that has no RawJSON object (one a sync reports as removed, say)
// is the generated type as encoding/json writes it.
func invitationJSON(inv *client.Invitation) ([]byte, error) {
	if raw := inv.RawJSON(); len(raw) > 0 && raw[0] == '{' {
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err == nil {
			return b.Bytes(), nil
		}
	}
	return json.Marshal(inv)
}

// jsonArray: one JSON array of the invitations as the server sent them
// (invitationJSON), streamed. The array is closed even when the listing
// fails, so what was written is always valid JSON.
type jsonArray struct {
	buf *bufio.Writer
	n   int
}

func newJSON(w io.Writer) writer { return &jsonArray{buf: bufio.NewWriter(w)} }

func (j *jsonArray) write(inv *client.Invitation) error {
	b, err := invitationJSON(inv)
	if err != nil {
		return err
	}
	return j.element(b)
}

// element writes b, one JSON value, as the array's next element.
func (j *jsonArray) element(b []byte) error {
	sep := ",\n  "
	if j.n == 0 {
		sep = "[\n  "
	}
	j.n++
	_, _ = j.buf.WriteString(sep)
	_, err := j.buf.Write(b)
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

// csvOut writes one row per invitation, with the columns of columns.go led
// by the command's lead columns (see listFlags.leadNames). The header is the
// same whether rows follow or none do, so that runs appended to one file
// share one shape.
type csvOut struct {
	w      *csv.Writer
	leads  []string // the names of the lead columns
	raw    bool     // --csv-raw: cells as they came, formulas included
	header bool
	row    []string
}

func newCSV(w io.Writer) writer { return &csvOut{w: csv.NewWriter(w)} }

func (c *csvOut) write(inv *client.Invitation) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	c.row = csvRow(invitationColumns, reflect.ValueOf(&inv.InvitationReceived), c.row)
	return c.writeRow(c.row)
}

// writeHeader writes the header once, before the first row or at close.
func (c *csvOut) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	return c.w.Write(append(slices.Clip(c.leads), csvColumns...))
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
// formula (an invitation's text is written by anyone: =HYPERLINK(…) would
// be a live link), as OWASP recommends; other cells are unchanged.
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

// table: fixed-width columns for a person at a terminal, so that rows
// line up across pages while they stream. It leaves out the provider ids and
// the shared secret, and shortens long text. Its columns are picked by hand,
// a curated view: a property added to the spec shows in ndjson, json and
// csv, not here.
type table struct {
	w      *bufio.Writer
	header bool
}

// tableHeader is the table's header row.
var tableHeader = []string{"DATE", "FROM", "HEADLINE", "MESSAGE", "ID"}

// tableWidths are the widths of the columns before ID.
var tableWidths = []int{18, 24, 30, 44}

func newTable(w io.Writer) writer { return &table{w: bufio.NewWriter(w)} }

func (t *table) row(cells ...string) error {
	var b strings.Builder
	for i, c := range cells[:len(cells)-1] {
		c = cell(c, tableWidths[i])
		b.WriteString(c)
		b.WriteString(strings.Repeat(" ", tableWidths[i]-utf8.RuneCountInString(c)+2))
	}
	b.WriteString(cells[len(cells)-1])
	b.WriteByte('\n')
	_, err := t.w.WriteString(b.String())
	return err
}

func (t *table) write(inv *client.Invitation) error {
	if !t.header {
		t.header = true
		if err := t.row(tableHeader...); err != nil {
			return err
		}
	}
	from, headline := "", ""
	if in := inv.Inviter; in != nil {
		from, headline = in.InviterName, in.InviterDescription
	}
	return t.row(inv.Date, from, headline, inv.InvitationText, printable(inv.ID))
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
