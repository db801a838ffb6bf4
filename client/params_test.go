package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	pt "github.com/postpress/postpress-go/postpresstest"
)

func TestValidateNamesTheField(t *testing.T) {
	cases := []struct {
		name  string
		p     ListParams
		param string
	}{
		{"no account", ListParams{}, "account_id"},
		{"account with newline", ListParams{AccountID: "acc_1\n"}, "account_id"},
		{"account with space", ListParams{AccountID: " acc_1"}, "account_id"},
		{"limit negative", ListParams{AccountID: "a", Limit: -1}, "limit"},
		{"limit over max", ListParams{AccountID: "a", Limit: MaxPageSize + 1}, "limit"},
		{"cursor with space", ListParams{AccountID: "a", Cursor: "eyJ vIjoxMH0"}, "cursor"},
		{"cursor with control", ListParams{AccountID: "a", Cursor: "eyJvIjoxMH0\x00"}, "cursor"},
		{"cursor invalid utf8", ListParams{AccountID: "a", Cursor: "\xff"}, "cursor"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateParams(tc.p)
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("ValidateParams() = %v, want *ParamError", err)
			}
			if pe.Param != tc.param || !strings.Contains(err.Error(), tc.param) || !strings.Contains(err.Error(), "no request was sent") {
				t.Errorf("error %q should name %s", err, tc.param)
			}
		})
	}
	for _, ok := range []ListParams{
		{AccountID: "acc_1"},
		{AccountID: "acc_1", Limit: 1},
		{AccountID: "acc_1", Limit: MaxPageSize, Cursor: "eyJvIjoxMH0"},
	} {
		if err := ValidateParams(ok); err != nil {
			t.Errorf("ValidateParams(%+v) = %v, want nil", ok, err)
		}
	}
}

// TestEveryParameterHasItsRule: each field of the generated ListParams is
// a query parameter with the spec's rules (params_gen.go), and each rule a
// field, so a parameter added to openapi.yaml is checked once regenerated.
func TestEveryParameterHasItsRule(t *testing.T) {
	fields := reflect.VisibleFields(reflect.TypeFor[ListParams]())
	if len(fields) == 0 || len(fields) != len(queryParams) {
		t.Fatalf("ListParams has %d fields; the spec's rules are for %d parameters", len(fields), len(queryParams))
	}
	for _, f := range fields {
		name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
		if _, ok := queryParams[name]; !ok {
			t.Errorf("ListParams.%s (%s) has no rule", f.Name, name)
		}
	}
}

// TestCheckParamChecksZeroValues: CheckParam checks a value as sent, so
// the zero value of an optional parameter, which ValidateParams takes as
// "not sent", is checked against the bounds.
func TestCheckParamChecksZeroValues(t *testing.T) {
	var pe *ParamError
	if err := CheckParam("limit", 0); !errors.As(err, &pe) || pe.Field != "Limit" || !strings.Contains(err.Error(), fmt.Sprintf("%d..%d", MinPageSize, MaxPageSize)) {
		t.Errorf("CheckParam(limit, 0) = %v, want a *ParamError giving the bounds", err)
	}
	if err := CheckParam("cursor", ""); !errors.As(err, &pe) || pe.Param != "cursor" {
		t.Errorf("CheckParam(cursor, \"\") = %v, want a *ParamError", err)
	}
	if err := CheckParam("limit", MaxPageSize); err != nil {
		t.Errorf("CheckParam(limit, %d) = %v", MaxPageSize, err)
	}
	if err := CheckParam("no_such_param", 1); !errors.As(err, &pe) {
		t.Errorf("an unknown parameter: %v", err)
	}
	if err := ValidateParams(ListParams{AccountID: "a", Limit: 0, Cursor: ""}); err != nil {
		t.Errorf("zero optional parameters are not sent, so not checked: %v", err)
	}
}

