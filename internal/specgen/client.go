package main

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"github.com/getkin/kin-openapi/openapi3"
)

// clientListOps generates client/listops_gen.go: for every list operation
// (listOps), the item type, the iterator and pager methods on Client, and
// the description the paging engine works from (listOp in
// client/listop.go): the generated client's method, the cursor and limit
// parameters, the page-size defaults, the query parameters' rules, and the
// decoders of a page and an item.
func clientListOps(doc *openapi3.T) ([]byte, error) {
	ops, err := listOps(doc)
	if err != nil {
		return nil, err
	}
	type opData struct {
		listOp
		Var, CursorField, LimitField string
		MaxLimit, APILimit           int64
		Rules                        []string
		Doc                          string
	}
	var data []opData
	for _, o := range ops {
		d := opData{listOp: o, Var: lowerFirst(o.Item) + "Op"}
		for _, op := range operations(doc) {
			if op.o.OperationID != o.OperationID {
				continue
			}
			d.Doc = comment(firstNonEmpty(op.o.Description, op.o.Summary))
			for _, pr := range op.o.Parameters {
				p := pr.Value
				if p == nil || p.In != "query" {
					continue
				}
				d.Rules = append(d.Rules, fmt.Sprintf("%q: %s", p.Name, rule(p)))
				switch p.Name {
				case o.CursorParam:
					d.CursorField = goFieldName(p.Name)
				case o.LimitParam:
					d.LimitField = goFieldName(p.Name)
					s := p.Schema.Value
					if def, ok := s.Default.(float64); ok {
						d.APILimit = int64(def)
					}
					d.MaxLimit = d.APILimit
					if s.Max != nil {
						d.MaxLimit = int64(*s.Max)
					}
				}
			}
		}
		data = append(data, d)
	}
	b := header("client")
	err = clientTemplate.Execute(b, data)
	return b.Bytes(), err
}

var clientTemplate = template.Must(template.New("client").Parse(`
import (
	"context"
	"encoding/json"
	"iter"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/params"
)
{{range .}}{{if .Params}}
// {{.Params}} are the parameters of {{.Method}} and {{.Item}}Pager: every
// query parameter openapi.yaml declares for {{.OperationID}}, as
// oapi-codegen generates them. They are checked by the spec's rules before
// anything is sent; an optional parameter left at its zero value is not
// sent. {{.CursorField}} starts the listing at a NextCursor of a page, or
// the Cursor of a *PagingError, to resume.
type {{.Params}} = gen.{{.GoName}}Params
{{end}}
// {{.Item}} is one item of {{.Method}}: gen.{{.ItemSchema}} (its fields and
// docs come from openapi.yaml, and are promoted), and the exact bytes the
// server sent for it (RawJSON).
type {{.Item}} struct {
	gen.{{.ItemSchema}}
	rawJSON
}

// {{.Method}} lists every item of {{.OperationID}} ({{.Summary}}), fetching
// pages as needed, starting at the cursor params give and stopping after
// WithMaxItems's count when given.
{{.Doc}}//
// Each step yields an item and a nil error, or once, at the end, a zero
// item and the error that stopped the listing: a *ParamError (nothing was
// sent) or a *PagingError whose Cursor resumes the listing with nothing
// lost and nothing twice. Breaking out of the loop stops it.
func (c *Client) {{.Method}}(ctx context.Context, params {{.ParamsType}}, opts ...Option) iter.Seq2[{{.Item}}, error] {
	return items(ctx, c.{{.Item}}Pager(params, opts...))
}

// {{.Item}}Pager lists the items of {{.Method}} a page at a time, under
// the caller's control (see Pager).
func (c *Client) {{.Item}}Pager(params {{.ParamsType}}, opts ...Option) *Pager[{{.Item}}] {
	return newPager(c, &{{.Var}}, params, opts)
}

var {{.Var}} = listOp[{{.ParamsType}}, {{.Item}}]{
	send:   (*gen.Client).{{.GoName}},
	cursor: func(p *{{.ParamsType}}) *string { return &p.{{.CursorField}} },
	{{if .LimitField}}limit:  func(p *{{.ParamsType}}) *int { return &p.{{.LimitField}} },
	{{end}}maxLimit: {{.MaxLimit}},
	apiLimit: {{.APILimit}},
	rules: params.Rules{
		{{range .Rules}}{{.}},
		{{end}}
	},
	items: {{printf "%q" .ItemsMember}},
	next: {{printf "%q" .CursorMember}},
	decode: func(dec *json.Decoder, v *{{.Item}}) error { return dec.Decode(&v.{{.ItemSchema}}) },
}
{{end}}`))

// rule is the Go literal of a query parameter's params.Rule.
func rule(p *openapi3.Parameter) string {
	s := p.Schema.Value
	var b strings.Builder
	fmt.Fprintf(&b, "{Required: %t", p.Required)
	if s.Min != nil {
		fmt.Fprintf(&b, ", Min: params.Ptr[float64](%v)", *s.Min)
	}
	if s.Max != nil {
		fmt.Fprintf(&b, ", Max: params.Ptr[float64](%v)", *s.Max)
	}
	if s.MinLength > 0 {
		fmt.Fprintf(&b, ", MinLength: %d", s.MinLength)
	}
	if s.MaxLength != nil {
		fmt.Fprintf(&b, ", MaxLength: params.Ptr[int64](%d)", *s.MaxLength)
	}
	if len(s.Enum) > 0 {
		b.WriteString(", Enum: []string{")
		for _, v := range s.Enum {
			fmt.Fprintf(&b, "%q, ", fmt.Sprint(v))
		}
		b.WriteString("}")
	}
	b.WriteString("}")
	return b.String()
}

// goFieldName is oapi-codegen's field name for a parameter: camel case
// with the initialisms it knows (account_id: AccountID).
func goFieldName(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '_' || r == '-' || r == '.' }) {
		if up := strings.ToUpper(part); initialisms[up] {
			b.WriteString(up)
			continue
		}
		b.WriteString(upperFirst(part))
	}
	return b.String()
}

// initialisms are those of oapi-codegen's ToCamelCaseWithInitialisms that
// a parameter name is likely to hold, and the configuration's IMAP.
var initialisms = map[string]bool{"ID": true, "URL": true, "URI": true, "API": true, "HTTP": true, "JSON": true, "UUID": true, "IP": true, "IMAP": true}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// comment turns text into doc-comment lines, a blank comment line before
// it.
func comment(text string) string {
	if text == "" {
		return ""
	}
	var b bytes.Buffer
	b.WriteString("//\n")
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		b.WriteString(strings.TrimRight("// "+line, " ") + "\n")
	}
	return b.String()
}
