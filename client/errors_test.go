package client

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/gen/spec"
)

// TestErrorTypesMatchTheSpec ties the ErrorType table (errortypes_gen.go) to
// openapi.yaml: the same types, under the same statuses, with the same
// explanations, and 33 of them from the docs page.
func TestErrorTypesMatchTheSpec(t *testing.T) {
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	op := doc.Paths.Find("/users/invite/received").Get
	fromSpec := map[ErrorType]int{}
	for code, resp := range op.Responses.Map() {
		if code == "200" {
			continue
		}
		schema := resp.Value.Content.Get("application/json").Schema.Value
		typeSchema := schema.AllOf[1].Value.Properties["type"].Value
		descs, _ := typeSchema.Extensions["x-enumDescriptions"].(map[string]any)
		for _, v := range typeSchema.Enum {
			et := ErrorType(v.(string))
			var status int
			_, _ = fmt.Sscan(code, &status)
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
	all := ErrorTypes()
	if len(all) != len(fromSpec) || len(all) != 34 {
		t.Fatalf("client knows %d types, spec has %d; want 33 documented + invalid_parameters", len(all), len(fromSpec))
	}
	documented := 0
	for _, et := range all {
		if _, ok := fromSpec[et]; !ok {
			t.Errorf("%s is in the client's table but not in the spec", et)
		}
		if et.HTTPStatus() != 400 {
			documented++
		}
	}
	if documented != 33 {
		t.Errorf("%d documented types, want 33", documented)
	}
}

func TestRetryableDecisions(t *testing.T) {
	retry := []ErrorType{
		ErrorTypeTooManyRequests, ErrorTypeProviderError, ErrorTypeUnexpectedError,
		ErrorTypeNetworkDown, ErrorTypeServiceUnavailable, ErrorTypeNoClientSession,
		ErrorTypeNoChannel, ErrorTypeNoHandler, ErrorTypeRequestTimeout,
	}
	for _, et := range ErrorTypes() {
		want := slices.Contains(retry, et)
		if et.Retryable() != want {
			t.Errorf("%s.Retryable() = %v, want %v", et, et.Retryable(), want)
		}
		switch et.HTTPStatus() {
		case 400, 401, 403, 501:
			if et.Retryable() {
				t.Errorf("%s (%d) must not be retryable", et, et.HTTPStatus())
			}
		}
	}
	unknown := ErrorType("errors/brand_new")
	if unknown.Known() || unknown.Retryable() || unknown.HTTPStatus() != 0 || unknown.Description() != "" {
		t.Errorf("unknown type should be unknown, not retryable, no status or description")
	}
	for status, want := range map[int]bool{429: true, 500: true, 502: true, 503: true, 504: true, 400: false, 401: false, 404: false, 501: false} {
		e := &APIError{StatusCode: status, Type: unknown}
		if e.Retryable() != want {
			t.Errorf("unknown type at %d: Retryable() = %v, want %v", status, e.Retryable(), want)
		}
	}
	if (&APIError{StatusCode: 500, Type: ErrorTypeAuthenticationIntentError}).Retryable() {
		t.Error("authentication_intent_error must not be retried even though 500 is")
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
