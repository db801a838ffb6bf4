package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// fake generates postpresstest/operations_gen.go: the methods by which
// postpresstest's fake implements gen.StrictServerInterface, one for each
// method of that interface (so that it always implements it, whatever
// operations the spec declares), and the names the fake's hand-written
// code must not spell out:
//
//   - a list operation (listOps) is served by the fake's generic pager
//     (postpresstest/list.go), given the operation's parameters and
//     members; its items are generated from its item schema;
//   - any other operation answers with the documented example of its first
//     2xx response, or 501 with the error envelope when it has none;
//   - every response the fake writes is a value of one type (reply), which
//     gets each operation's Visit method here;
//   - ErrorType, the constraint of postpresstest.Error: gen's error-type
//     enums;
//   - the error types the fake answers its own refusals with;
//   - for each list operation, Generate<Method> and, for the first list
//     operation of openapi.yaml, Fake.Items.
//
// The Go names come from gen/gen.go itself (genSrc), parsed: the strict
// interface's methods, each with its "(METHOD /path)" comment, and the types
// its signatures name. So the output compiles against the gen that the same
// spec produced, whatever names oapi-codegen gave.
func fake(doc *openapi3.T, node *yaml.Node, genSrc string) ([]byte, error) {
	g, err := parseGen(genSrc)
	if err != nil {
		return nil, err
	}
	lops, err := listOps(doc)
	if err != nil {
		return nil, err
	}
	lops = inFileOrder(lops, node)
	byKey := map[string]op{}
	for _, o := range operations(doc) {
		byKey[o.method+" "+o.path] = o
	}
	b := header("postpresstest")
	b.WriteString("import (\n\t\"context\"\n\t\"net/http\"\n\t\"reflect\"\n\n\t\"github.com/postpress/postpress-go/gen\"\n)\n\n")
	b.WriteString("// Each strict-server method of gen, by which strict implements\n// gen.StrictServerInterface, and the Visit method by which a reply is a\n// response of its operation.\n\n")
	seen := map[string]bool{}
	for _, m := range g.methods {
		o, ok := byKey[m.httpMethod+" "+m.path]
		if !ok {
			return nil, fmt.Errorf("gen/gen.go: StrictServerInterface.%s serves %s %s, which openapi.yaml does not declare (regenerate gen)", m.name, m.httpMethod, m.path)
		}
		seen[m.httpMethod+" "+m.path] = true
		lo, isList := findListOp(lops, o)
		switch {
		case isList:
			fmt.Fprintf(b, "// %s serves a page of the account's items (%s %s).\n", m.name, m.httpMethod, m.path)
			fmt.Fprintf(b, "func (s strict) %s(ctx context.Context, _ %s) (%s, error) {\n", m.name, m.reqType, m.respType)
			fmt.Fprintf(b, "\tvar page gen.%s200JSONResponse\n", m.name)
			fmt.Fprintf(b, "\tif r := s.f.listPage(ctx, %s, &page); r != nil {\n\t\treturn r, nil\n\t}\n\treturn page, nil\n}\n\n", listVar(lo))
		default:
			status, ctype, body, ok, err := firstExample(o)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o.where(), err)
			}
			if ok {
				fmt.Fprintf(b, "// %s answers with the documented example of its %d response (%s %s).\n", m.name, status, m.httpMethod, m.path)
				fmt.Fprintf(b, "func (s strict) %s(ctx context.Context, _ %s) (%s, error) {\n", m.name, m.reqType, m.respType)
				fmt.Fprintf(b, "\treturn s.f.example(ctx, %d, %q, %s), nil\n}\n\n", status, ctype, strconv.Quote(body))
			} else {
				fmt.Fprintf(b, "// %s answers 501: the spec documents no example of its success (%s %s).\n", m.name, m.httpMethod, m.path)
				fmt.Fprintf(b, "func (s strict) %s(ctx context.Context, _ %s) (%s, error) {\n", m.name, m.reqType, m.respType)
				fmt.Fprintf(b, "\treturn s.f.notImplemented(ctx, %q), nil\n}\n\n", o.o.OperationID)
			}
		}
		fmt.Fprintf(b, "// %s writes r.\nfunc (r *reply) %s(w http.ResponseWriter) error { return r.write(w) }\n\n", m.visit, m.visit)
	}
	for key := range byKey {
		if !seen[key] {
			return nil, fmt.Errorf("gen/gen.go: StrictServerInterface has no method for %s (regenerate gen)", key)
		}
	}

	// The list operations.
	b.WriteString("// listOps are the spec's list operations, in openapi.yaml's order.\nvar listOps = []*listOp{")
	for _, lo := range lops {
		b.WriteString(listVar(lo) + ", ")
	}
	b.WriteString("}\n\n")
	for i, lo := range lops {
		item, err := g.itemType(lo)
		if err != nil {
			return nil, err
		}
		o := byKey["GET "+lo.Path]
		bounds := limitOf(o.o, lo.LimitParam)
		fmt.Fprintf(b, "// %s is %s (GET %s).\nvar %s = &listOp{\n", listVar(lo), lo.OperationID, lo.Path, listVar(lo))
		fmt.Fprintf(b, "\tid: %q, path: %q,\n", lo.OperationID, lo.Path)
		fmt.Fprintf(b, "\tcursorParam: %q, limitParam: %q, accountParam: %q,\n", lo.CursorParam, lo.LimitParam, accountParam(o.o, lo))
		fmt.Fprintf(b, "\titemsMember: %q, cursorMember: %q,\n", lo.ItemsMember, lo.CursorMember)
		fmt.Fprintf(b, "\titemSchema: %q, pageSchema: %q,\n", lo.ItemSchema, lo.PageSchema)
		fmt.Fprintf(b, "\titem: reflect.TypeFor[gen.%s](),\n", item)
		fmt.Fprintf(b, "\tlimit: limitBounds{min: %d, max: %d, def: %d},\n}\n\n", bounds[0], bounds[1], bounds[2])
		fmt.Fprintf(b, "// Generate%s returns n items of %s (gen.%s), generated\n// from their schema: the same seed gives the same items.\n", lo.Method, lo.OperationID, item)
		fmt.Fprintf(b, "func Generate%s(seed int64, n int) []gen.%s {\n\treturn generateItems(%s, seed, \"\", n).([]gen.%s)\n}\n\n", lo.Method, item, listVar(lo), item)
		if i == 0 {
			fmt.Fprintf(b, "// Items returns the items the fake serves for account from\n// %s, the first list operation of openapi.yaml (generated\n// on first use for WithAnyAccount), or nil for an unknown account.\n// ItemsOf returns those of any list operation.\n", lo.OperationID)
			fmt.Fprintf(b, "func (f *Fake) Items(account string) []gen.%s { return ItemsOf[gen.%s](f, account) }\n\n", item, item)
		}
	}

	// The error types.
	tab, err := readErrorTable(doc)
	if err != nil {
		return nil, err
	}
	var enums []string
	for _, st := range tab.statuses {
		if t := g.enumOf(tab.byStatus[st][0].value); t != "" && !slices.Contains(enums, t) {
			enums = append(enums, t)
		}
	}
	b.WriteString("// ErrorType is what Error takes: a value of one of gen's error-type\n// enums, one for each error status of the spec.\ntype ErrorType interface {\n\t")
	if len(enums) == 0 {
		b.WriteString("~string\n\tnoErrorTypes()")
	}
	for i, t := range enums {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString("gen." + t)
	}
	b.WriteString("\n}\n\n")
	env, err := g.envelope(doc)
	if err != nil {
		return nil, err
	}
	b.WriteString(env)
	b.WriteString("// The error types the fake answers its own refusals with (see the\n// package doc).\nconst (\n")
	for _, r := range refusals {
		fmt.Fprintf(b, "\t%s = %s\n", r.name, g.errorConst(r.value, r.status, tab))
	}
	b.WriteString(")\n")
	return b.Bytes(), nil
}

