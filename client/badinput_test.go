package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// TestBadInputSendsNothing: every invalid parameter combination, through
// every entry point, is refused with an error naming the field, and no
// request leaves the client.
func TestBadInputSendsNothing(t *testing.T) {
	var sent atomic.Int64
	c := fuzzClient(t, func(r *http.Request) (*http.Response, error) {
		sent.Add(1)
		return jsonResponse(200, pageJSON(0, 1, "")), nil
	})
	cases := []struct {
		p     ListParams
		field string
	}{
		{ListParams{}, "account_id"},
		{ListParams{Limit: 10}, "account_id"},
		{ListParams{Cursor: "eyJvIjoxMH0"}, "account_id"},
		{ListParams{AccountID: "\t"}, "account_id"},
		{ListParams{AccountID: "acc 1"}, "account_id"},
		{ListParams{AccountID: "acc", Limit: -1}, "limit"},
		{ListParams{AccountID: "acc", Limit: 101}, "limit"},
		{ListParams{AccountID: "acc", Limit: 1 << 40}, "limit"},
		{ListParams{AccountID: "acc", Limit: 101, Cursor: " "}, "limit"},
		{ListParams{AccountID: "acc", Cursor: " "}, "cursor"},
		{ListParams{AccountID: "acc", Cursor: "abc\n"}, "cursor"},
		{ListParams{AccountID: "acc", Cursor: "a\u200bb"}, ""}, // zero-width space is not white space: allowed
		{ListParams{AccountID: "acc\x00"}, "account_id"},
		{ListParams{AccountID: "\u00a0acc"}, "account_id"}, // no-break space
		{ListParams{AccountID: "acc\xff"}, "account_id"},   // not UTF-8
		{ListParams{AccountID: "acc", Cursor: "\xff\xfe"}, "cursor"},
		{ListParams{AccountID: "acc", Cursor: "eyJvIjoxMH0\u2028"}, "cursor"}, // line separator
		{ListParams{AccountID: "acc", MaxItems: -1}, "max_items"},
		{ListParams{AccountID: "acc", Limit: 50, MaxItems: -10}, "max_items"},
	}
	ctx := context.Background()
	for _, tc := range cases {
		if tc.field == "" {
			continue
		}
		calls := map[string]func() error{
			"ListReceivedInvitations": func() error { _, err := c.ListReceivedInvitations(ctx, tc.p); return err },
			"Invitations": func() error {
				for _, err := range c.Invitations(ctx, tc.p) {
					return err
				}
				return nil
			},
			"Pages": func() error {
				for _, err := range c.Pages(ctx, tc.p) {
					return err
				}
				return nil
			},
			"Pager": func() error { _, err := c.NewPager(tc.p).NextPage(ctx); return err },
		}
		for name, call := range calls {
			err := call()
			var pe *ParamError
			if !errors.As(err, &pe) || pe.Param != tc.field || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("%s(%+v) = %v, want a *ParamError naming %s", name, tc.p, err, tc.field)
			}
		}
	}
	if n := sent.Load(); n != 0 {
		t.Fatalf("%d requests were sent for invalid parameters", n)
	}
	// Invalid options are refused per call too, before sending.
	if _, err := c.ListReceivedInvitations(ctx, ListParams{AccountID: "acc"}, WithMaxRetries(-1)); err == nil {
		t.Error("a bad per-call option was accepted")
	}
	if _, err := c.ListReceivedInvitations(ctx, ListParams{AccountID: "acc"}, WithBaseURL("http://example.com")); err == nil {
		t.Error("a per-call plain-http base URL was accepted")
	}
	if _, err := c.ListReceivedInvitations(ctx, ListParams{AccountID: "acc"}, WithAPIKey("")); !errors.Is(err, errNoAPIKey) {
		t.Errorf("an empty per-call key should be refused: %v", err)
	}
	// A key that cannot be a header value is refused, without showing it.
	for _, key := range []string{"pp_secret_key\n", "pp_secret\x00key", "pp_secret_kéy", "\tpp_secret_key"} {
		_, err := c.ListReceivedInvitations(ctx, ListParams{AccountID: "acc"}, WithAPIKey(key))
		if err == nil || !strings.Contains(err.Error(), "cannot be sent in a header") || strings.Contains(err.Error(), "secret") {
			t.Errorf("key %q: err %v; want a refusal that does not show the key", key, err)
		}
		if _, err := New(WithAPIKey(key), WithBaseURL("http://127.0.0.1/api/v1")); err == nil {
			t.Errorf("New accepted key %q", key)
		}
	}
	// ... and through the listing entry points.
	for _, err := range c.Invitations(ctx, ListParams{AccountID: "acc"}, WithAttemptTimeout(0)) {
		if err == nil {
			t.Error("Invitations: a bad per-call option was accepted")
		}
		break
	}
	for _, err := range c.Pages(ctx, ListParams{AccountID: "acc"}, WithBaseURL("http://example.com")) {
		if err == nil {
			t.Error("Pages: a per-call plain-http base URL was accepted")
		}
		break
	}
	if _, err := c.NewPager(ListParams{AccountID: "acc"}, WithHTTPClient(nil)).NextPage(ctx); err == nil {
		t.Error("Pager: a bad per-call option was accepted")
	}
	if n := sent.Load(); n != 0 {
		t.Fatalf("%d requests were sent for invalid options", n)
	}
}
