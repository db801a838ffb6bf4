package main

import (
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// params generates client/params_gen.go: the rules the spec gives each
// query parameter (required, bounds, lengths, default), and the page-size
// constants taken from the `limit` parameter.
func params(doc *openapi3.T) ([]byte, error) {
	b := header("client")
	b.WriteString("// queryParams are the rules openapi.yaml gives each query parameter, by name.\nvar queryParams = map[string]paramRule{\n")
	var limit *openapi3.Schema
	var limitWhere string
	for _, o := range operations(doc) {
		for i, pr := range o.o.Parameters {
			where := fmt.Sprintf("%s/parameters/%d", o.where(), i)
			if pr.Value == nil || pr.Value.In != "query" {
				continue
			}
			p := pr.Value
			if p.Schema == nil || p.Schema.Value == nil {
				return nil, fmt.Errorf("%s: no schema", schemaPath(&openapi3.SchemaRef{Ref: pr.Ref}, where))
			}
			s := p.Schema.Value
			fmt.Fprintf(b, "\t%q: {required: %t", p.Name, p.Required)
			if s.Min != nil {
				fmt.Fprintf(b, ", min: ptr(%d)", int64(*s.Min))
			}
			if s.Max != nil {
				fmt.Fprintf(b, ", max: ptr(%d)", int64(*s.Max))
			}
			if s.MinLength > 0 {
				fmt.Fprintf(b, ", minLength: %d", s.MinLength)
			}
			if s.MaxLength != nil {
				fmt.Fprintf(b, ", maxLength: ptr(%d)", *s.MaxLength)
			}
			b.WriteString("},\n")
			if p.Name == "limit" {
				limit, limitWhere = s, where
			}
		}
	}
	b.WriteString("}\n\n")
	if limit == nil {
		return nil, fmt.Errorf("no `limit` query parameter: the page-size constants come from it")
	}
	def, ok := limit.Default.(float64)
	if limit.Min == nil || limit.Max == nil || !ok {
		return nil, fmt.Errorf("%s: `limit` needs minimum, maximum and default", limitWhere)
	}
	fmt.Fprintf(b, `const (
	// MinPageSize is the smallest limit the API accepts (limit's minimum).
	MinPageSize = %d
	// MaxPageSize is the largest limit the API accepts (limit's maximum).
	MaxPageSize = %d
	// APIDefaultPageSize is the page size the API uses when no limit is
	// sent (limit's default).
	APIDefaultPageSize = %d
)
`, int64(*limit.Min), int64(*limit.Max), int64(def))
	return b.Bytes(), nil
}