// refusals are the error types of the fake's own refusals: the constant
// it names each, the type it prefers and that type's status (when the spec
// lacks the type, the first type the spec lists at that status is used).
var refusals = []struct {
	name, value string
	status      int
}{
	{"typeMissingKey", "errors/missing_credentials", http.StatusUnauthorized},
	{"typeWrongKey", "errors/invalid_credentials", http.StatusUnauthorized},
	{"typeBadParameters", "errors/invalid_parameters", http.StatusBadRequest},
	{"typeNoAccess", "errors/resource_access_restricted", http.StatusForbidden},
	{"typeNotImplemented", "errors/feature_not_implemented", http.StatusNotImplemented},
}

// listVar names the generated listOp variable of lo.
func listVar(lo listOp) string { return "op" + lo.GoName }

func findListOp(lops []listOp, o op) (listOp, bool) {
	for _, lo := range lops {
		if o.method == "GET" && lo.Path == o.path {
			return lo, true
		}
	}
	return listOp{}, false
}

// inFileOrder sorts lops by the order of their paths in openapi.yaml.
func inFileOrder(lops []listOp, node *yaml.Node) []listOp {
	order := map[string]int{}
	root := node
	if root != nil && root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root != nil && root.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value != "paths" {
				continue
			}
			paths := root.Content[i+1]
			for j := 0; j+1 < len(paths.Content); j += 2 {
				order[paths.Content[j].Value] = j
			}
		}
	}
	out := slices.Clone(lops)
	slices.SortStableFunc(out, func(a, b listOp) int { return order[a.Path] - order[b.Path] })
	return out
}

