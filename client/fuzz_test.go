package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/gen/spec"
)

// specExamples returns every response example of the spec as JSON, keyed by
// status code, to seed the fuzz corpora.
func specExamples(t testing.TB) map[int][][]byte {
	t.Helper()
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	out := map[int][][]byte{}
	for code, resp := range doc.Paths.Find("/users/invite/received").Get.Responses.Map() {
		var status int
		_, _ = fmt.Sscan(code, &status)
		for _, ex := range resp.Value.Content.Get("application/json").Examples {
			b, err := json.Marshal(ex.Value.Value)
			if err != nil {
				t.Fatal(err)
			}
			out[status] = append(out[status], b)
		}
	}
	return out
}

// FuzzDecodeAPIError: any status, headers and body give an *APIError with
// that status, never a panic; its Error() is one line; an envelope's type is
// kept as sent.
func FuzzDecodeAPIError(f *testing.F) {
	for status, bodies := range specExamples(f) {
		for _, b := range bodies {
			f.Add(status, "2", b)
		}
	}
	f.Add(502, "", []byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
	f.Add(503, "Wed, 21 Oct 2015 07:28:00 GMT", []byte(`{"type":"errors/x","status":"503"}`))
	f.Add(429, "-1", []byte(`{"type":null}`))
	f.Add(500, "1e9", []byte{0xff, 0xfe, '\n', '{'})
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		e := decodeAPIError(status, http.Header{"Retry-After": {retryAfter}}, body)
		if e.StatusCode != status || e.RetryAfter < 0 || len(e.Body) > maxErrorBodyKept {
			t.Fatalf("decoded %+v", e)
		}
		if msg := e.Error(); strings.ContainsAny(msg, "\r\n") || !strings.HasPrefix(msg, "postpress: ") {
			t.Fatalf("Error() not one line: %q", msg)
		}
		var env struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(body, &env) == nil && env.Type != "" && string(e.Type) != env.Type {
			t.Fatalf("type %q decoded as %q", env.Type, e.Type)
		}
		_ = e.Retryable()
	})
}

// FuzzValidateParams: Validate never panics, and either refuses with a
// *ParamError naming a real parameter, or the request built from the
// params carries them exactly (the cursor and account id round-trip through
// the query string).
func FuzzValidateParams(f *testing.F) {
	f.Add("acc_linkedin_01HXYZ4QK3WJ8FN3M6QH7TZ8GR", 10, "eyJvIjoxMH0", 0)
	f.Add("", 0, "", 0)
	f.Add("a b", 101, "c\n", -1)
	f.Add("acc&limit=5", 100, "x=y&account_id=evil", 3)
	f.Add("é", -7, "%2F", 1)
	f.Fuzz(func(t *testing.T, account string, limit int, cursor string, maxItems int) {
		p := ListParams{AccountID: account, Limit: limit, Cursor: cursor, MaxItems: maxItems}
		err := p.Validate()
		if err != nil {
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("Validate error %T is not a *ParamError", err)
			}
			switch pe.Param {
			case "account_id", "limit", "cursor", "max_items":
			default:
				t.Fatalf("unknown param %q", pe.Param)
			}
			return
		}
		var seen url.Values
		c := fuzzClient(t, func(r *http.Request) (*http.Response, error) {
			seen = r.URL.Query()
			return jsonResponse(200, pageJSON(0, 0, "")), nil
		})
		if _, err := c.ListReceivedInvitations(context.Background(), p); err != nil {
			t.Fatalf("valid params %+v: %v", p, err)
		}
		if seen.Get("account_id") != account || seen.Get("cursor") != cursor || len(seen["account_id"]) != 1 {
			t.Fatalf("sent %v for %+v", seen, p)
		}
		if (limit == 0) != (seen.Get("limit") == "") || (limit != 0 && seen.Get("limit") != fmt.Sprint(limit)) {
			t.Fatalf("limit %d sent as %q", limit, seen.Get("limit"))
		}
	})
}

// FuzzCursorSequence: whatever cursors a server hands out, a listing ends
// (at a null cursor or with an error) within as many requests as there are
// scripted pages plus one, and never delivers an item twice.
func FuzzCursorSequence(f *testing.F) {
	f.Add([]byte("a\x00b\x00c"), []byte{2, 1, 0})
	f.Add([]byte("a\x00a"), []byte{1, 1})
	f.Add([]byte("a\x00\x00b"), []byte{1, 0, 1})
	f.Add([]byte(""), []byte{})
	f.Fuzz(func(t *testing.T, cursorBytes []byte, sizes []byte) {
		cursors := strings.Split(string(cursorBytes), "\x00") // "" ends the listing
		if len(cursors) > 50 {
			cursors = cursors[:50]
		}
		requests := 0
		next := 0
		c := fuzzClient(t, func(r *http.Request) (*http.Response, error) {
			i := requests
			requests++
			if i >= len(cursors) {
				return jsonResponse(200, pageJSON(next, 1, "")), nil
			}
			n := 1
			if i < len(sizes) {
				n = int(sizes[i] % 4)
			}
			body := pageJSON(next, n, cursors[i])
			next += n
			return jsonResponse(200, body), nil
		})
		seen := map[string]bool{}
		for inv, err := range c.Invitations(context.Background(), ListParams{AccountID: "acc"}, WithPrefetch(false)) {
			if err != nil {
				var pe *PagingError
				if !errors.As(err, &pe) {
					t.Fatalf("listing error %T is not a *PagingError", err)
				}
				break
			}
			if seen[inv.ID] {
				t.Fatalf("%s delivered twice", inv.ID)
			}
			seen[inv.ID] = true
		}
		if requests > len(cursors)+1 {
			t.Fatalf("%d requests for %d scripted pages", requests, len(cursors))
		}
	})
}

// roundTripFunc serves requests in memory.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func jsonResponse(status int, body string) *http.Response {
	return &http.Response{
		StatusCode:    status,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
	}
}

// fuzzClient is a client whose requests are answered in memory by fn, with
// no retries.
func fuzzClient(t *testing.T, fn func(*http.Request) (*http.Response, error)) *Client {
	t.Helper()
	c, err := New(WithAPIKey("pp_test_key"), WithBaseURL("https://api.postpress.test/api/v1"),
		WithMaxRetries(0), WithHTTPClient(&http.Client{Transport: roundTripFunc(fn)}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