// TestBadInputSendsNothing: every invalid parameter combination, through
// every entry point, is refused with an error naming the field, and no
// request leaves the client.
func TestBadInputSendsNothing(t *testing.T) {
	c, _, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 1)})
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
		{ListParams{AccountID: "acc", Limit: MaxPageSize + 1}, "limit"},
		{ListParams{AccountID: "acc", Limit: 1 << 40}, "limit"},
		{ListParams{AccountID: "acc", Limit: MaxPageSize + 1, Cursor: " "}, "cursor"}, // the first bad one, in the spec's order
		{ListParams{AccountID: "acc", Cursor: " "}, "cursor"},
		{ListParams{AccountID: "acc", Cursor: "abc\n"}, "cursor"},
		{ListParams{AccountID: "acc", Cursor: "a\u200bb"}, ""}, // zero-width space is not white space: allowed
		{ListParams{AccountID: "acc\x00"}, "account_id"},
		{ListParams{AccountID: "\u00a0acc"}, "account_id"}, // no-break space
		{ListParams{AccountID: "acc\xff"}, "account_id"},   // not UTF-8
		{ListParams{AccountID: "acc", Cursor: "\xff\xfe"}, "cursor"},
		{ListParams{AccountID: "acc", Cursor: "eyJvIjoxMH0\u2028"}, "cursor"}, // line separator
	}
	ctx := context.Background()
	for _, tc := range cases {
		if tc.field == "" {
			// Allowed: accepted by the check every entry point runs
			// (no request is sent here, so the count below stays 0).
			if err := ValidateParams(tc.p); err != nil {
				t.Errorf("%+v: %v, want it accepted", tc.p, err)
			}
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
	if n := len(requests()); n != 0 {
		t.Fatalf("%d requests were sent for invalid parameters", n)
	}
	// Invalid options are refused per call too, before sending.
	if _, err := c.ListReceivedInvitations(ctx, ListParams{AccountID: "acc"}, WithMaxRetries(-1)); err == nil {
		t.Error("a bad per-call option was accepted")
	}
	if _, err := c.NewPager(ListParams{AccountID: "acc"}, WithMaxItems(-1)).NextPage(ctx); err == nil || !strings.Contains(err.Error(), "WithMaxItems") {
		t.Errorf("a negative WithMaxItems: %v", err)
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
	if n := len(requests()); n != 0 {
		t.Fatalf("%d requests were sent for invalid options", n)
	}
}

// FuzzValidateParams: ValidateParams never panics, and either refuses with a
// *ParamError naming a real parameter, or the request built from the
// params carries them exactly (the cursor and account id round-trip through
// the query string).
func FuzzValidateParams(f *testing.F) {
	f.Add("acc_linkedin_01HXYZ4QK3WJ8FN3M6QH7TZ8GR", 10, "eyJvIjoxMH0")
	f.Add("", 0, "")
	f.Add("a b", 101, "c\n")
	f.Add("acc&limit=5", 100, "x=y&account_id=evil")
	f.Add("é", -7, "%2F")
	f.Fuzz(func(t *testing.T, account string, limit int, cursor string) {
		p := ListParams{AccountID: account, Limit: limit, Cursor: cursor}
		err := ValidateParams(p)
		if err != nil {
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("ValidateParams error %T is not a *ParamError", err)
			}
			switch pe.Param {
			case "account_id", "limit", "cursor":
			default:
				t.Fatalf("unknown param %q", pe.Param)
			}
			return
		}
		var seen url.Values
		c := stubClient(t, func(r *http.Request) (*http.Response, error) {
			seen = r.URL.Query()
			return jsonResponse(200, pageJSON(0, 0, "")), nil
		})
		if _, err := c.ListReceivedInvitations(context.Background(), p); err != nil {
			t.Fatalf("valid params %+v: %v", p, err)
		}
		if seen.Get("account_id") != account || seen.Get("cursor") != cursor || len(seen["account_id"]) != 1 || (cursor == "") != !seen.Has("cursor") {
			t.Fatalf("sent %v for %+v", seen, p)
		}
		if (limit == 0) != (seen.Get("limit") == "") || (limit != 0 && seen.Get("limit") != fmt.Sprint(limit)) {
			t.Fatalf("limit %d sent as %q", limit, seen.Get("limit"))
		}
	})
}
