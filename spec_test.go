package postpress_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/gen/spec"
	"github.com/postpress/postpress-go/internal/errtable"
)

// docsPage is a verbatim copy of the vendor's documentation page, the contract
// the spec is transcribed from.
const docsPage = "testdata/list-invitations-received.txt"

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("openapi.yaml")
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI document: %v", err)
	}
	return doc
}

func TestSpecLoadsAndValidates(t *testing.T) {
	doc := loadSpec(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi version = %q, want 3.0.3", doc.OpenAPI)
	}
	op := doc.Paths.Find("/users/invite/received").Get
	if op == nil || op.OperationID == "" || op.Summary == "" || op.Description == "" || len(op.Tags) == 0 {
		t.Fatalf("GET /users/invite/received needs operationId, summary, description and a tag: %+v", op)
	}
	wantServers := []string{"https://api.postpress.ai/api/v1", "https://api.postpress.ai/v1"}
	for i, want := range wantServers {
		if i >= len(doc.Servers) || doc.Servers[i].URL != want || doc.Servers[i].Description == "" {
			t.Errorf("server %d: want %s with a description", i, want)
		}
	}
	sec := doc.Components.SecuritySchemes["ApiKeyAuth"].Value
	if sec.Type != "apiKey" || sec.In != "header" || sec.Name != "X-API-KEY" {
		t.Errorf("security scheme = %+v, want apiKey in header X-API-KEY", sec)
	}
	if op.Security == nil || len(*op.Security) != 1 {
		t.Errorf("operation must require ApiKeyAuth")
	}
}

// TestEmbeddedSpecMatchesFile guards against a stale gen/: the spec embedded in
// the generated code must be the one in openapi.yaml.
func TestEmbeddedSpecMatchesFile(t *testing.T) {
	embedded, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(embedded)
	b, _ := json.Marshal(file)
	if !bytes.Equal(a, b) {
		t.Fatal("the spec embedded in gen/ differs from openapi.yaml: run `make generate`")
	}
}

func TestParametersCarryEveryConstraint(t *testing.T) {
	op := loadSpec(t).Paths.Find("/users/invite/received").Get
	params := map[string]*openapi3.Parameter{}
	for _, p := range op.Parameters {
		params[p.Value.Name] = p.Value
	}
	cursor, limit, account := params["cursor"], params["limit"], params["account_id"]
	if cursor == nil || limit == nil || account == nil || len(params) != 3 {
		t.Fatalf("want exactly cursor, limit, account_id; got %v", params)
	}
	if cursor.Required || cursor.In != "query" || cursor.Schema.Value.MinLength != 1 || !cursor.Schema.Value.Type.Is("string") {
		t.Errorf("cursor: optional query string, minLength 1")
	}
	ls := limit.Schema.Value
	if limit.Required || !ls.Type.Is("integer") || ls.Min == nil || *ls.Min != 1 || ls.Max == nil || *ls.Max != 100 || ls.Default != float64(10) {
		t.Errorf("limit: optional integer 1..100 default 10, got %+v", ls)
	}
	if !account.Required || !account.Schema.Value.Type.Is("string") {
		t.Errorf("account_id: required string")
	}
	for name, p := range params {
		if p.Description == "" {
			t.Errorf("%s has no description", name)
		}
	}
}

// docsErrorTypes parses the error section of the docs page: status → the
// error types and their explanations, in the page's order.
func docsErrorTypes(t *testing.T) map[int][][2]string {
	t.Helper()
	f, err := os.Open(docsPage)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	statusLine := regexp.MustCompile(`^(\d{3}) [A-Za-z ]+?(\d+) types$`)
	typeLine := regexp.MustCompile(`^\s*•\s*(errors/\S+) - (.+)$`)
	out := map[int][][2]string{}
	status := 0
	counts := map[int]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if m := statusLine.FindStringSubmatch(line); m != nil {
			status, _ = strconv.Atoi(m[1])
			counts[status], _ = strconv.Atoi(m[2])
			continue
		}
		if m := typeLine.FindStringSubmatch(line); m != nil && status != 0 {
			out[status] = append(out[status], [2]string{m[1], m[2]})
		}
	}
	total := 0
	for st, n := range counts {
		if len(out[st]) != n {
			t.Fatalf("docs page: %d announces %d types, parsed %d", st, n, len(out[st]))
		}
		total += n
	}
	if total == 0 {
		t.Fatal("parsed no documented error types from the docs page")
	}
	return out
}

