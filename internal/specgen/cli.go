package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// cliTable is one column of the CLI's table format, from an operation's
// x-cli-table.
type cliTable struct {
	path   string // the property path in the item (inviter.inviter_name)
	header string // the header cell
	width  int    // the cell width in runes; 0: the CLI's default
}

// cliListOps generates internal/cli/listops_gen.go: an entry for each list
// operation (listOps) with what the CLI's listing command needs of it: its
// command words and summary, its query parameters' roles, a constructor of
// its parameters (the client's type of them), a function that opens its
// pager on a *client.Client, the type of its items, the property paths of
// its item schema in the spec's order (the CSV columns, see
// propertyOrder), the columns of the table format (x-cli-table), and the
// rules of its query parameters and its page sizes (as the client's
// listops_gen.go has them), by which the CLI checks its flags.
//
// x-cli-table on the operation lists the table's columns, each a property
// path of the item (a leaf: a nested object's property, not the object), as
// a string or as a map {path, header, width}; the header defaults to the
// property's name in capitals, the width to the CLI's. Without it the CLI
// shows the first few scalar columns.
func cliListOps(doc *openapi3.T, root *yaml.Node) ([]byte, error) {
	ops, err := listOps(doc)
	if err != nil {
		return nil, err
	}
	// In the order of their commands, as the usage lists them.
	slices.SortStableFunc(ops, func(a, b listOp) int {
		return strings.Compare(strings.Join(a.CLI, " "), strings.Join(b.CLI, " "))
	})
	var b strings.Builder
	imports := map[string]bool{
		"reflect": true,
		"github.com/postpress/postpress-go/client":          true,
		"github.com/postpress/postpress-go/internal/params": true,
	}
	b.WriteString("// listOps are the list operations of openapi.yaml (x-speakeasy-pagination),\n// each a listing command, in the order of their commands.\nvar listOps = []*listOp{\n")
	for _, o := range ops {
		where := "#/paths/" + escape(o.Path)
		order, err := propertyOrder(root, o.ItemSchema)
		if err != nil {
			return nil, fmt.Errorf("%s: the item schema: %w", where, err)
		}
		table, err := readCLITable(doc.Paths.Value(o.Path).Get, order)
		if err != nil {
			return nil, fmt.Errorf("%s/get/x-cli-table: %w", where, err)
		}
		params := o.ParamsType()
		if o.Params != "" {
			params = "client." + params
		} else {
			imports["github.com/postpress/postpress-go/gen"] = true
		}
		fmt.Fprintf(&b, "\t{\n\t\toperationID: %q,\n\t\tcommand: %#v,\n\t\tsummary: %q,\n\t\tpath: %q,\n",
			o.OperationID, o.CLI, o.Summary, o.Path)
		fmt.Fprintf(&b, "\t\tcursorParam: %q,\n\t\tlimitParam: %q,\n\t\titemsMember: %q,\n\t\tcursorMember: %q,\n",
			o.CursorParam, o.LimitParam, o.ItemsMember, o.CursorMember)
		fmt.Fprintf(&b, "\t\tnewParams: func() any { return new(%s) },\n", params)
		rules, maxLimit, apiLimit := cliRules(doc, o)
		if o.LimitParam != "" {
			fmt.Fprintf(&b, "\t\tmaxLimit: %d,\n\t\tapiLimit: %d,\n", maxLimit, apiLimit)
		}
		b.WriteString("\t\trules: params.Rules{\n")
		for _, r := range rules {
			fmt.Fprintf(&b, "\t\t\t%s,\n", r)
		}
		b.WriteString("\t\t},\n")
		fmt.Fprintf(&b, "\t\topen: func(c *client.Client, p any, opts ...client.Option) pager {\n\t\t\treturn pagerOf(c.%s(*p.(*%s), opts...))\n\t\t},\n",
			pagerMethod(o), params)
		fmt.Fprintf(&b, "\t\titem: reflect.TypeFor[client.%s](),\n", o.Item)
		b.WriteString("\t\tcolumnOrder: []string{\n")
		for _, p := range order {
			fmt.Fprintf(&b, "\t\t\t%q,\n", p)
		}
		b.WriteString("\t\t},\n")
		if table != nil {
			b.WriteString("\t\ttable: []tableColumn{\n")
			for _, c := range table {
				fmt.Fprintf(&b, "\t\t\t{path: %q, header: %q, width: %d},\n", c.path, c.header, c.width)
			}
			b.WriteString("\t\t},\n")
		}
		b.WriteString("\t},\n")
	}
	b.WriteString("}\n")

	out := header("cli")
	out.WriteString("import (\n\t\"reflect\"\n\n")
	delete(imports, "reflect")
	for _, imp := range slices.Sorted(maps.Keys(imports)) {
		fmt.Fprintf(out, "\t%q\n", imp)
	}
	out.WriteString(")\n\n")
	out.WriteString(b.String())
	return out.Bytes(), nil
}

