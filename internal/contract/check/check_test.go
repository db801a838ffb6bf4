package check_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/gen/spec"
	"github.com/postpress/postpress-go/internal/contract/check"
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

func newChecker(t *testing.T, doc *openapi3.T, opts ...check.Option) *check.Checker {
	t.Helper()
	c, err := check.NewFor(doc, opts...)
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

func exchange(status int, ct string, body []byte) *check.Exchange {
	h := http.Header{}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	return &check.Exchange{Method: http.MethodGet, URL: "/api/v1/users/invite/received?account_id=acc", Status: status, Header: h, Body: body}
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
	Rule    check.Rule
}

func founds(ds []check.Disagreement) []found {
	var out []found
	for _, d := range ds {
		out = append(out, found{d.Pointer, d.Rule})
	}
	return out
}

func TestEachRuleAtItsPointer(t *testing.T) {
	doc := loadSpec(t)
	// Constructs the spec supports but does not use yet, added to a copy.
	inv := doc.Components.Schemas["InvitationReceived"].Value
	inv.Properties["parsed_datetime"].Value.Format = "date-time"
	inv.Properties["invited_user"].Value.MaxLength = openapi3.Ptr(uint64(5))
	inv.Properties["invited_user_public_id"].Value.Pattern = "^[a-z-]+$"
	doc.Components.Responses["TooManyRequests"].Value.Headers["Retry-After"].Value.Required = true
	c := newChecker(t, doc)

	for name, tc := range map[string]struct {
		ex   *check.Exchange
		want []found
	}{
		"conforms":      {exchange(200, "application/json", page(item, item)), nil},
		"null":          {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["id"] = nil })), []found{{"/items/0/id", check.RuleNullable}}},
		"null object":   {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["inviter"] = nil })), []found{{"/items/0/inviter", check.RuleNullable}}},
		"nullable null": {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["invited_user"] = nil })), nil},
		"wrong type":    {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["inviter"] = []any{} })), []found{{"/items/0/inviter", check.RuleType}}},
		"empty id":      {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["id"] = "" })), []found{{"/items/0/id", check.RuleMinLength}}},
		"too long":      {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["invited_user"] = "Ada Lovelace" })), []found{{"/items/0/invited_user", check.RuleMaxLength}}},
		"pattern":       {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["invited_user_public_id"] = "Ada_1" })), []found{{"/items/0/invited_user_public_id", check.RulePattern}}},
		"format":        {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["parsed_datetime"] = "May 12" })), []found{{"/items/0/parsed_datetime", check.RuleFormat}}},
		"enum":          {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["object"] = "InvitationSent" })), []found{{"/items/0/object", check.RuleEnum}}},
		"missing": {exchange(200, "application/json", editItem(t, func(m map[string]any) {
			delete(m["inviter"].(map[string]any), "inviter_id")
		})), []found{{"/items/0/inviter/inviter_id", check.RuleRequired}}},
		"undocumented":    {exchange(200, "application/json", editItem(t, func(m map[string]any) { m["a/b~c"] = 1 })), []found{{"/items/0/a~1b~0c", check.RuleUndocumentedProperty}}},
		"status":          {exchange(418, "application/json", []byte(`{}`)), []found{{"", check.RuleUndocumentedStatus}}},
		"no content type": {exchange(200, "", page(item)), []found{{"", check.RuleMissingHeader}}},
		"content type":    {exchange(200, "text/plain", page(item)), []found{{"", check.RuleContentType}}},
		"not JSON":        {exchange(200, "application/json", []byte(`{"object":`)), []found{{"", check.RuleInvalidJSON}}},
		"error type": {exchange(401, "application/json", []byte(`{"title":"x","type":"errors/too_many_requests","status":401}`)),
			[]found{{"/type", check.RuleUndocumentedErrorType}}},
		"error status": {exchange(401, "application/json", []byte(`{"title":"x","type":"errors/expired_credentials","status":700}`)),
			[]found{{"/status", check.RuleMaximum}, {"/status", check.RuleEnum}}},
		"missing header": {exchange(429, "application/json", []byte(`{"title":"x","type":"errors/too_many_requests","status":429}`)),
			[]found{{"", check.RuleMissingHeader}}},
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
	want := []found{{"/items/0/id", check.RuleMinLength}, {"/items/1/object", check.RuleNullable}, {"/items/1/x", check.RuleUndocumentedProperty}, {"/items/2/date", check.RuleRequired}}
	if !slices.Equal(got, want) {
		t.Errorf("every disagreement: got %v, want %v", got, want)
	}
	sum := check.Summarize(c.Check(exchange(200, "application/json", page(items[0], items[0], items[0]))).Disagreements)
	if len(sum) != 1 || sum[0] != (check.Count{Rule: check.RuleMinLength, Where: "/items/*/id", Count: 3}) {
		t.Errorf("summary of three equal disagreements: %+v", sum)
	}
}