// accountParam is the query parameter that names the account a list
// operation lists: its first required query parameter other than the
// cursor and the limit ("" when it has none: every request then lists the
// same account, "").
func accountParam(o *openapi3.Operation, lo listOp) string {
	for _, p := range o.Parameters {
		if p.Value != nil && p.Value.In == "query" && p.Value.Required && p.Value.Name != lo.CursorParam && p.Value.Name != lo.LimitParam {
			return p.Value.Name
		}
	}
	return ""
}

// limitOf returns the limit parameter's minimum, maximum and default (1,
// 100 and the maximum where the spec says nothing).
func limitOf(o *openapi3.Operation, name string) [3]int {
	r := [3]int{1, 100, 0}
	var s *openapi3.Schema
	if p := o.Parameters.GetByInAndName("query", name); p != nil && p.Schema != nil {
		s = p.Schema.Value
	}
	if s != nil && s.Min != nil {
		r[0] = int(*s.Min)
	}
	if s != nil && s.Max != nil {
		r[1] = int(*s.Max)
	}
	r[2] = r[1]
	if s != nil {
		if d, ok := s.Default.(float64); ok {
			r[2] = int(d)
		}
	}
	return r
}

// firstExample returns the documented example of the operation's first
// 2xx response: its status, content type and body (JSON for a JSON
// content type). ok is false when that response documents none; a
// response without content is its own example, with an empty body.
func firstExample(o op) (status int, ctype, body string, ok bool, err error) {
	codes := slices.Sorted(maps.Keys(o.o.Responses.Map()))
	for _, code := range codes {
		st, err := strconv.Atoi(code)
		if err != nil || st < 200 || st > 299 {
			continue
		}
		r := o.o.Responses.Value(code)
		if r == nil || r.Value == nil {
			return 0, "", "", false, nil
		}
		if len(r.Value.Content) == 0 {
			return st, "", "", true, nil
		}
		types := slices.Sorted(maps.Keys(r.Value.Content))
		if r.Value.Content.Get("application/json") != nil {
			types = append([]string{"application/json"}, types...)
		}
		for _, ct := range types {
			mt := r.Value.Content[ct]
			var v any
			switch {
			case mt.Example != nil:
				v = mt.Example
			case len(mt.Examples) > 0:
				for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
					if e := mt.Examples[name]; e != nil && e.Value != nil && e.Value.Value != nil {
						v = e.Value.Value
						break
					}
				}
			}
			if v == nil {
				continue
			}
			if s, isString := v.(string); isString && !strings.Contains(ct, "json") {
				return st, ct, s, true, nil
			}
			raw, err := json.Marshal(v)
			if err != nil {
				return 0, "", "", false, fmt.Errorf("responses/%s example: %w", code, err)
			}
			return st, ct, string(raw), true, nil
		}
		return 0, "", "", false, nil
	}
	return 0, "", "", false, nil
}