// cliRules returns the rules of op's query parameters, as Go source
// ("name": params.Rule{...}), the page size's maximum and the API's default
// page size (0 when the operation has no page-size parameter, or its
// schema gives none).
func cliRules(doc *openapi3.T, o listOp) (rules []string, maxLimit, apiLimit int64) {
	for _, op := range operations(doc) {
		if op.o.OperationID != o.OperationID {
			continue
		}
		for _, pr := range op.o.Parameters {
			p := pr.Value
			if p == nil || p.In != "query" {
				continue
			}
			rules = append(rules, fmt.Sprintf("%q: %s", p.Name, rule(p)))
			if p.Name == o.LimitParam {
				s := p.Schema.Value
				if def, ok := s.Default.(float64); ok {
					apiLimit = int64(def)
				}
				maxLimit = apiLimit
				if s.Max != nil {
					maxLimit = int64(*s.Max)
				}
			}
		}
	}
	return rules, maxLimit, apiLimit
}

// pagerMethod is the name of the client's method that opens a pager over
// the operation: the item type's name and Pager (InvitationPager).
func pagerMethod(o listOp) string { return o.Item + "Pager" }

// readCLITable reads the operation's x-cli-table (nil when it has none);
// paths are the item schema's property paths.
func readCLITable(o *openapi3.Operation, paths []string) ([]cliTable, error) {
	raw, ok := o.Extensions["x-cli-table"]
	if !ok {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("want a list of columns")
	}
	var out []cliTable
	for i, e := range list {
		var c cliTable
		switch v := e.(type) {
		case string:
			c.path = v
		case map[string]any:
			for k := range v {
				if k != "path" && k != "header" && k != "width" {
					return nil, fmt.Errorf("%d: unknown key %q (path, header, width)", i, k)
				}
			}
			c.path, _ = v["path"].(string)
			c.header, _ = v["header"].(string)
			if w, ok := v["width"]; ok {
				f, isNum := w.(float64)
				if !isNum || f != float64(int(f)) || f < 2 {
					return nil, fmt.Errorf("%d: width %v is not a whole number of 2 or more", i, w)
				}
				c.width = int(f)
			}
		default:
			return nil, fmt.Errorf("%d: want a property path or a map {path, header, width}", i)
		}
		if !slices.Contains(paths, c.path) {
			return nil, fmt.Errorf("%d: %q is not a property path of the item schema (one of %s)", i, c.path, strings.Join(paths, ", "))
		}
		if slices.ContainsFunc(paths, func(p string) bool { return strings.HasPrefix(p, c.path+".") }) {
			return nil, fmt.Errorf("%d: %q is an object: name one of its properties", i, c.path)
		}
		if c.header == "" {
			c.header = strings.ToUpper(c.path[strings.LastIndexByte(c.path, '.')+1:])
		}
		out = append(out, c)
	}
	return out, nil
}
