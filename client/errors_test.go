package client

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/postpress/postpress-go/gen/spec"
	"github.com/postpress/postpress-go/internal/errtable"
	pt "github.com/postpress/postpress-go/postpresstest"
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
func TestRetryableDecisionsFollowTheSpec(t *testing.T) {
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

// TestAPIErrorMatchesItsTypeAndPrintsOneLine: errors.Is matches an
// *APIError's type through wrapping, errors.As reaches it, and its text is
// one line naming status, type, explanation and request id.
func TestAPIErrorMatchesItsTypeAndPrintsOneLine(t *testing.T) {
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

// TestOneLineFoldsAndCutsAtMaxRunes checks oneLine's folding of white space
// and control characters and its exact cut.
func TestOneLineFoldsAndCutsAtMaxRunes(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"  \t\nab", 10, "ab"},
		{"ab  \n", 10, "ab"},
		{"a \t b\n\nc", 10, "a b c"},
		{"a\x00b", 10, "a b"},
		{"ab cd", 4, "ab c…"},
		{"ab  cde", 5, "ab cd…"},
		{"ééé", 2, "éé…"},
		{"", 5, ""},
		{"a b c d", 3, "a b…"}, // the cut after a space: at most 3 runes before the ellipsis
		{"ab c", 3, "ab…"},
	}
	for _, c := range cases {
		got := oneLine(c.in, c.max)
		if got != c.want {
			t.Errorf("oneLine(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
		if n := utf8.RuneCountInString(strings.TrimSuffix(got, "…")); n > c.max {
			t.Errorf("oneLine(%q, %d) keeps %d runes", c.in, c.max, n)
		}
	}
}

// TestAPIErrorMessageParts checks each optional part of APIError.Error.
func TestAPIErrorMessageParts(t *testing.T) {
	cases := []struct {
		name string
		err  APIError
		want string
	}{
		{"status text when no type", APIError{StatusCode: 404}, "postpress: 404 Not Found"},
		{"nothing for an unknown status", APIError{StatusCode: 599}, "postpress: 599"},
		{"title ignored without a type", APIError{StatusCode: 502, Title: "Bad Gateway"}, "postpress: 502 Bad Gateway"},
		{"the type's description when no detail", APIError{StatusCode: 401, Type: ErrorTypeExpiredCredentials, Title: "T"},
			"postpress: 401 errors/expired_credentials: Credentials have expired. Reconnect the account."},
		{"title when an unknown type has no detail", APIError{StatusCode: 400, Type: "errors/brand_new", Title: "New thing"},
			"postpress: 400 errors/brand_new: New thing"},
		{"detail wins over title", APIError{StatusCode: 400, Type: "errors/brand_new", Title: "T", Detail: "D"},
			"postpress: 400 errors/brand_new: D"},
		{"a server's type folded onto one line", APIError{StatusCode: 400, Type: "errors/a\nb", Detail: "x\r\ny"},
			"postpress: 400 errors/a b: x y"},
		{"no retry after when zero", APIError{StatusCode: 599, Attempts: 1}, "postpress: 599 (1 attempt)"},
		{"retry after", APIError{StatusCode: 599, RetryAfter: 2 * time.Second}, "postpress: 599 (retry after 2s)"},
		{"attempts", APIError{StatusCode: 599, Attempts: 2, Instance: "req_1"}, "postpress: 599 (instance req_1; gave up after 2 attempts)"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%s: Error() = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestPagingErrorSaysWhereToResume checks PagingError's text: the counts
// (singular and plural), and the resume hint: from the start without a
// cursor, with the cursor otherwise, except when the server refused the
// request for that very cursor before any page was delivered.
func TestPagingErrorSaysWhereToResume(t *testing.T) {
	boom := errors.New("boom")
	badCursor := &APIError{StatusCode: 400, Type: ErrorTypeInvalidParameters, Detail: "bad cursor", Attempts: 1}
	refused := `postpress: 400 errors/invalid_parameters: bad cursor (1 attempt) (listing stopped after 0 pages, 0 items; ` +
		`the server refused the request with cursor "c1": do not resume with it)`
	cases := []struct {
		name string
		err  PagingError
		want string
	}{
		{"first page failed", PagingError{Err: boom},
			"boom (listing stopped after 0 pages, 0 items; resume from the start)"},
		{"one page, one item", PagingError{Err: boom, Pages: 1, Items: 1, Cursor: "c1"},
			`boom (listing stopped after 1 page, 1 item; resume with cursor "c1")`},
		{"several", PagingError{Err: boom, Pages: 2, Items: 5, Cursor: "c1"},
			`boom (listing stopped after 2 pages, 5 items; resume with cursor "c1")`},
		{"a 400 for the cursor the listing started at", PagingError{Err: badCursor, Cursor: "c1"}, refused},
		{"a wrapped 404 for it", PagingError{Err: fmt.Errorf("x: %w", &APIError{StatusCode: 404}), Cursor: "c1"},
			`x: postpress: 404 Not Found (listing stopped after 0 pages, 0 items; the server refused the request with cursor "c1": do not resume with it)`},
		{"a 499, the last 4xx, for it", PagingError{Err: &APIError{StatusCode: 499}, Cursor: "c1"},
			`postpress: 499 (listing stopped after 0 pages, 0 items; the server refused the request with cursor "c1": do not resume with it)`},
		{"a 400 after a page was delivered", PagingError{Err: &APIError{StatusCode: 400}, Pages: 1, Items: 3, Cursor: "c2"},
			`postpress: 400 Bad Request (listing stopped after 1 page, 3 items; resume with cursor "c2")`},
		{"a 400 without a cursor", PagingError{Err: &APIError{StatusCode: 400}},
			"postpress: 400 Bad Request (listing stopped after 0 pages, 0 items; resume from the start)"},
		{"a rate limit says nothing against the cursor", PagingError{Err: &APIError{StatusCode: 429}, Cursor: "c1"},
			`postpress: 429 Too Many Requests (listing stopped after 0 pages, 0 items; resume with cursor "c1")`},
		{"expired credentials say nothing against it", PagingError{Err: &APIError{StatusCode: 401}, Cursor: "c1"},
			`postpress: 401 Unauthorized (listing stopped after 0 pages, 0 items; resume with cursor "c1")`},
		{"a 500 says nothing against it", PagingError{Err: &APIError{StatusCode: 500}, Cursor: "c1"},
			`postpress: 500 Internal Server Error (listing stopped after 0 pages, 0 items; resume with cursor "c1")`},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	if e := (PagingError{Err: badCursor, Cursor: "c1"}); !errors.Is(&e, ErrorTypeInvalidParameters) || e.Cursor != "c1" {
		t.Errorf("a refused cursor: the error should still unwrap to its cause and keep Cursor %q", e.Cursor)
	}
}

// TestRequestErrorNamesStepURLAndAttempts checks RequestError's text.
func TestRequestErrorNamesStepURLAndAttempts(t *testing.T) {
	cause := errors.New("boom")
	for _, c := range []struct {
		err  RequestError
		want string
	}{
		{RequestError{Op: "send", URL: "http://h/x", Err: cause, Attempts: 1}, "postpress: send GET http://h/x: boom (1 attempt)"},
		{RequestError{Op: "wait for the rate limiter", Err: cause, Attempts: 3}, "postpress: wait for the rate limiter: boom (gave up after 3 attempts)"},
		{RequestError{Op: "send", Err: cause}, "postpress: send: boom"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
	if err := fmt.Errorf("w: %w", &RequestError{Op: "send", Err: cause}); !errors.Is(err, cause) {
		t.Error("a RequestError should unwrap to its cause")
	}
}

// TestListingFromARefusedCursorDoesNotSuggestIt: a listing started at a
// cursor the server never issued ends, after one request, with a
// *PagingError that keeps the cursor but does not offer it as the resume
// point.
func TestListingFromARefusedCursorDoesNotSuggestIt(t *testing.T) {
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 5)})
	const bad = "bm90LWlzc3VlZA"
	_, err := listIDs(c, ListParams{AccountID: "acc", Cursor: bad})
	var pe *PagingError
	if !errors.As(err, &pe) || pe.Cursor != bad || pe.Pages != 0 || !errors.Is(err, ErrorTypeInvalidParameters) {
		t.Fatalf("err = %v, want a *PagingError at cursor %q wrapping errors/invalid_parameters", err, bad)
	}
	if msg := err.Error(); strings.Contains(msg, "resume with cursor") || !strings.Contains(msg, "refused the request with cursor") {
		t.Errorf("Error() = %q: it should say the cursor was refused, not suggest it", msg)
	}
	if n := srv.RequestCount(); n != 1 {
		t.Errorf("%d requests, want 1 (a 400 is not retried)", n)
	}
}
