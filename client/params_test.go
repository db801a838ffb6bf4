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

	"github.com/postpress/postpress-go/gen/spec"
	"github.com/postpress/postpress-go/internal/params"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// TestRulesOfInvitationOpAreTheSpecs: the generated rules table of
// invitationOp has a rule for every field of ListParams and a field for
// every rule, and each rule says what openapi.yaml says of the parameter
// (required, bounds, lengths, enum); the page sizes the listing uses are
// the spec's maximum and default.
func TestRulesOfInvitationOpAreTheSpecs(t *testing.T) {
	rules := invitationOp.rules
	fields := reflect.VisibleFields(reflect.TypeFor[ListParams]())
	if len(fields) == 0 || len(fields) != len(rules) {
		t.Fatalf("ListParams has %d fields; invitationOp has rules for %d parameters", len(fields), len(rules))
	}
	for _, f := range fields {
		r, ok := rules[params.Name(f)]
		if !ok {
			t.Errorf("ListParams.%s (%s) has no rule", f.Name, params.Name(f))
			continue
		}
		if r.Required == params.Optional(f) {
			t.Errorf("ListParams.%s: rule required %v, but the field is tagged %q", f.Name, r.Required, f.Tag.Get("form"))
		}
	}

	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	inSpec := 0
	for _, ref := range doc.Paths.Find("/users/invite/received").Get.Parameters {
		p := ref.Value
		if p.In != "query" {
			continue
		}
		inSpec++
		r, ok := rules[p.Name]
		if !ok {
			t.Errorf("the spec's query parameter %s has no rule", p.Name)
			continue
		}
		s := p.Schema.Value
		want := params.Rule{Required: p.Required, Min: s.Min, Max: s.Max, MinLength: int64(s.MinLength)} //nolint:gosec // a schema's lengths are small
		if s.MaxLength != nil {
			want.MaxLength = params.Ptr(int64(*s.MaxLength)) //nolint:gosec // as above
		}
		for _, e := range s.Enum {
			want.Enum = append(want.Enum, fmt.Sprint(e))
		}
		if fmt.Sprint(describeRule(r)) != fmt.Sprint(describeRule(want)) {
			t.Errorf("%s: rule %s, the spec says %s", p.Name, describeRule(r), describeRule(want))
		}
		if p.Name == "limit" {
			if s.Max == nil || invitationOp.maxLimit != int(*s.Max) {
				t.Errorf("invitationOp.maxLimit = %d, the spec's maximum %v", invitationOp.maxLimit, s.Max)
			}
			if fmt.Sprint(s.Default) != fmt.Sprint(invitationOp.apiLimit) {
				t.Errorf("invitationOp.apiLimit = %d, the spec's default %v", invitationOp.apiLimit, s.Default)
			}
		}
	}
	if inSpec != len(rules) {
		t.Errorf("the spec has %d query parameters, invitationOp rules for %d", inSpec, len(rules))
	}
}

// describeRule prints a rule with its bounds dereferenced.
func describeRule(r params.Rule) string {
	deref := func(p any) string {
		v := reflect.ValueOf(p)
		if v.IsNil() {
			return "none"
		}
		return fmt.Sprint(v.Elem().Interface())
	}
	return fmt.Sprintf("{required %v, range %s..%s, length %d..%s, enum %v}", r.Required, deref(r.Min), deref(r.Max), r.MinLength, deref(r.MaxLength), r.Enum)
}

// TestCheckParamsNamesTheParamAndField: a bad parameter is refused with a
// *ParamError naming its API name and the ListParams field, saying that no
// request was sent; good ones, and optional ones left at their zero value
// (which are not sent), pass.
func TestCheckParamsNamesTheParamAndField(t *testing.T) {
	typ := reflect.TypeFor[ListParams]().Name()
	cases := []struct {
		name         string
		p            ListParams
		param, field string
	}{
		{"no account", ListParams{}, "account_id", "AccountID"},
		{"account with newline", ListParams{AccountID: "acc_1\n"}, "account_id", "AccountID"},
		{"account with space", ListParams{AccountID: " acc_1"}, "account_id", "AccountID"},
		{"limit negative", ListParams{AccountID: "a", Limit: -1}, "limit", "Limit"},
		{"limit over max", ListParams{AccountID: "a", Limit: invitationOp.maxLimit + 1}, "limit", "Limit"},
		{"cursor with space", ListParams{AccountID: "a", Cursor: "eyJ vIjoxMH0"}, "cursor", "Cursor"},
		{"cursor with control", ListParams{AccountID: "a", Cursor: "eyJvIjoxMH0\x00"}, "cursor", "Cursor"},
		{"cursor invalid utf8", ListParams{AccountID: "a", Cursor: "\xff"}, "cursor", "Cursor"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := checkParams(&tc.p, invitationOp.rules)
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("checkParams() = %v, want *ParamError", err)
			}
			if pe.Param != tc.param || pe.Field != typ+"."+tc.field || pe.Reason == "" {
				t.Errorf("ParamError %+v, want param %s, field %s.%s and a reason", pe, tc.param, typ, tc.field)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.param) || !strings.Contains(msg, tc.field) || !strings.Contains(msg, "no request was sent") {
				t.Errorf("error %q should name %s and %s and say nothing was sent", msg, tc.param, tc.field)
			}
		})
	}
	if err := checkParams(&ListParams{AccountID: "a", Limit: 0, Cursor: ""}, invitationOp.rules); err != nil {
		t.Errorf("zero optional parameters are not sent, so not checked: %v", err)
	}
	for _, ok := range []ListParams{
		{AccountID: "acc_1"},
		{AccountID: "acc_1", Limit: 1},
		{AccountID: "acc_1", Limit: invitationOp.maxLimit, Cursor: "eyJvIjoxMH0"},
		{AccountID: "acc", Cursor: "a\u200bb"}, // a zero-width space is not white space
	} {
		if err := checkParams(&ok, invitationOp.rules); err != nil {
			t.Errorf("checkParams(%+v) = %v, want nil", ok, err)
		}
	}
}