// genPkg is what fake reads of gen/gen.go.
type genPkg struct {
	methods []strictMethod
	types   map[string]ast.Expr // type declarations, by name
	consts  map[string]genConst // enum constants, by value
}

// strictMethod is a method of gen.StrictServerInterface.
type strictMethod struct {
	name, httpMethod, path string
	reqType, respType      string // as written in postpresstest (gen.X)
	visit                  string // the Visit method of the response interface
}

// genConst is a string constant of gen: its name and type.
type genConst struct{ name, typ string }

func parseGen(path string) (*genPkg, error) {
	src, err := os.ReadFile(path) //nolint:gosec // gen/gen.go under the module root
	if err != nil {
		return nil, fmt.Errorf("read gen (run oapi-codegen first): %w", err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	g := &genPkg{types: map[string]ast.Expr{}, consts: map[string]genConst{}}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, s := range gd.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				g.types[s.Name.Name] = s.Type
			case *ast.ValueSpec:
				typ, ok := s.Type.(*ast.Ident)
				if gd.Tok != token.CONST || !ok || len(s.Names) != 1 || len(s.Values) != 1 {
					continue
				}
				if lit, ok := s.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					if _, dup := g.consts[v]; !dup {
						g.consts[v] = genConst{s.Names[0].Name, typ.Name}
					}
				}
			}
		}
	}
	ssi, ok := g.types["StrictServerInterface"].(*ast.InterfaceType)
	if !ok {
		return nil, fmt.Errorf("%s: no StrictServerInterface (generate the strict server)", path)
	}
	for _, m := range ssi.Methods.List {
		ft, ok := m.Type.(*ast.FuncType)
		if !ok || len(m.Names) != 1 || len(ft.Params.List) != 2 || ft.Results == nil || len(ft.Results.List) != 2 {
			return nil, fmt.Errorf("%s: StrictServerInterface has a method of an unknown shape", path)
		}
		sm := strictMethod{name: m.Names[0].Name, reqType: qualify(fset, ft.Params.List[1].Type), respType: qualify(fset, ft.Results.List[0].Type)}
		if m.Doc != nil {
			for _, c := range m.Doc.List {
				t := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
				if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
					sm.httpMethod, sm.path, _ = strings.Cut(t[1:len(t)-1], " ")
				}
			}
		}
		if sm.path == "" {
			return nil, fmt.Errorf("%s: StrictServerInterface.%s has no (METHOD /path) comment", path, sm.name)
		}
		resp, _ := ft.Results.List[0].Type.(*ast.Ident)
		if resp != nil {
			if it, ok := g.types[resp.Name].(*ast.InterfaceType); ok && len(it.Methods.List) == 1 && len(it.Methods.List[0].Names) == 1 {
				sm.visit = it.Methods.List[0].Names[0].Name
			}
		}
		if sm.visit == "" {
			return nil, fmt.Errorf("%s: the response type of StrictServerInterface.%s is not an interface of one method", path, sm.name)
		}
		g.methods = append(g.methods, sm)
	}
	return g, nil
}

// qualify writes a type of gen as code in another package writes it.
func qualify(fset *token.FileSet, e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		if ast.IsExported(t.Name) {
			return "gen." + t.Name
		}
	case *ast.StarExpr:
		return "*" + qualify(fset, t.X)
	}
	var b bytes.Buffer
	_ = printer.Fprint(&b, fset, e)
	return b.String()
}

// itemType is gen's name of the type of lo's items: the element type of
// the items member of the 200 body's type, read from gen.
func (g *genPkg) itemType(lo listOp) (string, error) {
	name := lo.GoName + "200JSONResponse"
	seen := map[string]bool{}
	for !seen[name] {
		seen[name] = true
		switch t := g.types[name].(type) {
		case *ast.Ident:
			name = t.Name
			continue
		case *ast.StructType:
			for _, f := range t.Fields.List {
				if f.Tag == nil {
					continue
				}
				tag, _ := strconv.Unquote(f.Tag.Value)
				jn, _, _ := strings.Cut(reflectTag(tag, "json"), ",")
				if jn != lo.ItemsMember {
					continue
				}
				if arr, ok := f.Type.(*ast.ArrayType); ok {
					if id, ok := arr.Elt.(*ast.Ident); ok {
						return id.Name, nil
					}
				}
			}
		}
		break
	}
	return "", fmt.Errorf("gen/gen.go: gen.%s200JSONResponse has no %q member that is a slice of a named type (regenerate gen)", lo.GoName, lo.ItemsMember)
}

