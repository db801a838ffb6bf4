package main

import (
	"fmt"
	"maps"
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
	retryable                   bool
	where                       string
}

// errorTable is what the spec says of its errors: the types by status (in
// the spec's order), the statuses that carry them, ascending, and the
// statuses a request is retried at (x-retryable-statuses).
type errorTable struct {
	byStatus  map[int][]errorType
	statuses  []int
	retryable []int
}

// readErrorTable reads the error table from the spec: each value of the
// `type` enum of each error response, named by its x-enum-varnames entry,
// explained by its x-enumDescriptions text, and retried as its status is
// (the document's x-retryable-statuses) unless the type schema's
// x-retryable map says otherwise.
func readErrorTable(doc *openapi3.T) (*errorTable, error) {
	retryable, err := intList(doc.Extensions["x-retryable-statuses"])
	if err != nil {
		return nil, fmt.Errorf("#/x-retryable-statuses: %w (the statuses a request is retried at, e.g. [429, 500, 502, 503, 504])", err)
	}
	slices.Sort(retryable)
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
			overrides, err := retryOverrides(tp.Value)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", tw, err)
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
						delete(overrides, v)
						continue // the same schema reached by another operation
					}
					return nil, fmt.Errorf("%s: %s is also listed at %s", tw, v, prev)
				}
				seen[v] = tw
				retry := slices.Contains(retryable, status)
				if o, ok := overrides[v]; ok {
					retry = o
					delete(overrides, v)
				}
				byStatus[status] = append(byStatus[status], errorType{v, names[i], oneLine(desc), status, retry, tw})
			}
			for v := range overrides {
				return nil, fmt.Errorf("%s: x-retryable names %s, which is not in the enum", tw, v)
			}
		}
	}
	statuses := make([]int, 0, len(byStatus))
	for s := range byStatus {
		statuses = append(statuses, s)
	}
	slices.Sort(statuses)
	return &errorTable{byStatus, statuses, retryable}, nil
}

// retryOverrides reads a type schema's x-retryable: a map from enum value
// to the retry decision that replaces its status's.
func retryOverrides(s *openapi3.Schema) (map[string]bool, error) {
	raw, ok := s.Extensions["x-retryable"]
	if !ok {
		return map[string]bool{}, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("x-retryable must map enum values to true or false")
	}
	out := map[string]bool{}
	for v, d := range m {
		b, ok := d.(bool)
		if !ok {
			return nil, fmt.Errorf("x-retryable: %s must be true or false", v)
		}
		out[v] = b
	}
	return out, nil
}

// errorTypes generates client/errortypes_gen.go: an ErrorType constant for
// each error type (named ErrorType + its x-enum-varnames entry, documented
// with its x-enumDescriptions text), by status and then in the spec's
// order. Their status, description and retry decision are in the table
// (errorTableSource).
func errorTypes(doc *openapi3.T) ([]byte, error) {
	tab, err := readErrorTable(doc)
	if err != nil {
		return nil, err
	}
	byStatus, statuses := tab.byStatus, tab.statuses
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
			retried := "not retried"
			if t.retryable {
				retried = "retried"
			}
			fmt.Fprintf(b, "\t// ErrorType%s is %s (%d, %s): %s\n\tErrorType%s ErrorType = %q\n", t.varName, t.value, st, retried, t.description, t.varName, t.value)
		}
	}
	b.WriteString(")\n")
	return b.Bytes(), nil
}

// errorTableSource generates internal/errtable/errtable_gen.go: the table
// every reader of the spec's errors shares.
func errorTableSource(doc *openapi3.T) ([]byte, error) {
	tab, err := readErrorTable(doc)
	if err != nil {
		return nil, err
	}
	b := header("errtable")
	b.WriteString("// Types is every error type of the spec, by status and then in the spec's order.\nvar Types = []Type{\n")
	for _, st := range tab.statuses {
		for _, t := range tab.byStatus[st] {
			fmt.Fprintf(b, "\t{Value: %q, Status: %d, Description: %q, Retryable: %t},\n", t.value, st, t.description, t.retryable)
		}
	}
	fmt.Fprintf(b, "}\n\n// Statuses are the statuses whose responses carry an error type, ascending.\nvar Statuses = %#v\n", tab.statuses)
	fmt.Fprintf(b, "\n// RetryableStatuses are the statuses a request is retried at (x-retryable-statuses), ascending.\nvar RetryableStatuses = %#v\n", tab.retryable)
	return b.Bytes(), nil
}

// intList reads a list of whole numbers (YAML numbers arrive as float64).
func intList(v any) ([]int, error) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("not a list of statuses")
	}
	out := make([]int, len(list))
	for i, x := range list {
		f, ok := x.(float64)
		if !ok || f != float64(int(f)) || f < 100 || f > 599 {
			return nil, fmt.Errorf("item %d (%v) is not an HTTP status", i, x)
		}
		out[i] = int(f)
	}
	return out, nil
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

// schemaPath names a schema for error messages: its $ref, or path.
func schemaPath(s *openapi3.SchemaRef, path string) string {
	if s != nil && s.Ref != "" {
		return s.Ref
	}
	return path
}

// props returns a schema's properties and required names, those of its
// allOf parts included.
func props(s *openapi3.Schema) (map[string]*openapi3.SchemaRef, []string) {
	all := map[string]*openapi3.SchemaRef{}
	req := slices.Clone(s.Required)
	maps.Copy(all, s.Properties)
	for _, sub := range s.AllOf {
		if sub.Value == nil {
			continue
		}
		p, r := props(sub.Value)
		maps.Copy(all, p)
		req = append(req, r...)
	}
	return all, req
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
