package client

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/postpress/postpress-go/gen"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// requestQuery is the query gen builds for p, after omitZeroOptional.
func requestQuery(t *testing.T, p ListParams) string {
	t.Helper()
	req, err := gen.NewListInvitationsReceivedRequest("http://api.test/v1", &p)
	if err != nil {
		t.Fatal(err)
	}
	omitZeroOptional(req.URL, &p)
	return req.URL.RawQuery
}

// TestOmitZeroOptionalListParams: over the query gen builds, a zero
// optional parameter (Limit 0, Cursor "") is left out, a non-zero one is
// kept, and the required account_id is kept even when empty.
func TestOmitZeroOptionalListParams(t *testing.T) {
	for _, tc := range []struct {
		p    ListParams
		want string
	}{
		{ListParams{AccountID: "acc"}, "account_id=acc"},
		{ListParams{AccountID: "acc", Limit: 5}, "limit=5&account_id=acc"},
		{ListParams{AccountID: "acc", Cursor: "eyJvIjoxMH0"}, "cursor=eyJvIjoxMH0&account_id=acc"},
		{ListParams{AccountID: "acc", Cursor: "c 1", Limit: 100}, "cursor=c+1&limit=100&account_id=acc"},
		{ListParams{}, "account_id="},
	} {
		if got := requestQuery(t, tc.p); got != tc.want {
			t.Errorf("%+v: query %q, want %q", tc.p, got, tc.want)
		}
	}
}

// TestOmitZeroOptionalByTag: only the form tag decides. A nil pointer and a
// zero plain value are removed when optional; a pointer to a zero value is
// kept, and so are a required parameter, an untagged field, an unexported
// one and keys no field names. The kept parts are untouched, in order.
func TestOmitZeroOptionalByTag(t *testing.T) {
	type params struct {
		Plain    int      `form:"plain,omitempty"`
		Ptr      *int     `form:"ptr,omitempty"`
		Set      *int     `form:"set,omitempty"`
		Tags     []string `form:"tags,omitempty"`
		Named    string   `form:"a b,omitempty"`
		Required int      `form:"required"`
		Untagged int
		hidden   int `form:"hidden,omitempty"`
	}
	zero := 0
	p := params{Set: &zero, hidden: 0}
	raw := "plain=0&ptr=&set=0&tags=&tags=&a+b=&a%20b=&required=0&Untagged=0&hidden=0&other=x&color=blue,black"
	for name, arg := range map[string]any{"value": p, "pointer": &p} {
		u := &url.URL{RawQuery: raw}
		omitZeroOptional(u, arg)
		if want := "set=0&required=0&Untagged=0&hidden=0&other=x&color=blue,black"; u.RawQuery != want {
			t.Errorf("%s: query %q, want %q", name, u.RawQuery, want)
		}
	}

	p = params{Plain: 3, Ptr: &zero, Set: &zero, Tags: []string{"a"}, Named: "n"}
	u := &url.URL{RawQuery: raw}
	omitZeroOptional(u, p)
	if u.RawQuery != raw {
		t.Errorf("every optional field set: query %q, want it unchanged", u.RawQuery)
	}

	for name, arg := range map[string]any{"nil pointer": (*params)(nil), "nil": nil, "not a struct": 3, "a map": map[string]int{}} {
		u := &url.URL{RawQuery: raw}
		omitZeroOptional(u, arg)
		if u.RawQuery != raw {
			t.Errorf("%s: query %q, want it unchanged", name, u.RawQuery)
		}
	}
}

// TestZeroOptionalNotSent: through the client, a zero Limit and Cursor
// reach neither the server nor the caller's request editor (the parameters
// are taken out before any editor runs); non-zero ones reach both.
func TestZeroOptionalNotSent(t *testing.T) {
	var seen []url.Values // the queries the caller's editor saw
	see := func(_ context.Context, r *http.Request) error {
		seen = append(seen, r.URL.Query())
		return nil
	}
	c, _, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 15)}, WithRequestEditor(see))
	page, err := c.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc", Limit: 3, Cursor: page.NextCursor}); err != nil {
		t.Fatal(err)
	}
	reqs := requests()
	if len(reqs) != 2 || len(seen) != 2 {
		t.Fatalf("%d requests, %d seen by the editor; want 2", len(reqs), len(seen))
	}
	for i, q := range []url.Values{reqs[0].Query, seen[0]} {
		if q.Has("limit") || q.Has("cursor") || q.Get("account_id") != "acc" {
			t.Errorf("first request (%d): query %v, want account_id alone", i, q)
		}
	}
	for i, q := range []url.Values{reqs[1].Query, seen[1]} {
		if q.Get("limit") != "3" || q.Get("cursor") != page.NextCursor || q.Get("account_id") != "acc" {
			t.Errorf("second request (%d): query %v, want limit 3, the cursor and account_id", i, q)
		}
	}
}