// reflectTag is reflect.StructTag.Get on a tag's text.
func reflectTag(tag, key string) string {
	for _, part := range strings.Fields(tag) {
		if k, v, ok := strings.Cut(part, ":"); ok && k == key {
			s, _ := strconv.Unquote(v)
			return s
		}
	}
	return ""
}

// enumOf names gen's type of the error-type constant whose value is v
// ("" when gen has none).
func (g *genPkg) enumOf(v string) string { return g.consts[v].typ }

// errorConst is the Go expression of the error type v at status: gen's
// constant for it, else for the first type the spec lists at status, else
// v as a string.
func (g *genPkg) errorConst(v string, status int, tab *errorTable) string {
	if c, ok := g.consts[v]; ok {
		return "string(gen." + c.name + ")"
	}
	if ts := tab.byStatus[status]; len(ts) > 0 {
		if c, ok := g.consts[ts[0].value]; ok {
			return "string(gen." + c.name + ")"
		}
	}
	return strconv.Quote(v)
}

// envelopeRoles are the members of the spec's error envelope (RFC 9457's
// problem details), each with the Go value the fake gives it, of type
// string or int.
var envelopeRoles = []struct{ member, value, kind string }{
	{"title", "http.StatusText(status)", "string"},
	{"type", "typ", "string"},
	{"status", "status", "int"},
	{"detail", "detail", "string"},
	{"instance", "instance", "string"},
}

// envelope generates the function that makes an error body: a value of
// gen's type of the envelope schema every error response is built from
// (the schema their allOf lists first, or their own when they have no
// allOf; the most common when they differ), with each of the envelopeRoles
// gen's type has, by JSON name (a pointer member gets the value's
// address).
func (g *genPkg) envelope(doc *openapi3.T) (string, error) {
	count := map[string]int{}
	for _, o := range operations(doc) {
		for code, r := range o.o.Responses.Map() {
			st, err := strconv.Atoi(code)
			if err != nil || st < 400 || r.Value == nil || r.Value.Content.Get("application/json") == nil {
				continue
			}
			s := r.Value.Content.Get("application/json").Schema
			if s == nil || s.Value == nil {
				continue
			}
			cand := refName(s.Ref)
			if len(s.Value.AllOf) > 0 && s.Value.AllOf[0].Ref != "" {
				cand = refName(s.Value.AllOf[0].Ref)
			}
			count[cand]++
		}
	}
	name := ""
	for _, c := range slices.Sorted(maps.Keys(count)) {
		if count[c] > count[name] {
			name = c
		}
	}
	st, ok := g.types[name].(*ast.StructType)
	if name == "" || !ok {
		return "", fmt.Errorf("no error envelope: the error responses' schemas have no common named schema that gen declares as a struct")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "// errorBody is an error response's body: gen.%s, the envelope every\n// error of the spec follows.\n", name)
	b.WriteString("func errorBody(status int, typ, detail, instance string) any {\n")
	fmt.Fprintf(&b, "\treturn gen.%s{", name)
	for _, r := range envelopeRoles {
		for _, f := range st.Fields.List {
			if f.Tag == nil || len(f.Names) != 1 {
				continue
			}
			tag, _ := strconv.Unquote(f.Tag.Value)
			if jn, _, _ := strings.Cut(reflectTag(tag, "json"), ","); jn != r.member {
				continue
			}
			switch t := f.Type.(type) {
			case *ast.Ident:
				if t.Name == r.kind {
					fmt.Fprintf(&b, "%s: %s, ", f.Names[0].Name, r.value)
				}
			case *ast.StarExpr:
				if id, ok := t.X.(*ast.Ident); ok && id.Name == r.kind && !strings.Contains(r.value, "(") {
					fmt.Fprintf(&b, "%s: &%s, ", f.Names[0].Name, r.value)
				}
			}
		}
	}
	b.WriteString("}\n}\n\n")
	return b.String(), nil
}