// TestBadParamsSendNothing: every invalid parameter combination, through
// the iterator and the pager, is refused with a *ParamError naming the
// first bad parameter, and no request leaves the client.
func TestBadParamsSendNothing(t *testing.T) {
	c, _, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 1)})
	cases := []struct {
		p     ListParams
		param string
	}{
		{ListParams{}, "account_id"},
		{ListParams{Limit: 10}, "account_id"},
		{ListParams{Cursor: "eyJvIjoxMH0"}, "account_id"},
		{ListParams{AccountID: "\t"}, "account_id"},
		{ListParams{AccountID: "acc 1"}, "account_id"},
		{ListParams{AccountID: "acc", Limit: -1}, "limit"},
		{ListParams{AccountID: "acc", Limit: invitationOp.maxLimit + 1}, "limit"},
		{ListParams{AccountID: "acc", Limit: 1 << 40}, "limit"},
		{ListParams{AccountID: "acc", Limit: invitationOp.maxLimit + 1, Cursor: " "}, "cursor"}, // the first bad one, in ListParams' order
		{ListParams{AccountID: "acc", Cursor: " "}, "cursor"},
		{ListParams{AccountID: "acc", Cursor: "abc\n"}, "cursor"},
		{ListParams{AccountID: "acc\x00"}, "account_id"},
		{ListParams{AccountID: "\u00a0acc"}, "account_id"}, // no-break space
		{ListParams{AccountID: "acc\xff"}, "account_id"},   // not UTF-8
		{ListParams{AccountID: "acc", Cursor: "\xff\xfe"}, "cursor"},
		{ListParams{AccountID: "acc", Cursor: "eyJvIjoxMH0\u2028"}, "cursor"}, // line separator
	}
	ctx := context.Background()
	for _, tc := range cases {
		pager := c.InvitationPager(tc.p)
		early := pager.Err()
		_, next := pager.NextPage(ctx)
		_, listed := listIDs(c, tc.p)
		for name, err := range map[string]error{"Pager.Err": early, "Pager.NextPage": next, "Invitations": listed} {
			var pe *ParamError
			if !errors.As(err, &pe) || pe.Param != tc.param {
				t.Errorf("%s(%+v) = %v, want a *ParamError naming %s", name, tc.p, err, tc.param)
			}
		}
	}
	if n := len(requests()); n != 0 {
		t.Fatalf("%d requests were sent for invalid parameters", n)
	}
}

// FuzzCheckParams: checkParams never panics, and either refuses with a
// *ParamError naming a parameter of ListParams, or the request built from
// the params carries them exactly (the cursor and account id round-trip
// through the query string; a zero limit becomes the spec's maximum).
func FuzzCheckParams(f *testing.F) {
	f.Add("acc_linkedin_01HXYZ4QK3WJ8FN3M6QH7TZ8GR", 10, "eyJvIjoxMH0")
	f.Add("", 0, "")
	f.Add("a b", 101, "c\n")
	f.Add("acc&limit=5", 100, "x=y&account_id=evil")
	f.Add("é", -7, "%2F")
	f.Fuzz(func(t *testing.T, account string, limit int, cursor string) {
		p := ListParams{AccountID: account, Limit: limit, Cursor: cursor}
		if err := checkParams(&p, invitationOp.rules); err != nil {
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("checkParams error %T is not a *ParamError", err)
			}
			if _, ok := invitationOp.rules[pe.Param]; !ok {
				t.Fatalf("unknown param %q", pe.Param)
			}
			return
		}
		var seen url.Values
		c := stubClient(t, func(r *http.Request) (*http.Response, error) {
			seen = r.URL.Query()
			return jsonResponse(200, pageJSON(0, 0, "")), nil
		})
		if _, err := c.InvitationPager(p, WithPrefetch(false)).NextPage(context.Background()); err != nil {
			t.Fatalf("valid params %+v: %v", p, err)
		}
		if seen.Get("account_id") != account || seen.Get("cursor") != cursor || len(seen["account_id"]) != 1 || (cursor == "") != !seen.Has("cursor") {
			t.Fatalf("sent %v for %+v", seen, p)
		}
		wantLimit := limit
		if limit == 0 {
			wantLimit = invitationOp.maxLimit
		}
		if seen.Get("limit") != fmt.Sprint(wantLimit) {
			t.Fatalf("limit %d sent as %q, want %d", limit, seen.Get("limit"), wantLimit)
		}
	})
}
