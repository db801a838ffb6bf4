package main

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
)

// listOp is a cursor-paged list operation of the spec: an operation with
// the x-speakeasy-pagination extension, and the names the SDK gives it.
type listOp struct {
	OperationID string // as in the spec: listInvitationsReceived
	GoName      string // gen's name for it: ListInvitationsReceived
	Path        string // the operation's path, as in the spec
	Method      string // the client's iterator method (x-sdk-method)
	Item        string // the client's item type (x-sdk-item)
	ItemSchema  string // gen's type of one item
	PageSchema  string // gen's type of the 200 body
	Params      string // the client's alias of gen's parameter type (x-sdk-params), or ""
	// The query parameters that take the cursor and the page size ("" when
	// the operation has no page-size parameter), and the members of the
	// 200 body that hold the items and the next cursor, as the API names
	// them.
	CursorParam, LimitParam   string
	ItemsMember, CursorMember string
	CLI                       []string // the CLI command's words (x-cli-command)
	Summary                   string   // the operation's summary
}

// ParamsType is the Go type of the operation's parameters, as the client
// names it.
func (o listOp) ParamsType() string {
	if o.Params != "" {
		return o.Params
	}
	return "gen." + o.GoName + "Params"
}

// listOps returns the list operations of the spec, in the order of
// operations. An operation with the extension that does not fit it (a
// named parameter or member that is missing or of the wrong type) fails
// the run, with where.
func listOps(doc *openapi3.T) ([]listOp, error) {
	var out []listOp
	for _, o := range operations(doc) {
		raw, ok := o.o.Extensions["x-speakeasy-pagination"]
		if !ok {
			continue
		}
		lo, err := readListOp(o, raw)
		if err != nil {
			return nil, fmt.Errorf("%s/x-speakeasy-pagination: %w", o.where(), err)
		}
		out = append(out, lo)
	}
	return out, nil
}

func readListOp(o op, raw any) (listOp, error) {
	ext, ok := raw.(map[string]any)
	if !ok || ext["type"] != "cursor" {
		return listOp{}, fmt.Errorf("want a map with type: cursor")
	}
	lo := listOp{OperationID: o.o.OperationID, Path: o.path, Summary: o.o.Summary}
	if lo.OperationID == "" {
		return lo, fmt.Errorf("the operation has no operationId")
	}
	lo.GoName = upperFirst(lo.OperationID)
	inputs, _ := ext["inputs"].([]any)
	for _, in := range inputs {
		m, _ := in.(map[string]any)
		name, _ := m["name"].(string)
		if m["in"] != "parameters" {
			return lo, fmt.Errorf("input %q: only `in: parameters` is supported", name)
		}
		p := o.o.Parameters.GetByInAndName("query", name)
		if p == nil {
			return lo, fmt.Errorf("input %q: no query parameter of that name", name)
		}
		switch m["type"] {
		case "cursor":
			if !p.Schema.Value.Type.Is("string") {
				return lo, fmt.Errorf("input %q: the cursor parameter must be a string", name)
			}
			lo.CursorParam = name
		case "limit":
			if !p.Schema.Value.Type.Is("integer") {
				return lo, fmt.Errorf("input %q: the limit parameter must be an integer", name)
			}
			lo.LimitParam = name
		default:
			return lo, fmt.Errorf("input %q: type %v is not cursor or limit", name, m["type"])
		}
	}
	if lo.CursorParam == "" {
		return lo, fmt.Errorf("no input of type cursor")
	}
	outputs, _ := ext["outputs"].(map[string]any)
	results, _ := outputs["results"].(string)
	next, _ := outputs["nextCursor"].(string)
	lo.ItemsMember, lo.CursorMember = member(results), member(next)
	if lo.ItemsMember == "" || lo.CursorMember == "" {
		return lo, fmt.Errorf("outputs: results and nextCursor must each be $.<member> (got %q, %q)", results, next)
	}
	resp := o.o.Responses.Status(200)
	if resp == nil || resp.Value == nil || resp.Value.Content.Get("application/json") == nil {
		return lo, fmt.Errorf("no application/json 200 response")
	}
	page := resp.Value.Content.Get("application/json").Schema
	if page == nil || page.Ref == "" {
		return lo, fmt.Errorf("the 200 body's schema must be a $ref to a named schema")
	}
	lo.PageSchema = refName(page.Ref)
	items := page.Value.Properties[lo.ItemsMember]
	if items == nil || !items.Value.Type.Is("array") || items.Value.Items == nil || items.Value.Items.Ref == "" {
		return lo, fmt.Errorf("%s.%s must be an array of a named schema ($ref)", lo.PageSchema, lo.ItemsMember)
	}
	lo.ItemSchema = refName(items.Value.Items.Ref)
	if c := page.Value.Properties[lo.CursorMember]; c == nil || !c.Value.Type.Is("string") {
		return lo, fmt.Errorf("%s.%s must be a string", lo.PageSchema, lo.CursorMember)
	}
	lo.Method = stringExt(o.o.Extensions, "x-sdk-method", strings.TrimPrefix(lo.GoName, "List"))
	lo.Item = stringExt(o.o.Extensions, "x-sdk-item", lo.ItemSchema)
	lo.Params = stringExt(o.o.Extensions, "x-sdk-params", "")
	lo.CLI = strings.Fields(stringExt(o.o.Extensions, "x-cli-command", kebab(lo.Method)))
	for _, name := range []string{lo.Method, lo.Item, lo.Params} {
		if name != "" && !isExported(name) {
			return lo, fmt.Errorf("%q is not an exported Go name", name)
		}
	}
	return lo, nil
}

// member is the member name of a JSONPath of the form $.name.
func member(path string) string {
	name, ok := strings.CutPrefix(path, "$.")
	if !ok || strings.ContainsAny(name, ".[]") {
		return ""
	}
	return name
}

func refName(ref string) string { return ref[strings.LastIndexByte(ref, '/')+1:] }

func stringExt(ext map[string]any, name, def string) string {
	if v, ok := ext[name].(string); ok && v != "" {
		return v
	}
	return def
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func isExported(s string) bool {
	for i, r := range s {
		if i == 0 && !unicode.IsUpper(r) || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

// kebab turns InvitationsSent into invitations-sent.
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
