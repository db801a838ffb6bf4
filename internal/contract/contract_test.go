package contract_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/gen/spec"
	"github.com/postpress/postpress-go/internal/contract"
)

// loadSpec loads a fresh copy of the embedded spec, for a test to edit.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func newValidator(t *testing.T, doc *openapi3.T) *contract.Validator {
	t.Helper()
	c, err := contract.NewFor(doc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const item = `{"object":"InvitationReceived","id":"inv_1","invited_user":"A","invited_user_id":"B","invited_user_public_id":"c",
"invited_user_description":"D","date":"May 12, 2026","parsed_datetime":"2026-05-12T08:14:00.000Z","invitation_text":"Hi",
"inviter":{"inviter_name":"E","inviter_id":"F","inviter_public_identifier":"g","inviter_description":"H"},
"specifics":{"provider":"LINKEDIN","shared_secret":"AQH-s3cretValue"}}`

func page(items ...string) []byte {
	return []byte(`{"object":"InvitationList","items":[` + strings.Join(items, ",") + `],"cursor":null}`)
}

func exchange(status int, ct string, body []byte) *contract.Exchange {
	h := http.Header{}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	return &contract.Exchange{Method: http.MethodGet, URL: "/api/v1/users/invite/received?account_id=acc", Status: status, Header: h, Body: body}
}

// editItem returns a page of one item, edited by fn.
func editItem(t *testing.T, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(item), &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	b, _ := json.Marshal(m)
	return page(string(b))
}

type found struct {
	Pointer string
	Rule    contract.Rule
}

func founds(ds []contract.Disagreement) []found {
	var out []found
	for _, d := range ds {
		out = append(out, found{d.Pointer, d.Rule})
	}
	return out
}

func TestEachRuleAtItsPointer(t *testing.T) {
	doc := loadSpec(t)
	// Constructs the spec does not use yet, added to a copy: kin-openapi
	// judges them with no code of ours.
	inv := doc.Components.Schemas["InvitationReceived"].Value
	inv.Properties["invited_user"].Value.MaxLength = openapi3.Ptr(uint64(5))
	inv.Properties["invited_user_public_id"].Value.Pattern = "^[a-z-]+$"
	doc.Components.Responses["TooManyRequests"].Value.Headers["Retry-After"].Value.Required = true
	c := newValidator(t, doc)

	for name, tc := range map[string]struct {
		ex   *contract.Exchange
		want []found
	}{
		"conforms":      {exchange(200, "application/json", page(item, item)), nil},
		"null":          {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["id"] = nil })), []found{{"/items/0/id", "nullable"}}},
		"null object":   {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["inviter"] = nil })), []found{{"/items/0/inviter", "nullable"}}},
		"nullable null": {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["invited_user"] = nil })), nil},
		"wrong type":    {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["inviter"] = []any{} })), []found{{"/items/0/inviter", "type"}}},
		"empty id":      {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["id"] = "" })), []found{{"/items/0/id", "minLength"}}},
		"too long":      {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["invited_user"] = "Ada Lovelace" })), []found{{"/items/0/invited_user", "maxLength"}}},
		"pattern":       {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["invited_user_public_id"] = "Ada_1" })), []found{{"/items/0/invited_user_public_id", "pattern"}}},
		"enum":          {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["object"] = "InvitationSent" })), []found{{"/items/0/object", "enum"}}},
		"missing": {exchange(200, "application/json", editItem(t, func(m map[string]any) {
			delete(m["inviter"].(map[string]any), "inviter_id")
		})), []found{{"/items/0/inviter/inviter_id", "required"}}},
		"undocumented":        {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["a/b~c"] = 1 })), []found{{"/items/0/a~1b~0c", contract.RuleUndocumentedProperty}}},
		"undocumented nested": {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["specifics"].(map[string]any)["x"] = 1 })), []found{{"/items/0/specifics/x", contract.RuleUndocumentedProperty}}},
		"undocumented list":   {exchange(200, "application/json", []byte(`{"object":"InvitationList","items":[],"cursor":null,"total":0}`)), []found{{"/total", contract.RuleUndocumentedProperty}}},
		"status":              {exchange(418, "application/json", []byte(`{}`)), []found{{"", contract.RuleUndocumentedStatus}}},
		"no content type":     {exchange(200, "", page(item)), []found{{"", contract.RuleContentType}}},
		"content type":        {exchange(200, "text/plain", page(item)), []found{{"", contract.RuleContentType}}},
		"not JSON":            {exchange(200, "application/json", []byte(`{"object":`)), []found{{"", contract.RuleInvalidJSON}}},
		"error conforms":      {exchange(401, "application/json", []byte(`{"title":"x","type":"errors/expired_credentials","status":401,"detail":"d","instance":"req_1"}`)), nil},
		"error type": {exchange(401, "application/json", []byte(`{"title":"x","type":"errors/too_many_requests","status":401}`)),
			[]found{{"/type", contract.RuleUndocumentedErrorType}}},
		"error status": {exchange(401, "application/json", []byte(`{"title":"x","type":"errors/expired_credentials","status":700}`)),
			[]found{{"/status", "enum"}, {"/status", "maximum"}}},
		"error member": {exchange(401, "application/json", []byte(`{"title":"x","type":"errors/expired_credentials","status":401,"trace":"t"}`)),
			[]found{{"/trace", contract.RuleUndocumentedProperty}}},
		"missing header": {exchange(429, "application/json", []byte(`{"title":"x","type":"errors/too_many_requests","status":429}`)),
			[]found{{"", contract.RuleHeader}}},
	} {
		got := founds(c.Check(tc.ex).Disagreements)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", name, got, tc.want)
		}
	}

	// Every disagreement of a body, not the first: three items, each
	// wrong in its own way, in one page.
	var items []string
	for _, fn := range []func(map[string]any){
		func(m map[string]any) { m["id"] = "" },
		func(m map[string]any) { m["object"] = nil; m["x"] = true },
		func(m map[string]any) { delete(m, "date") },
	} {
		b := editItem(t, fn)
		var p struct{ Items []json.RawMessage }
		_ = json.Unmarshal(b, &p)
		items = append(items, string(p.Items[0]))
	}
	got := founds(c.Check(exchange(200, "application/json", page(items...))).Disagreements)
	// kin-openapi checks enum before nullable: a null object is "enum".
	want := []found{{"/items/0/id", "minLength"}, {"/items/1/object", "enum"}, {"/items/1/x", contract.RuleUndocumentedProperty}, {"/items/2/date", "required"}}
	if !slices.Equal(got, want) {
		t.Errorf("every disagreement: got %v, want %v", got, want)
	}
	sum := contract.Summarize(c.Check(exchange(200, "application/json", page(items[0], items[0], items[0], items[0]))).Disagreements)
	if len(sum) != 1 || sum[0].Rule != "minLength" || sum[0].Where != "/items/*/id" || sum[0].Count != 4 ||
		!slices.Equal(sum[0].Examples, []string{"/items/0/id", "/items/1/id", "/items/2/id"}) || sum[0].First != `""` {
		t.Errorf("summary of four equal disagreements: %+v", sum)
	}
}