// TestErrorResponsesListExactlyTheDocumentedTypes checks, status by status,
// that the spec's error schema allows exactly the types the page documents,
// carries each explanation, and has an example per type.
func TestErrorResponsesListExactlyTheDocumentedTypes(t *testing.T) {
	doc := loadSpec(t)
	op := doc.Paths.Find("/users/invite/received").Get
	for status, types := range docsErrorTypes(t) {
		resp := op.Responses.Status(status)
		if resp == nil {
			t.Errorf("status %d: no response in the spec", status)
			continue
		}
		mt := resp.Value.Content.Get("application/json")
		schema := mt.Schema.Value
		if len(schema.AllOf) != 2 {
			t.Errorf("status %d: schema should be the envelope narrowed by allOf", status)
			continue
		}
		envelope := schema.AllOf[0].Value
		if !slices.Equal(sortedCopy(envelope.Required), []string{"status", "title", "type"}) {
			t.Errorf("envelope required = %v", envelope.Required)
		}
		for _, opt := range []string{"detail", "instance"} {
			if envelope.Properties[opt] == nil {
				t.Errorf("envelope lacks optional %s", opt)
			}
		}
		narrow := schema.AllOf[1].Value
		typeSchema := narrow.Properties["type"].Value
		var want, got []string
		for _, tp := range types {
			want = append(want, tp[0])
			if !strings.Contains(typeSchema.Description, tp[0]+": "+tp[1]) {
				t.Errorf("status %d: type schema description lacks %q", status, tp[0]+": "+tp[1])
			}
			if !strings.Contains(*resp.Value.Description, tp[1]) {
				t.Errorf("status %d: response description lacks %q", status, tp[1])
			}
		}
		for _, e := range typeSchema.Enum {
			got = append(got, e.(string))
		}
		if !slices.Equal(sortedCopy(got), sortedCopy(want)) {
			t.Errorf("status %d: spec types %v, docs page types %v", status, got, want)
		}
		if st := narrow.Properties["status"].Value; len(st.Enum) != 1 || st.Enum[0] != float64(status) {
			t.Errorf("status %d: status property should be the constant %d", status, status)
		}
		if len(mt.Examples) != len(types) {
			t.Errorf("status %d: %d examples, want one per type (%d)", status, len(mt.Examples), len(types))
		}
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}

// TestExamplesValidateAgainstTheirSchemas checks every example in the spec:
// parameters and every response example.
func TestExamplesValidateAgainstTheirSchemas(t *testing.T) {
	doc := loadSpec(t)
	n := 0
	for _, p := range doc.Components.Parameters {
		if p.Value.Example != nil {
			n++
			if err := p.Value.Schema.Value.VisitJSON(p.Value.Example); err != nil {
				t.Errorf("parameter %s example: %v", p.Value.Name, err)
			}
		}
	}
	for code, resp := range doc.Paths.Find("/users/invite/received").Get.Responses.Map() {
		for _, mt := range resp.Value.Content {
			for name, ex := range mt.Examples {
				n++
				if err := mt.Schema.Value.VisitJSON(ex.Value.Value); err != nil {
					t.Errorf("response %s example %s: %v", code, name, err)
				}
			}
		}
	}
	if want := len(errtable.Types) + 2 + 3; n < want {
		t.Errorf("validated %d examples, expected at least %d: one per error type, two pages and three parameters", n, want)
	}
}

// docsExampleResponse cuts the example response out of the docs page.
func docsExampleResponse(t *testing.T) []byte {
	t.Helper()
	page, err := os.ReadFile(docsPage)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := bytes.Cut(page, []byte("Example response\n"))
	if !ok {
		t.Fatal("no example response on the docs page")
	}
	end := bytes.Index(rest, []byte("\n}\n"))
	return bytes.TrimSpace(rest[:end+2])
}

func TestDocsExampleRoundTripsThroughGeneratedTypes(t *testing.T) {
	raw := docsExampleResponse(t)
	var page gen.InvitationList
	if err := json.Unmarshal(raw, &page); err != nil {
		t.Fatalf("decode docs example: %v", err)
	}
	if len(page.Items) != 1 || page.Items[0].InvitedUserID != "ACoAACr-1eYBl..." || page.Cursor == nil || *page.Cursor != "eyJvIjoxMH0" {
		t.Fatalf("decoded page = %+v", page)
	}
	again, err := json.Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(again, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("re-encoded page differs:\nwant %s\ngot  %s", raw, again)
	}
	// The spec's 200 example is the docs page's example.
	ex := loadSpec(t).Paths.Find("/users/invite/received").Get.Responses.Status(200).Value.Content.Get("application/json").Examples["page"].Value.Value
	if !reflect.DeepEqual(ex, want) {
		t.Fatalf("the spec's `page` example is not the docs page's example response")
	}
}

// TestNullStringsDecodeAsEmpty pins the decision written in the spec: live data
// may send null in documented string fields; they decode as "".
func TestNullStringsDecodeAsEmpty(t *testing.T) {
	raw := `{"object":"InvitationList","cursor":null,"items":[{"object":"InvitationReceived","id":"inv_1",
	"invited_user":null,"invited_user_id":null,"invited_user_public_id":null,"invited_user_description":null,
	"date":null,"parsed_datetime":null,"invitation_text":null,
	"inviter":{"inviter_name":null,"inviter_id":null,"inviter_public_identifier":null,"inviter_description":null}}]}`
	var page gen.InvitationList
	if err := json.Unmarshal([]byte(raw), &page); err != nil {
		t.Fatal(err)
	}
	if page.Cursor != nil || page.Items[0].InvitedUser != "" || page.Items[0].Inviter.InviterName != "" {
		t.Fatalf("decoded = %+v", page)
	}
	var v any
	_ = json.Unmarshal([]byte(raw), &v)
	schema := loadSpec(t).Components.Schemas["InvitationList"].Value
	if err := schema.VisitJSON(v); err != nil {
		t.Fatalf("the spec should accept null in free-text string fields: %v", err)
	}
	v.(map[string]any)["items"].([]any)[0].(map[string]any)["id"] = nil
	if err := schema.VisitJSON(v); err == nil {
		t.Fatal("the spec must not accept a null id")
	}
}
