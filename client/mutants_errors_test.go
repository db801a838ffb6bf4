package client

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestOneLineCutsAtMaxRunes checks oneLine's folding and its exact cut.
func TestOneLineCutsAtMaxRunes(t *testing.T) {
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
		{"title when an unknown type has no detail", APIError{StatusCode: 400, Type: "errors/brand_new", Title: "New thing"},
			"postpress: 400 errors/brand_new: New thing"},
		{"detail wins over title", APIError{StatusCode: 400, Type: "errors/brand_new", Title: "T", Detail: "D"},
			"postpress: 400 errors/brand_new: D"},
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

// TestPagingAndRequestErrorMessages checks the resume hint and the URL and
// attempts parts.
func TestPagingAndRequestErrorMessages(t *testing.T) {
	cause := errors.New("boom")
	if got, want := (&PagingError{Err: cause, Pages: 1, Items: 3}).Error(),
		"boom (listing stopped after 1 pages, 3 items; resume from the start)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := (&PagingError{Err: cause, Pages: 2, Items: 5, Cursor: "c1"}).Error(),
		`boom (listing stopped after 2 pages, 5 items; resume with cursor "c1")`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := (&RequestError{Op: "send", URL: "http://h/x", Err: cause, Attempts: 1}).Error(),
		"postpress: send GET http://h/x: boom (1 attempt)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := (&RequestError{Op: "wait for the rate limiter", Err: cause, Attempts: 3}).Error(),
		"postpress: wait for the rate limiter: boom (gave up after 3 attempts)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := (&RequestError{Op: "send", Err: cause}).Error(), "postpress: send: boom"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
