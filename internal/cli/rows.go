package cli

import (
	"encoding/json"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/postpress/postpress-go/client"
)

// lead is a field that leads a row, before the invitation's own: the
// account it came from (account_id) when a command lists several
// accounts, and what a sync reports (change: new or removed) with
// --removed.
type lead struct{ name, value string }

// leadWriter is a writer that can lead a row with fields. Every format
// is one (see writeLead below); idOnly is a row that knows nothing of the
// invitation but its id (a removed one).
type leadWriter interface {
	writer
	writeLead(leads []lead, inv *client.Invitation, idOnly bool) error
}

// idMember is the JSON name of the invitation's id, from the generated
// type's tag.
var idMember = func() string {
	f, _ := reflect.TypeFor[client.Invitation]().FieldByName("ID")
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}()

// leadJSON returns the invitation as one JSON object whose first members
// are leads (a flat row: the leads sit beside the invitation's members, as
// the server sent them: invitationJSON). With idOnly the object holds the
// leads and the id.
func leadJSON(leads []lead, inv *client.Invitation, idOnly bool) ([]byte, error) {
	var body []byte
	var err error
	if idOnly {
		body, err = json.Marshal(map[string]string{idMember: inv.ID})
	} else {
		body, err = invitationJSON(inv)
	}
	if err != nil {
		return nil, err
	}
	out := []byte{'{'}
	for _, l := range leads {
		k, _ := json.Marshal(l.name)
		v, _ := json.Marshal(l.value)
		out = append(append(append(append(out, k...), ':'), v...), ',')
	}
	if len(body) <= 2 { // {}
		return append(out[:len(out)-1], '}'), nil
	}
	return append(out, body[1:]...), nil
}

func (n *ndjson) writeLead(leads []lead, inv *client.Invitation, idOnly bool) error {
	b, err := leadJSON(leads, inv, idOnly)
	if err != nil {
		return err
	}
	_, _ = n.buf.Write(b)
	return n.buf.WriteByte('\n')
}

func (j *jsonArray) writeLead(leads []lead, inv *client.Invitation, idOnly bool) error {
	b, err := leadJSON(leads, inv, idOnly)
	if err != nil {
		return err
	}
	return j.element(b)
}

func (c *csvOut) writeLead(leads []lead, inv *client.Invitation, _ bool) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	row := make([]string, 0, len(leads)+len(csvColumns))
	for _, l := range leads {
		row = append(row, l.value)
	}
	return c.writeRow(append(row, csvRow(invitationColumns, reflect.ValueOf(&inv.InvitationReceived), nil)...))
}

// leadWidth is the width of a leading table column.
const leadWidth = 16

func (t *table) writeLead(leads []lead, inv *client.Invitation, _ bool) error {
	cells := func(header bool) string {
		var b strings.Builder
		for _, l := range leads {
			c := l.value
			if header {
				c = strings.ToUpper(l.name)
			}
			c = cell(c, leadWidth)
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", leadWidth-utf8.RuneCountInString(c)+2))
		}
		return b.String()
	}
	if !t.header {
		t.header = true
		_, _ = t.w.WriteString(cells(true))
		if err := t.row(tableHeader...); err != nil {
			return err
		}
	}
	_, _ = t.w.WriteString(cells(false))
	return t.write(inv)
}