func TestUnhandledConstructsFailLoudly(t *testing.T) {
	for name, edit := range map[string]func(doc *openapi3.T){
		"oneOf": func(doc *openapi3.T) {
			p := doc.Components.Schemas["Provider"].Value
			p.OneOf = openapi3.SchemaRefs{openapi3.NewSchemaRef("", openapi3.NewStringSchema())}
		},
		"format email": func(doc *openapi3.T) {
			doc.Components.Schemas["InvitationReceived"].Value.Properties["invited_user"].Value.Format = "email"
		},
		"additionalProperties schema": func(doc *openapi3.T) {
			doc.Components.Schemas["Inviter"].Value.AdditionalProperties.Schema = openapi3.NewSchemaRef("", openapi3.NewStringSchema())
		},
	} {
		doc := loadSpec(t)
		edit(doc)
		if _, err := check.NewFor(doc); err == nil || !strings.Contains(err.Error(), strings.Fields(name)[0]) {
			t.Errorf("%s: NewFor = %v, want an error naming it", name, err)
		}
	}
}

func TestSecretsAreNeverShown(t *testing.T) {
	const key = "pp_live_KEY_never_shown"
	c := newChecker(t, loadSpec(t), check.WithSecret(key))
	body := editItem(t, func(m map[string]any) {
		m["specifics"].(map[string]any)["shared_secret"] = 12345678
		m["echo"] = "your key is " + key
	})
	ds := c.Check(exchange(200, "application/json", body)).Disagreements
	text := check.WantText(ds)
	if len(ds) != 2 || strings.Contains(text, "12345678") || strings.Contains(text, key) {
		t.Fatalf("disagreements show a secret:\n%s", text)
	}
	body = editItem(t, func(m map[string]any) {
		m["specifics"].(map[string]any)["shared_secret"] = "AQH-" + key
		m["invited_user"] = "call " + key
	})
	f := c.Fixture(&check.Exchange{Method: "GET", URL: "/users/invite/received?account_id=" + key, Status: 200,
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
	// Member order survives masking.
	if !strings.Contains(string(f.Body), "\"object\": \"InvitationList\",\n  \"items\"") {
		t.Errorf("fixture body reordered:\n%s", f.Body)
	}
}

func TestDecodingComparison(t *testing.T) {
	c := newChecker(t, loadSpec(t))
	body := page(item, item)
	ex := exchange(200, "application/json", body)
	var ref gen.InvitationList
	if err := json.Unmarshal(body, &ref); err != nil {
		t.Fatal(err)
	}
	if ds := c.Decoding(ex, &ref, nil); len(ds) != 0 {
		t.Fatalf("encoding/json against itself: %v", ds)
	}
	bad := ref
	bad.Items = slices.Clone(ref.Items)
	bad.Items[1].Inviter = &gen.Inviter{InviterName: "E"}
	bad.Items[1].Specifics = nil
	got := founds(c.Decoding(ex, &bad, nil))
	want := []found{
		{"/items/1/inviter/inviter_description", check.RuleDecoding},
		{"/items/1/inviter/inviter_id", check.RuleDecoding},
		{"/items/1/inviter/inviter_public_identifier", check.RuleDecoding},
		{"/items/1/specifics", check.RuleDecoding},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if ds := c.Decoding(ex, nil, errRefused); len(ds) != 1 || ds[0].Rule != check.RuleDecoding {
		t.Errorf("a refusal of a body encoding/json decodes: %v", ds)
	}

	// A member the spec documents but the generated types lack is
	// dropped by them: the spec and gen/ are out of step.
	doc := loadSpec(t)
	doc.Components.Schemas["InvitationReceived"].Value.Properties["connection_degree"] = openapi3.NewSchemaRef("", openapi3.NewIntegerSchema())
	c = newChecker(t, doc)
	ex = exchange(200, "application/json", editItem(t, func(m map[string]any) { m["connection_degree"] = 2 }))
	if err := json.Unmarshal(ex.Body, &ref); err != nil {
		t.Fatal(err)
	}
	if got := founds(c.Decoding(ex, &ref, nil)); !slices.Equal(got, []found{{"/items/0/connection_degree", check.RuleDropped}}) {
		t.Errorf("dropped member: %v", got)
	}
}

type refusal struct{}

func (refusal) Error() string { return "refused" }

var errRefused error = refusal{}
