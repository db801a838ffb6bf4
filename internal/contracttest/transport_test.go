package contracttest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/postpress/postpress-go/internal/contract"
)

// recorder is a testing.TB that records Errorf instead of failing.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

type stub struct {
	status int
	header http.Header
	body   string
}

func (s stub) RoundTrip(*http.Request) (*http.Response, error) {
	h := s.header
	if h == nil {
		h = http.Header{"Content-Type": {"application/json"}}
	}
	return &http.Response{StatusCode: s.status, Header: h, Body: io.NopCloser(strings.NewReader(s.body))}, nil
}

const validItem = `{"object":"InvitationReceived","id":"inv_1","invited_user":"Ada","invited_user_id":"A","invited_user_public_id":"ada","invited_user_description":"d","date":"May 12, 2026","parsed_datetime":"2026-05-12T08:14:00.000Z","invitation_text":"hi"}`

func exchange(t *testing.T, s stub, mutate func(*http.Request)) []string {
	t.Helper()
	rec := &recorder{TB: t}
	tr := NewTransport(rec, s)
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/api/v1/users/invite/received?account_id=acc&limit=10", nil)
	req.Header.Set("X-API-KEY", "k")
	if mutate != nil {
		mutate(req)
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if string(got) != s.body {
		t.Fatalf("the transport changed the body: %q", got)
	}
	return rec.errors
}

func TestValidatorAcceptsSpecResponses(t *testing.T) {
	for name, s := range map[string]stub{
		"page":      {200, nil, `{"object":"InvitationList","items":[` + validItem + `],"cursor":"eyJvIjoxMH0"}`},
		"last page": {200, nil, `{"object":"InvitationList","items":[],"cursor":null}`},
		"401":       {401, nil, `{"title":"Unauthorized","type":"errors/expired_credentials","status":401,"instance":"req_1"}`},
		"429":       {429, http.Header{"Content-Type": {"application/json"}, "Retry-After": {"2"}}, `{"title":"Too Many Requests","type":"errors/too_many_requests","status":429}`},
		"400":       {400, nil, `{"title":"Bad Request","type":"errors/invalid_parameters","status":400,"detail":"limit"}`},
		"fault":     {502, http.Header{contract.FaultHeader: {"proxy-html"}, "Content-Type": {"text/html"}}, `<html>bad gateway</html>`},
	} {
		if errs := exchange(t, s, nil); len(errs) != 0 {
			t.Errorf("%s: unexpected violations %v", name, errs)
		}
	}
}

func TestValidatorRejectsContractBreaks(t *testing.T) {
	for name, tc := range map[string]struct {
		s    stub
		want string
	}{
		"missing cursor":         {stub{200, nil, `{"object":"InvitationList","items":[]}`}, "cursor"},
		"missing item field":     {stub{200, nil, `{"object":"InvitationList","items":[{"object":"InvitationReceived","id":"inv_1"}],"cursor":null}`}, "invited_user"},
		"empty id":               {stub{200, nil, `{"object":"InvitationList","items":[` + strings.Replace(validItem, `"inv_1"`, `""`, 1) + `],"cursor":null}`}, "id"},
		"type of another status": {stub{401, nil, `{"title":"x","type":"errors/too_many_requests","status":401}`}, "type"},
		"status mismatch":        {stub{403, nil, `{"title":"x","type":"errors/account_restricted","status":401}`}, "status"},
		"undocumented status":    {stub{418, nil, `{"title":"x","type":"errors/teapot","status":418}`}, "418"},
		"html without fault":     {stub{502, http.Header{"Content-Type": {"text/html"}}, `<html></html>`}, "502"},
		"undocumented member":    {stub{200, nil, `{"object":"InvitationList","items":[` + strings.Replace(validItem, `"id"`, `"score":1,"id"`, 1) + `],"cursor":null}`}, "/items/0/score undocumented property"},
	} {
		errs := exchange(t, tc.s, nil)
		all := strings.Join(errs, "\n")
		if len(errs) == 0 || !strings.Contains(all, tc.want) {
			t.Errorf("%s: violations %v, want one mentioning %q", name, errs, tc.want)
		}
		if strings.Contains(all, "Schema:") || strings.Contains(all, "Value:") {
			t.Errorf("%s: the violation dumps the schema or the value: %s", name, all)
		}
	}
}

func TestValidatorChecksRequests(t *testing.T) {
	ok := stub{200, nil, `{"object":"InvitationList","items":[],"cursor":null}`}
	for name, mutate := range map[string]func(*http.Request){
		"no key":         func(r *http.Request) { r.Header.Del("X-API-KEY") },
		"no account":     func(r *http.Request) { r.URL.RawQuery = "limit=10" },
		"limit too high": func(r *http.Request) { r.URL.RawQuery = "account_id=a&limit=1000000" },
		"empty cursor":   func(r *http.Request) { r.URL.RawQuery = "account_id=a&cursor=" },
		"other path":     func(r *http.Request) { r.URL.Path = "/api/v1/no/such/operation" },
	} {
		if errs := exchange(t, ok, mutate); len(errs) == 0 {
			t.Errorf("%s: request accepted", name)
		}
	}
	if errs := exchange(t, ok, func(r *http.Request) { r.URL.Path = "/users/invite/received" }); len(errs) != 0 {
		t.Errorf("a bare path (Prism) should route: %v", errs)
	}
}

// brokenBody is a RoundTripper whose 200 body fails after a few bytes.
type brokenBody struct{}

func (brokenBody) RoundTrip(*http.Request) (*http.Response, error) {
	body := io.MultiReader(strings.NewReader(`{"object":"Invi`), errReader{io.ErrUnexpectedEOF})
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(body)}, nil
}

// TestUnreadableBody: a body that breaks off is a violation when the server
// broke it, and not when the client had already given up on the request
// (its context ended: a listing stopped early, a timeout). Either way the
// client sees the bytes that came and the same error.
func TestUnreadableBody(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name       string
		ctx        context.Context
		violations int
	}{
		{"server broke it", context.Background(), 1},
		{"client gave up", canceled, 0},
	} {
		rec := &recorder{TB: t}
		req, _ := http.NewRequestWithContext(tc.ctx, http.MethodGet, "http://127.0.0.1:1/api/v1/users/invite/received?account_id=acc", nil)
		req.Header.Set("X-API-KEY", "k")
		resp, err := NewTransport(rec, brokenBody{}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		got, readErr := io.ReadAll(resp.Body)
		if string(got) != `{"object":"Invi` || !errors.Is(readErr, io.ErrUnexpectedEOF) {
			t.Errorf("%s: the client read %q, %v; want the bytes that came and the read error", tc.name, got, readErr)
		}
		if len(rec.errors) != tc.violations {
			t.Errorf("%s: violations %q, want %d", tc.name, rec.errors, tc.violations)
		}
	}
}
