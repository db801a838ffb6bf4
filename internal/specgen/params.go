package main

import (
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// queryParameters returns the query parameters of every operation with
// where they are in the spec. A parameter that is not a scalar (string,
// integer, number, boolean) fails the run: the client's checks and the
// CLI's flags are made for scalars.
func queryParameters(doc *openapi3.T) ([]*openapi3.Parameter, error) {
	var out []*openapi3.Parameter
	for _, o := range operations(doc) {
		for i, pr := range o.o.Parameters {
			if pr.Value == nil || pr.Value.In != "query" {
				continue
			}
			where := pr.Ref
			if where == "" {
				where = fmt.Sprintf("%s/parameters/%d", o.where(), i)
			}
			p := pr.Value
			if p.Schema == nil || p.Schema.Value == nil {
				return nil, fmt.Errorf("%s: no schema", where)
			}
			if t := p.Schema.Value.Type; t == nil || !t.Includes("string") && !t.Includes("integer") && !t.Includes("number") && !t.Includes("boolean") {
				return nil, fmt.Errorf("%s: query parameter %s is not a string, integer, number or boolean: the client's checks (client/params.go) and the CLI's flags (internal/cli/params.go) handle only those", where, p.Name)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// cliParams generates internal/cli/params_gen.go: a flag for each query
// parameter (one for a parameter several operations share), named by its
// x-cli-flag extension or else by its name with dashes, described by the
// spec's description.
func cliParams(doc *openapi3.T) ([]byte, error) {
	ps, err := queryParameters(doc)
	if err != nil {
		return nil, err
	}
	b := header("cli")
	b.WriteString("// paramFlags are the query parameters of openapi.yaml, each with its flag.\nvar paramFlags = []paramFlag{\n")
	flags := map[string]string{} // by parameter: a parameter of several operations is one flag
	for _, p := range ps {
		flag := strings.ReplaceAll(p.Name, "_", "-")
		if v, ok := p.Extensions["x-cli-flag"].(string); ok && v != "" {
			flag = v
		}
		if f, seen := flags[p.Name]; seen {
			if f != flag {
				return nil, fmt.Errorf("query parameter %s is --%s in one operation and --%s in another: give them one x-cli-flag", p.Name, f, flag)
			}
			continue
		}
		flags[p.Name] = flag
		// Without back quotes, which the flag package would take for the
		// name of the flag's value.
		usage := strings.Join(strings.Fields(strings.ReplaceAll(p.Description, "`", "")), " ")
		fmt.Fprintf(b, "\t{param: %q, flag: %q, usage: %q},\n", p.Name, flag, usage)
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}
