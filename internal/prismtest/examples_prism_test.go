//go:build prism

package prismtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/gen/spec"
	"github.com/postpress/postpress-go/internal/contracttest"
	"github.com/postpress/postpress-go/internal/errtable"
)

// documentedStatuses are the statuses openapi.yaml gives the operation: 200
// and those of the error table (internal/errtable, generated). The test
// checks the spec's responses are exactly these.
var documentedStatuses = append([]int{200}, errtable.Statuses...)

// exchange is one request to Prism: the status and example it is asked for,
// the example's value in the spec, and the example of the Retry-After
// header when the response declares one.
type exchange struct {
	status      int
	example     string
	want        any
	retryHeader any
}

// examples lists every example of every response in the embedded spec.
func examples(t *testing.T) []exchange {
	t.Helper()
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	op := doc.Paths.Value("/users/invite/received").Get
	var out []exchange
	var statuses []int
	for code, ref := range op.Responses.Map() {
		status, err := strconv.Atoi(code)
		if err != nil {
			t.Fatalf("response %q: not a status code", code)
		}
		statuses = append(statuses, status)
		media := ref.Value.Content.Get("application/json")
		if media == nil || len(media.Examples) == 0 {
			t.Fatalf("response %d has no application/json examples", status)
		}
		var retryHeader any
		if h := ref.Value.Headers["Retry-After"]; h != nil {
			retryHeader = h.Value.Example
			if retryHeader == nil {
				t.Fatalf("response %d: its Retry-After header has no example for Prism to send", status)
			}
		}
		for name, ex := range media.Examples {
			out = append(out, exchange{status: status, example: name, want: ex.Value.Value, retryHeader: retryHeader})
		}
	}
	slices.Sort(statuses)
	if !slices.Equal(statuses, documentedStatuses) {
		t.Fatalf("the spec documents statuses %v, this test expects %v", statuses, documentedStatuses)
	}
	slices.SortFunc(out, func(a, b exchange) int {
		if a.status != b.status {
			return a.status - b.status
		}
		if a.example < b.example {
			return -1
		}
		return 1
	})
	return out
}

// firstPage takes the empty cursor out of a request: gen's client sends a
// plain optional parameter even when it is zero (cursor=), which the spec
// refuses (minimum length 1). The tests ask for a first page, which has no
// cursor.
func firstPage(_ context.Context, req *http.Request) error {
	q := req.URL.Query()
	if q.Get("cursor") == "" {
		q.Del("cursor")
		req.URL.RawQuery = q.Encode()
	}
	return nil
}