// TestValidateResponseAllowsWhatTheSpecAllows: client/validation's
// ValidateResponse refuses what the spec forbids, and not undocumented
// members (the spec leaves additionalProperties open).
func TestValidateResponseAllowsWhatTheSpecAllows(t *testing.T) {
	v, err := contract.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "https://api.example/api/v1/users/invite/received?account_id=acc", nil)
	h := http.Header{"Content-Type": {"application/json"}}
	if err := v.ValidateResponse(req, 200, h, editItem(t, func(m map[string]any) { m["score"] = 1 })); err != nil {
		t.Errorf("an undocumented member is refused: %v", err)
	}
	err = v.ValidateResponse(req, 200, h, editItem(t, func(m map[string]any) { m["id"] = nil; m["score"] = 1 }))
	if err == nil || !strings.Contains(err.Error(), "/items/0/id nullable") || strings.Contains(err.Error(), "score") {
		t.Errorf("a null id: %v", err)
	}
}

func TestSecretsAreNeverShown(t *testing.T) {
	const key = "pp_live_KEY_never_shown"
	c := newValidator(t, loadSpec(t)).WithSecret(key)
	body := editItem(t, func(m map[string]any) {
		m["specifics"].(map[string]any)["shared_secret"] = 12345678
		m["echo"] = "your key is " + key
	})
	ds := c.Check(exchange(200, "application/json", body)).Disagreements
	text := contract.WantText(ds)
	if len(ds) != 2 || strings.Contains(text, "12345678") || strings.Contains(text, key) {
		t.Fatalf("disagreements show a secret:\n%s", text)
	}
	body = editItem(t, func(m map[string]any) {
		m["specifics"].(map[string]any)["shared_secret"] = "AQH-" + key
		m["invited_user"] = "call " + key
	})
	f := c.Fixture(&contract.Exchange{Method: "GET", URL: "/users/invite/received?account_id=" + key, Status: 200,
		Header: http.Header{"Content-Type": {"application/json"}, "Set-Cookie": {"s=1"}}, Body: body})
	b, _ := json.Marshal(f)
	if strings.Contains(string(b), key) || strings.Contains(string(b), "AQH-") || strings.Contains(string(b), "Set-Cookie") {
		t.Fatalf("fixture keeps a secret or an irrelevant header: %s", b)
	}
	var got struct {
		Items []struct {
			Specifics struct {
				SharedSecret string `json:"shared_secret"`
			}
		}
	}
	if err := json.Unmarshal(f.Body, &got); err != nil {
		t.Fatal(err)
	}
	if s := got.Items[0].Specifics.SharedSecret; len(s) != len("AQH-"+key) || !strings.HasPrefix(s, "XXX-") {
		t.Errorf("placeholder %q does not have the secret's shape", s)
	}
}

// TestErrorTypesAtTheirStatus ranges over the generated error table: each
// type conforms at the status the spec lists it under, and at any other
// documented error status it is an undocumented error type.
func TestErrorTypesAtTheirStatus(t *testing.T) {
	c := newValidator(t, loadSpec(t))
	body := func(typ client.ErrorType, status int) []byte {
		return []byte(fmt.Sprintf(`{"title":"t","type":%q,"status":%d}`, typ, status))
	}
	types := client.ErrorTypes()
	if len(types) == 0 {
		t.Fatal("no error types")
	}
	for _, typ := range types {
		status := typ.HTTPStatus()
		h := http.Header{"Content-Type": {"application/json"}}
		if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
			h.Set("Retry-After", "1")
		}
		ex := &contract.Exchange{Method: http.MethodGet, URL: "/users/invite/received?account_id=a", Status: status, Header: h, Body: body(typ, status)}
		if res := c.Check(ex); len(res.Disagreements) > 0 || res.ErrorType != string(typ) || !res.Documented {
			t.Errorf("%s at %d: %+v", typ, status, res)
		}
		for _, other := range types {
			if s := other.HTTPStatus(); s != status {
				ex := &contract.Exchange{Method: http.MethodGet, URL: "/users/invite/received?account_id=a", Status: s, Header: h, Body: body(typ, s)}
				if got := founds(c.Check(ex).Disagreements); !slices.Equal(got, []found{{"/type", contract.RuleUndocumentedErrorType}}) {
					t.Errorf("%s at %d: %v", typ, s, got)
				}
				break
			}
		}
	}
}
