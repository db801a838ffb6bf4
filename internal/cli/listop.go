package cli

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/internal/params"
)

// listOp is a list operation of the spec and what its listing command needs
// of it. The table of them, listOps, is generated from openapi.yaml
// (listops_gen.go); the code of the commands is written once over it.
type listOp struct {
	operationID string   // the spec's operationId
	command     []string // the command's words (x-cli-command)
	summary     string   // the operation's summary
	path        string   // the operation's path, under the base URL
	// The query parameters that take the cursor and the page size ("" when
	// the operation has none), and the members of a page's body that hold
	// the items and the next cursor, as the API names them.
	cursorParam, limitParam   string
	itemsMember, cursorMember string
	// newParams returns a pointer to a new zero value of the operation's
	// parameters (the client's type of them).
	newParams func() any
	// rules are the spec's rules of the operation's query parameters.
	rules params.Rules
	// maxLimit and apiLimit are the page-size parameter's maximum (the
	// page size the CLI asks for by default, as the client does) and the
	// API's default.
	maxLimit, apiLimit int
	// open opens the operation's pager on c over params (from newParams).
	open func(c *client.Client, params any, opts ...client.Option) pager
	// item is the client's type of one item.
	item reflect.Type
	// columnOrder is every property path of the item schema in the order
	// the spec declares them (the CSV columns' order).
	columnOrder []string
	// table are the columns of the table format (x-cli-table); nil: the
	// first few scalar columns.
	table []tableColumn
}

// name is the command line of the operation's listing command.
func (o *listOp) name() string { return strings.Join(o.command, " ") }

// columns are the CSV columns of the operation's items (see columns.go).
func (o *listOp) columns() []csvColumn { return columnsOf(o.item, o.columnOrder) }

// hasParam reports whether the operation has the query parameter param.
func (o *listOp) hasParam(param string) bool {
	_, ok := paramField(o.newParams(), param)
	return param != "" && ok
}

// findOp returns the operation that name names: its operationId or its
// command's words.
func findOp(name string) *listOp {
	for _, o := range listOps {
		if o.operationID == name || o.name() == strings.Join(strings.Fields(name), " ") {
			return o
		}
	}
	return nil
}

// opOf returns the operation whose command words start args, and the
// arguments after them.
func opOf(args []string) (*listOp, []string) {
	for _, o := range listOps {
		if len(args) >= len(o.command) && slices.Equal(args[:len(o.command)], o.command) {
			return o, args[len(o.command):]
		}
	}
	return nil, nil
}

// item is one item of a listing, of any operation: what the output formats
// need of it. ndjson and json write its RawJSON; csv and table read its
// fields by reflection (columns.go).
type item interface {
	// RawJSON is the item as the server sent it (nil for one not decoded
	// from a page).
	RawJSON() json.RawMessage
}

// page is one page of a listing.
type page struct {
	items []item
	// next is the page's NextCursor: "" on the last page.
	next string
}

// pager walks one listing a page at a time: a client.Pager of any item
// type (pagerOf).
type pager interface {
	NextPage(ctx context.Context) (*page, error)
	HasMorePages() bool
	Cursor() string
	Close()
}
