package client

import (
	"net/url"
	"testing"

	"github.com/postpress/postpress-go/gen"
)

// queryOf returns the query omitZeroOptional leaves of raw for p.
func queryOf(t *testing.T, raw string, p any) string {
	t.Helper()
	u, err := url.Parse("https://api.example/v1/x?" + raw)
	if err != nil {
		t.Fatal(err)
	}
	omitZeroOptional(u, p)
	return u.RawQuery
}

// TestOmitZeroOptionalLeavesOutOnlyZeroOptionalParams: an optional
// parameter (tagged omitempty) at its zero value is not sent; a non-zero
// one is; a required one is sent even when zero.
func TestOmitZeroOptionalLeavesOutOnlyZeroOptionalParams(t *testing.T) {
	for _, c := range []struct {
		name, raw string
		p         ListParams
		want      string
	}{
		{"zero optional params are not sent", "account_id=acc&cursor=&limit=0", ListParams{AccountID: "acc"}, "account_id=acc"},
		{"non-zero optional params are sent", "account_id=acc&cursor=c1&limit=5", ListParams{AccountID: "acc", Cursor: "c1", Limit: 5}, "account_id=acc&cursor=c1&limit=5"},
		{"one zero, one not", "account_id=acc&cursor=&limit=5", ListParams{AccountID: "acc", Limit: 5}, "account_id=acc&limit=5"},
		{"a required param is sent even when zero", "account_id=&cursor=&limit=0", ListParams{}, "account_id="},
		{"a query with nothing to leave out is kept as it is", "limit=5&account_id=acc&cursor=c1", ListParams{AccountID: "acc", Cursor: "c1", Limit: 5}, "limit=5&account_id=acc&cursor=c1"},
	} {
		if got := queryOf(t, c.raw, &c.p); got != c.want {
			t.Errorf("%s: %q becomes %q, want %q", c.name, c.raw, got, c.want)
		}
		if got := queryOf(t, c.raw, c.p); got != c.want {
			t.Errorf("%s, params by value: %q becomes %q, want %q", c.name, c.raw, got, c.want)
		}
	}
}

// TestOmitZeroOptionalJudgesAPointerByItself: an optional parameter that
// is a pointer is left out only when nil; a pointer to a zero value is
// sent.
func TestOmitZeroOptionalJudgesAPointerByItself(t *testing.T) {
	type params struct {
		Page  *int   `form:"page,omitempty"`
		Sort  string `form:"sort,omitempty"`
		Query string `form:"q"`
	}
	zero := 0
	if got := queryOf(t, "page=&q=&sort=", &params{}); got != "q=" {
		t.Errorf("nil pointer, zero string: %q, want %q", got, "q=")
	}
	if got := queryOf(t, "page=0&q=&sort=", &params{Page: &zero}); got != "page=0&q=" {
		t.Errorf("pointer to zero: %q, want %q", got, "page=0&q=")
	}
	if got := queryOf(t, "a=1", 42); got != "a=1" {
		t.Errorf("not a struct: %q, want the query unchanged", got)
	}
}

// TestOmitZeroOptionalMatchesAnEscapedName: a parameter whose name the
// query escapes (filter[status] is sent as filter%5Bstatus%5D) is found by
// its name and left out when zero; the other keys keep their escaping.
func TestOmitZeroOptionalMatchesAnEscapedName(t *testing.T) {
	type params struct {
		Status string `form:"filter[status],omitempty"`
		Sort   string `form:"sort by,omitempty"`
		Query  string `form:"q[]"`
	}
	if got := queryOf(t, "filter%5Bstatus%5D=&q%5B%5D=&sort+by=", &params{}); got != "q%5B%5D=" {
		t.Errorf("zero params with escaped names: %q, want %q", got, "q%5B%5D=")
	}
	if got := queryOf(t, "filter%5Bstatus%5D=new&q%5B%5D=&sort+by=", &params{Status: "new"}); got != "filter%5Bstatus%5D=new&q%5B%5D=" {
		t.Errorf("a set param with an escaped name: %q, want it kept", got)
	}
}

// TestGeneratedRequestCarriesNoZeroOptionalParam: the request gen builds
// for ListParams, after omitZeroOptional, has no cursor= or limit=0 (which
// the API would refuse), whether or not gen left them out itself.
func TestGeneratedRequestCarriesNoZeroOptionalParam(t *testing.T) {
	p := ListParams{AccountID: "acc"}
	req, err := gen.NewListInvitationsReceivedRequest("https://api.example/v1/", &p)
	if err != nil {
		t.Fatal(err)
	}
	omitZeroOptional(req.URL, &p)
	if got := req.URL.RawQuery; got != "account_id=acc" {
		t.Errorf("query %q, want %q", got, "account_id=acc")
	}
}