// newClient returns the generated client for Prism, its HTTP going through
// the contract-validating transport, asking for first pages (firstPage).
func newClient(t *testing.T) *gen.ClientWithResponses {
	t.Helper()
	base := os.Getenv("PRISM_URL")
	if base == "" {
		t.Fatal("PRISM_URL is not set: run `make prism-test` (.ci/prism-test.sh), which starts Prism and sets it")
	}
	c, err := gen.NewClientWithResponses(base,
		gen.WithHTTPClient(contracttest.NewClient(t, nil)),
		gen.WithRequestEditorFn(firstPage),
		gen.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("X-API-KEY", "pp_test_prism")
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// decoded returns the one typed body the generated client decoded (its
// JSONnnn field that is set, whatever statuses the spec declares), and
// which status it is for.
func decoded(r *gen.ListInvitationsReceivedResponse) (int, any, error) {
	bodies := map[int]any{}
	v := reflect.ValueOf(r).Elem()
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		status, err := strconv.Atoi(strings.TrimPrefix(name, "JSON"))
		if !strings.HasPrefix(name, "JSON") || err != nil || v.Field(i).IsNil() {
			continue
		}
		bodies[status] = v.Field(i).Interface()
	}
	if len(bodies) != 1 {
		return 0, nil, fmt.Errorf("the client decoded %d bodies, want 1", len(bodies))
	}
	for status, v := range bodies {
		return status, v, nil
	}
	panic("unreachable")
}

// asJSON renders v as the generic JSON value (maps, slices, float64s)
// json.Unmarshal would make of it.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGeneratedClientAgainstPrism asks Prism for every example of every
// documented status and checks what the generated client makes of it.
func TestGeneratedClientAgainstPrism(t *testing.T) {
	c := newClient(t)
	all := examples(t)
	seen := map[int]int{}
	for _, ex := range all {
		t.Run(fmt.Sprintf("%d_%s", ex.status, ex.example), func(t *testing.T) {
			limit := 10
			prefer := fmt.Sprintf("code=%d, example=%s", ex.status, ex.example)
			r, err := c.ListInvitationsReceivedWithResponse(context.Background(),
				&gen.ListInvitationsReceivedParams{AccountID: "acc_linkedin_01HXYZ4QK3WJ8FN3M6QH7TZ8GR", Limit: limit},
				func(_ context.Context, req *http.Request) error {
					req.Header.Set("Prefer", prefer)
					return nil
				})
			if err != nil {
				t.Fatalf("Prefer %s: %v", prefer, err)
			}
			if v := r.HTTPResponse.Header.Get("sl-violations"); v != "" {
				t.Errorf("Prism finds the generated client's request invalid: %s", v)
			}
			if r.StatusCode() != ex.status {
				t.Fatalf("Prefer %s: status %d, body %s", prefer, r.StatusCode(), r.Body)
			}
			status, body, err := decoded(r)
			if err != nil || status != ex.status {
				t.Fatalf("Prefer %s: %v (decoded as %d)", prefer, err, status)
			}
			if got := asJSON(t, body); !reflect.DeepEqual(got, asJSON(t, ex.want)) {
				t.Errorf("Prefer %s: decoded\n%v\nwant the spec's example\n%v", prefer, got, ex.want)
			}
			checkTyped(t, r, ex)
			seen[ex.status]++
		})
	}
	for _, status := range documentedStatuses {
		if seen[status] == 0 {
			t.Errorf("no example of status %d passed", status)
		}
	}
	t.Logf("%d examples over %d statuses", len(all), len(seen))
}

// checkTyped checks the typed fields a caller of the generated client
// reads: the page's cursor, and an error's status, type and Retry-After.
func checkTyped(t *testing.T, r *gen.ListInvitationsReceivedResponse, ex exchange) {
	t.Helper()
	want, _ := ex.want.(map[string]any)
	type envelope struct {
		status      int
		typ, title  string
		known       bool
		retryHeader *string
	}
	var e envelope
	switch ex.status {
	case 200:
		p := r.JSON200
		if p.Object != gen.InvitationListObjectInvitationList || len(p.Items) == 0 {
			t.Errorf("page: object %q, %d items", p.Object, len(p.Items))
		}
		for _, it := range p.Items {
			if it.Specifics == nil || it.Specifics.Provider != gen.ProviderLinkedIn || it.Inviter == nil || it.ID == "" {
				t.Errorf("item %+v", it)
			}
		}
		switch wantCursor := want["cursor"]; {
		case wantCursor == nil && p.Cursor != nil:
			t.Errorf("cursor %q, want null", *p.Cursor)
		case wantCursor != nil && (p.Cursor == nil || *p.Cursor != wantCursor):
			t.Errorf("cursor %v, want %v", p.Cursor, wantCursor)
		}
		return
	default:
		// An error: gen's per-status envelope, read by field name so that
		// any status the spec declares is checked the same way.
		_, body, err := decoded(r)
		if err != nil {
			t.Fatal(err)
		}
		env := reflect.ValueOf(body).Elem()
		typ := env.FieldByName("Type")
		if !typ.IsValid() {
			t.Fatalf("status %d: decoded %T has no Type", ex.status, body)
		}
		known, _ := typ.Interface().(interface{ Valid() bool })
		e = envelope{int(env.FieldByName("Status").Int()), typ.String(), env.FieldByName("Title").String(), known != nil && known.Valid(), nil}
		if info, ok := errtable.Lookup(e.typ); !ok || info.Status != ex.status {
			t.Errorf("type %q at %d: the error table has it at %d", e.typ, ex.status, info.Status)
		}
		if h := reflect.ValueOf(r).Elem().FieldByName(fmt.Sprintf("Headers%d", ex.status)); h.IsValid() {
			if h.IsNil() {
				t.Fatalf("%d without parsed headers", ex.status)
			}
			e.retryHeader, _ = h.Elem().FieldByName("RetryAfter").Interface().(*string)
		}
	}
	if e.status != ex.status || e.typ != want["type"] || e.title != http.StatusText(ex.status) || !e.known {
		t.Errorf("envelope: status %d, type %q (known %v), title %q; want %d, %v, %q",
			e.status, e.typ, e.known, e.title, ex.status, want["type"], http.StatusText(ex.status))
	}
	if ex.retryHeader != nil {
		// Prism sends the header's example from the spec.
		if e.retryHeader == nil || *e.retryHeader != fmt.Sprint(ex.retryHeader) {
			t.Errorf("Retry-After %v, want the spec's example %v", e.retryHeader, ex.retryHeader)
		}
	}
}
