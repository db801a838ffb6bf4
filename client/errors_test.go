package client

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/postpress/postpress-go/gen/spec"
	"github.com/postpress/postpress-go/internal/errtable"
)

// errorResponses returns, for each error response of the operation in
// openapi.yaml (read with kin-openapi, not through the generated table),
// its status and the schema of its `type`.
func errorResponses(t *testing.T) (map[int]*openapi3.Schema, *openapi3.T) {
	t.Helper()
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]*openapi3.Schema{}
	for code, resp := range doc.Paths.Find("/users/invite/received").Get.Responses.Map() {
		status, err := strconv.Atoi(code)
		if err != nil {
			t.Fatalf("response %q", code)
		}
		if status < 400 {
			continue
		}
		out[status] = resp.Value.Content.Get("application/json").Schema.Value.AllOf[1].Value.Properties["type"].Value
	}
	if len(out) == 0 {
		t.Fatal("the spec has no error responses")
	}
	return out, doc
}

// TestErrorTypesMatchTheSpec ties the error table (internal/errtable,
// generated) and the ErrorType constants to openapi.yaml as kin-openapi
// reads it: the same types, in the same order, under the same statuses,
// with the same explanations.
func TestErrorTypesMatchTheSpec(t *testing.T) {
	responses, _ := errorResponses(t)
	fromSpec := map[ErrorType]int{}
	var statuses []int
	for status, typeSchema := range responses {
		statuses = append(statuses, status)
		descs, _ := typeSchema.Extensions["x-enumDescriptions"].(map[string]any)
		for _, v := range typeSchema.Enum {
			et := ErrorType(v.(string))
			fromSpec[et] = status
			if !et.Known() {
				t.Errorf("%s (%d) is in the spec but not in the client's table", et, status)
				continue
			}
			if et.HTTPStatus() != status {
				t.Errorf("%s: HTTPStatus() = %d, spec says %d", et, et.HTTPStatus(), status)
			}
			if d, _ := descs[string(et)].(string); d != et.Description() {
				t.Errorf("%s: Description() = %q, spec says %q", et, et.Description(), d)
			}
			if !strings.Contains(typeSchema.Description, string(et)+": "+et.Description()) {
				t.Errorf("%s: spec type description lacks the explanation", et)
			}
		}
	}
	slices.Sort(statuses)
	if !slices.Equal(statuses, errtable.Statuses) {
		t.Errorf("the table's statuses %v, the spec's %v", errtable.Statuses, statuses)
	}
	all := ErrorTypes()
	if len(all) != len(fromSpec) {
		t.Errorf("client knows %d types, spec has %d", len(all), len(fromSpec))
	}
	if !slices.IsSortedFunc(all, func(a, b ErrorType) int { return a.HTTPStatus() - b.HTTPStatus() }) {
		t.Error("ErrorTypes() is not by status")
	}
	for _, et := range all {
		if _, ok := fromSpec[et]; !ok {
			t.Errorf("%s is in the client's table but not in the spec", et)
		}
	}
}

// TestRetryableDecisions reads the retry decision from openapi.yaml
// (x-retryable-statuses, and each type schema's x-retryable) and checks
// every type of the table, and every status for a type the spec does not
// know, against it, and RetryableStatuses (which the docs name instead of
// listing the statuses by hand).
func TestRetryableDecisions(t *testing.T) {
	responses, doc := errorResponses(t)
	var retried []int
	for _, s := range doc.Extensions["x-retryable-statuses"].([]any) {
		retried = append(retried, int(s.(float64)))
	}
	slices.Sort(retried)
	if !slices.Equal(retried, errtable.RetryableStatuses) {
		t.Fatalf("the table retries %v, the spec %v", errtable.RetryableStatuses, retried)
	}
	checked := 0
	for status, typeSchema := range responses {
		overrides, _ := typeSchema.Extensions["x-retryable"].(map[string]any)
		for _, v := range typeSchema.Enum {
			et := ErrorType(v.(string))
			want := slices.Contains(retried, status)
			if o, ok := overrides[string(et)].(bool); ok {
				want = o
			}
			if et.Retryable() != want || (&APIError{StatusCode: status, Type: et}).Retryable() != want {
				t.Errorf("%s (%d): Retryable() = %v, the spec says %v", et, status, et.Retryable(), want)
			}
			checked++
		}
	}
	if checked != len(ErrorTypes()) {
		t.Errorf("checked %d types of %d", checked, len(ErrorTypes()))
	}
	unknown := ErrorType("errors/not_in_the_spec")
	if unknown.Known() || unknown.Retryable() || unknown.HTTPStatus() != 0 || unknown.Description() != "" {
		t.Errorf("unknown type should be unknown, not retryable, no status or description")
	}
	for status := 100; status < 600; status++ {
		for _, typ := range []ErrorType{unknown, ""} {
			if got, want := (&APIError{StatusCode: status, Type: typ}).Retryable(), slices.Contains(retried, status); got != want {
				t.Errorf("type %q at %d: Retryable() = %v, the spec says %v", typ, status, got, want)
			}
		}
	}
	if !slices.Equal(RetryableStatuses(), retried) {
		t.Errorf("RetryableStatuses() = %v, the spec says %v", RetryableStatuses(), retried)
	}
}

func TestAPIErrorIsAndAs(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &APIError{StatusCode: 401, Type: ErrorTypeExpiredCredentials, Instance: "req_1", Attempts: 1})
	if !errors.Is(err, ErrorTypeExpiredCredentials) {
		t.Error("errors.Is should match the type sentinel")
	}
	if errors.Is(err, ErrorTypeInvalidCredentials) {
		t.Error("errors.Is matched another type")
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Instance != "req_1" {
		t.Error("errors.As should reach the *APIError")
	}
	msg := apiErr.Error()
	for _, want := range []string{"401", "errors/expired_credentials", "Credentials have expired. Reconnect the account.", "instance req_1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Error() = %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("Error() must be one line: %q", msg)
	}
}
