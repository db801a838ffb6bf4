package main

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// errorType is one value of an error response's `type` enum.
type errorType struct {
	value, varName, description string
	status                      int
	where                       string
}

// errorTypes generates client/errortypes_gen.go: an ErrorType constant for
// each value of the `type` enum of each error response (named ErrorType +
// its x-enum-varnames entry, documented with its x-enumDescriptions text),
// and the table of their statuses and descriptions, by status and then in
// the spec's order.
func errorTypes(doc *openapi3.T) ([]byte, error) {
	byStatus := map[int][]errorType{}
	seen := map[string]string{}
	for _, o := range operations(doc) {
		for _, code := range sortedKeys(o.o.Responses.Map()) {
			status, err := strconv.Atoi(code)
			if err != nil || status < 400 {
				continue
			}
			where := o.where() + "/responses/" + code
			r := o.o.Responses.Value(code)
			if r.Value == nil || r.Value.Content.Get("application/json") == nil {
				continue
			}
			s := r.Value.Content.Get("application/json").Schema
			if s == nil || s.Value == nil {
				return nil, fmt.Errorf("%s: no schema", where)
			}
			ps, _ := props(s.Value)
			tp := ps["type"]
			if tp == nil || tp.Value == nil || len(tp.Value.Enum) == 0 {
				return nil, fmt.Errorf("%s: the error body's `type` has no enum of error types", where)
			}
			tw := schemaPath(tp, where+"/content/application~1json/schema/properties/type")
			names, err := stringList(tp.Value.Extensions["x-enum-varnames"])
			if err != nil || len(names) != len(tp.Value.Enum) {
				return nil, fmt.Errorf("%s: x-enum-varnames must name each of the %d enum values", tw, len(tp.Value.Enum))
			}
			descs, ok := tp.Value.Extensions["x-enumDescriptions"].(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: x-enumDescriptions must map each enum value to its description", tw)
			}
			for i, e := range tp.Value.Enum {
				v, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("%s/enum/%d: not a string", tw, i)
				}
				desc, ok := descs[v].(string)
				if !ok || strings.TrimSpace(desc) == "" {
					return nil, fmt.Errorf("%s: x-enumDescriptions has no description for %s", tw, v)
				}
				if prev, dup := seen[v]; dup {
					if prev == tw {
						continue // the same schema reached by another operation
					}
					return nil, fmt.Errorf("%s: %s is also listed at %s", tw, v, prev)
				}
				seen[v] = tw
				byStatus[status] = append(byStatus[status], errorType{v, names[i], oneLine(desc), status, tw})
			}
		}
	}
	statuses := make([]int, 0, len(byStatus))
	for s := range byStatus {
		statuses = append(statuses, s)
	}
	slices.Sort(statuses)

	b := header("client")
	b.WriteString(`// The error types openapi.yaml lists for the API's error responses, one
// constant each, named after their x-enum-varnames and documented with
// their x-enumDescriptions. Each constant is also an error sentinel:
// errors.Is(err, ErrorTypeExpiredCredentials) reports whether err is (or
// wraps) an *APIError of that type.
const (
`)
	for _, st := range statuses {
		fmt.Fprintf(b, "\n\t// %d %s\n\n", st, http.StatusText(st))
		for _, t := range byStatus[st] {
			fmt.Fprintf(b, "\t// ErrorType%s is %s (%d): %s\n\tErrorType%s ErrorType = %q\n", t.varName, t.value, st, t.description, t.varName, t.value)
		}
	}
	b.WriteString(")\n\n// errorTypes maps every error type of the spec to its status and description.\nvar errorTypes = map[ErrorType]errorTypeInfo{\n")
	for _, st := range statuses {
		for _, t := range byStatus[st] {
			fmt.Fprintf(b, "\tErrorType%s: {%d, %q},\n", t.varName, st, t.description)
		}
	}
	b.WriteString("}\n\n// errorTypeOrder is every error type of the spec, by status and then in the spec's order.\nvar errorTypeOrder = []ErrorType{\n")
	for _, st := range statuses {
		for _, t := range byStatus[st] {
			fmt.Fprintf(b, "\tErrorType%s,\n", t.varName)
		}
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

func stringList(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("not a list")
	}
	out := make([]string, len(list))
	for i, x := range list {
		s, ok := x.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("item %d is not a name", i)
		}
		out[i] = s
	}
	return out, nil
}

// oneLine folds white space, so that a description fits a comment line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
