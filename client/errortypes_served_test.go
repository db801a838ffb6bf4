package client_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/client"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// TestEveryErrorTypeServed serves every documented error type at its
// documented status, repeating it past the retry budget, and checks the
// *APIError (type, status, retryability, instance, attempts) and how many
// requests were sent: 1 + max retries for a retryable type, exactly 1 for
// the others. Then unknown types and undocumented statuses. The server
// echoes the API key in each detail: the client must redact it.
func TestEveryErrorTypeServed(t *testing.T) {
	const maxRetries = 2
	w := watchLeaks(t, canaryKey)
	type tc struct {
		name      string
		fault     func() *pt.Fault
		typ       client.ErrorType
		status    int
		retryable bool
	}
	var cases []tc
	for _, et := range client.ErrorTypes() {
		if got := pt.StatusOf(string(et)); got != et.HTTPStatus() {
			t.Errorf("%s: the fake serves status %d, the client documents %d", et, got, et.HTTPStatus())
		}
		cases = append(cases, tc{string(et), func() *pt.Fault { return pt.Error(string(et)) }, et, et.HTTPStatus(), et.Retryable()})
	}
	if len(cases) != 34 {
		t.Fatalf("%d error types, want 34 (33 documented + invalid_parameters)", len(cases))
	}
	cases = append(cases,
		tc{"unknown type at 418", func() *pt.Fault { return pt.ErrorStatus(http.StatusTeapot, "errors/teapot") }, "errors/teapot", 418, false},
		tc{"unknown type at 503", func() *pt.Fault { return pt.ErrorStatus(503, "errors/unknown_thing") }, "errors/unknown_thing", 503, true},
		tc{"unknown type at default 500", func() *pt.Fault { return pt.Error("errors/brand_new") }, "errors/brand_new", 500, true},
		tc{"unknown type at 429", func() *pt.Fault { return pt.ErrorStatus(429, "errors/slow_down_new") }, "errors/slow_down_new", 429, true},
		tc{"unknown type at 502", func() *pt.Fault { return pt.ErrorStatus(502, "errors/bad_gateway_new") }, "errors/bad_gateway_new", 502, true},
		tc{"unknown type at 401", func() *pt.Fault { return pt.ErrorStatus(401, "errors/new_auth_problem") }, "errors/new_auth_problem", 401, false},
		tc{"unknown type at 404", func() *pt.Fault { return pt.ErrorStatus(404, "errors/not_found") }, "errors/not_found", 404, false},
		// A known type at a status the docs do not give it: the type decides.
		tc{"expired_credentials at 503", func() *pt.Fault { return pt.ErrorStatus(503, "errors/expired_credentials") }, client.ErrorTypeExpiredCredentials, 503, false},
		tc{"provider_error at 400", func() *pt.Fault { return pt.ErrorStatus(400, "errors/provider_error") }, client.ErrorTypeProviderError, 400, true},
	)
	for _, c := range cases {
		t.Run(strings.TrimPrefix(c.name, "errors/"), func(t *testing.T) {
			srv := pt.NewServer(pt.WithGeneratedAccount("acc_types", 30), pt.WithAPIKey(canaryKey))
			defer srv.Close()
			cl := suiteClient(t, srv, w, client.WithMaxRetries(maxRetries))
			srv.Enqueue(c.fault().WithDetail("Scripted; the request carried X-API-KEY: " + canaryKey + ".").Times(maxRetries + 1))

			page, err := cl.ListReceivedInvitations(context.Background(), client.ListParams{AccountID: "acc_types", Limit: 10})
			w.err(err)
			var e *client.APIError
			if !errors.As(err, &e) {
				t.Fatalf("page %v, err %v (%T): want an *APIError", page, err, err)
			}
			want := 1
			if c.retryable {
				want = 1 + maxRetries
			}
			if e.Type != c.typ || e.StatusCode != c.status || e.Retryable() != c.retryable {
				t.Errorf("got type %q status %d retryable %v, want %q %d %v", e.Type, e.StatusCode, e.Retryable(), c.typ, c.status, c.retryable)
			}
			if e.Type.Known() != (c.typ.HTTPStatus() != 0) || !errors.Is(err, c.typ) {
				t.Errorf("Known() = %v, errors.Is(err, %s) = %v", e.Type.Known(), c.typ, errors.Is(err, c.typ))
			}
			if !strings.HasPrefix(e.Instance, "req_pp") {
				t.Errorf("Instance = %q, want the server's request id", e.Instance)
			}
			if e.Attempts != want || srv.RequestCount() != want {
				t.Errorf("%d attempts, %d requests; want %d", e.Attempts, srv.RequestCount(), want)
			}
			if srv.PendingFaults() != maxRetries+1-want {
				t.Errorf("%d faults left, want %d", srv.PendingFaults(), maxRetries+1-want)
			}
			if !strings.Contains(e.Detail, "X-API-KEY: [REDACTED]") || strings.Contains(string(e.Body), canaryKey) {
				t.Errorf("the key echoed by the server was not redacted: detail %q", e.Detail)
			}
			if !strings.Contains(err.Error(), string(c.typ)) || !strings.Contains(err.Error(), e.Instance) {
				t.Errorf("Error() = %q lacks the type or the instance", err)
			}
			if !c.retryable {
				return
			}
			// Within the budget, the same failure is ridden out.
			srv.Enqueue(c.fault().Times(maxRetries))
			page, err = cl.ListReceivedInvitations(context.Background(), client.ListParams{AccountID: "acc_types", Limit: 10})
			w.err(err)
			if err != nil || len(page.Items) != 10 || srv.RequestCount() != want+maxRetries+1 {
				t.Errorf("after %d failures: page %v, err %v, %d requests in all", maxRetries, page, err, srv.RequestCount())
			}
		})
	}
}
