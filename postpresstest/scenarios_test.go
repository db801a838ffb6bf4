package postpresstest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/gen/spec"
	"github.com/postpress/postpress-go/internal/contracttest"
	"github.com/postpress/postpress-go/internal/errtable"
)

// errBody is the part of an error body the tests read.
type errBody struct {
	Type   string `json:"type"`
	Status int    `json:"status"`
}

// getWith requests the first list operation's first page for account,
// with extra headers, through the validating transport.
func getWith(t *testing.T, s *Server, account string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	o := listOps[0]
	q := url.Values{o.accountParam: {account}}
	req, _ := http.NewRequest(http.MethodGet, s.URL+o.path+"?"+q.Encode(), nil)
	req.Header.Set("X-API-KEY", DefaultAPIKey)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := contracttest.NewClient(t, nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func newSDK(t *testing.T, s *Server) *client.Client {
	t.Helper()
	c, err := client.New(client.WithBaseURL(s.URL), client.WithAPIKey(DefaultAPIKey),
		client.WithMaxRetryDelay(10*time.Millisecond), client.WithBackoff(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every error type of the table is a scenario: its magic account gets its
// status and type, with the Retry-After the spec declares at its status.
func TestEveryErrorTypeIsAScenario(t *testing.T) {
	s := NewServer(WithAnyAccount(5))
	defer s.Close()
	for _, typ := range errtable.Types {
		account := ErrorAccountPrefix + typeName(typ.Value)
		resp, body := getWith(t, s, account, nil)
		var e errBody
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("%s: %v: %s", account, err, body)
		}
		if resp.StatusCode != typ.Status || e.Type != typ.Value || e.Status != typ.Status {
			t.Errorf("%s: got %d %s (errBody status %d), want %d %s", account, resp.StatusCode, e.Type, e.Status, typ.Status, typ.Value)
		}
		want := headerExamples(scenarioOperation(), typ.Status).Get("Retry-After")
		if got := resp.Header.Get("Retry-After"); got != want {
			t.Errorf("%s: Retry-After %q, want %q", account, got, want)
		}
	}
	// The statuses that carry Retry-After in the spec do get it.
	for _, sc := range Scenarios() {
		if sc.Kind == KindError && (sc.Status == http.StatusTooManyRequests || sc.Status == http.StatusServiceUnavailable) && sc.RetryAfter == "" {
			t.Errorf("%s: no Retry-After in the scenario list", sc.Account)
		}
	}
}

// The scenario list holds one error scenario a type, each with the Prefer
// header of its example, and the other kinds; the fake serves it as JSON.
func TestScenarioList(t *testing.T) {
	list := Scenarios()
	kinds := map[string]int{}
	for _, sc := range list {
		kinds[sc.Kind]++
		if sc.Kind == KindError && sc.Header == "" {
			t.Errorf("%s: no Prefer header", sc.Account)
		}
	}
	if kinds[KindError] != len(errtable.Types) {
		t.Errorf("%d error scenarios, want %d", kinds[KindError], len(errtable.Types))
	}
	for _, k := range []string{KindRetryOnce, KindFailPage2, KindSlow, KindCutBody} {
		if kinds[k] == 0 {
			t.Errorf("no %s scenario", k)
		}
	}
	for _, st := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		if !slices.ContainsFunc(list, func(sc Scenario) bool { return sc.Account == RetryOnceAccountPrefix+strconv.Itoa(st) }) {
			t.Errorf("no retry-once scenario at %d", st)
		}
	}

	s := NewServer(WithSlowDelay(time.Second))
	defer s.Close()
	resp, err := http.Get(s.RootURL + ScenariosPath)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var served scenarioIndex
	if err := json.NewDecoder(resp.Body).Decode(&served); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(served.Scenarios, s.Scenarios()) || served.PlainAccount != PlainAccount || served.List.Path == "" {
		t.Errorf("served index differs from Fake.Scenarios: %+v", served)
	}
	if !slices.Equal(served.LiveExtraMembers, LiveExtraMembers()) || len(served.LiveExtraMembers) == 0 || served.LiveShaped {
		t.Errorf("served live-shaped members %v (live %v), want %v", served.LiveExtraMembers, served.LiveShaped, LiveExtraMembers())
	}
	for _, sc := range served.Scenarios {
		if !strings.Contains(sc.Request, sc.Account) {
			t.Errorf("%s: request %q", sc.Account, sc.Request)
		}
	}
	if s.RequestCount() != 0 {
		t.Errorf("the list request was logged")
	}
}

// The retry-once scenarios fail each page once; the SDK lists everything
// with one retry a page.
func TestRetryOnceThroughTheSDK(t *testing.T) {
	for _, typ := range retryOnceTypes() {
		account := RetryOnceAccountPrefix + strconv.Itoa(typ.Status)
		t.Run(account, func(t *testing.T) {
			t.Parallel()
			s := NewServer(WithAnyAccount(8))
			defer s.Close()
			c := newSDK(t, s)
			var got []string
			for inv, err := range c.Invitations(context.Background(), client.ListParams{AccountID: account}) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, inv.ID)
			}
			want := s.Items(PlainAccount)
			if len(got) != len(want) {
				t.Fatalf("%d items, want %d", len(got), len(want))
			}
			if n := s.RequestCount(); n != 2 {
				t.Errorf("%d requests, want 2 (one page, one retry)", n)
			}
			// The first attempt was answered with the error.
			resp, body := getWith(t, s, account, nil)
			var e errBody
			_ = json.Unmarshal(body, &e)
			if resp.StatusCode != typ.Status || e.Type != typ.Value {
				t.Errorf("a third request: %d %s, want %d %s", resp.StatusCode, e.Type, typ.Status, typ.Value)
			}
		})
	}
}

// The page-2 scenario stops the SDK with a *client.PagingError whose
// Cursor completes the listing on PlainAccount.
func TestFailPage2Resumes(t *testing.T) {
	s := NewServer(WithAnyAccount(25))
	defer s.Close()
	c := newSDK(t, s)
	ctx := context.Background()
	var got []string
	var pe *client.PagingError
	for inv, err := range c.Invitations(ctx, client.ListParams{AccountID: FailPage2Account, Limit: 10}) {
		if err != nil {
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *client.PagingError", err)
			}
			break
		}
		got = append(got, inv.ID)
	}
	if pe == nil || pe.Cursor == "" || pe.Pages != 1 {
		t.Fatalf("PagingError %+v, want one page delivered and a cursor", pe)
	}
	ft, _ := failPage2Type()
	var ae *client.APIError
	if !errors.As(pe, &ae) || ae.StatusCode != ft.Status {
		t.Errorf("cause %v, want %d %s", pe.Err, ft.Status, ft.Value)
	}
	for inv, err := range c.Invitations(ctx, client.ListParams{AccountID: PlainAccount, Cursor: pe.Cursor, Limit: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, inv.ID)
	}
	var want []string
	for _, inv := range s.Items(PlainAccount) {
		want = append(want, inv.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("resumed listing: %d items, want %v's %d in order", len(got), PlainAccount, len(want))
	}
}

// The slow scenario answers late; the cut-body scenario cuts the body.
func TestSlowAndCutBody(t *testing.T) {
	s := NewServer(WithAnyAccount(5), WithSlowDelay(150*time.Millisecond))
	defer s.Close()
	start := time.Now()
	resp, _ := getWith(t, s, SlowAccount, nil)
	if d := time.Since(start); d < 150*time.Millisecond || resp.StatusCode != http.StatusOK {
		t.Errorf("slow: %d after %v", resp.StatusCode, d)
	}

	o := listOps[0]
	req, _ := http.NewRequest(http.MethodGet, s.URL+o.path+"?"+o.accountParam+"="+CutBodyAccount, nil)
	req.Header.Set("X-API-KEY", DefaultAPIKey)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Body.Close() }()
	if _, err := io.ReadAll(r.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("cut body: read error %v, want io.ErrUnexpectedEOF", err)
	}
	if r.Header.Get(FaultHeader) == "" {
		t.Errorf("cut body: no %s header", FaultHeader)
	}
}

// Prism's Prefer header: code=NNN answers that status, with example=NAME
// that example of the spec.
func TestPreferHeader(t *testing.T) {
	s := NewServer(WithAnyAccount(5))
	defer s.Close()
	for _, sc := range Scenarios() {
		if sc.Header == "" {
			continue
		}
		name, value, _ := strings.Cut(sc.Header, ": ")
		resp, body := getWith(t, s, PlainAccount, http.Header{name: {value}})
		var e errBody
		_ = json.Unmarshal(body, &e)
		if resp.StatusCode != sc.Status || e.Type != sc.Type {
			t.Errorf("%s: %d %s, want %d %s", sc.Header, resp.StatusCode, e.Type, sc.Status, sc.Type)
		}
		if got := resp.Header.Get("Retry-After"); got != sc.RetryAfter {
			t.Errorf("%s: Retry-After %q, want %q", sc.Header, got, sc.RetryAfter)
		}
	}
	// code alone: the status's first type in the table.
	for _, st := range errtable.Statuses {
		resp, body := getWith(t, s, PlainAccount, http.Header{"Prefer": {"code=" + strconv.Itoa(st)}})
		var e errBody
		_ = json.Unmarshal(body, &e)
		i := slices.IndexFunc(errtable.Types, func(t errtable.Type) bool { return t.Status == st })
		if resp.StatusCode != st || e.Type != errtable.Types[i].Value {
			t.Errorf("code=%d: %d %s, want %s", st, resp.StatusCode, e.Type, errtable.Types[i].Value)
		}
	}
	// code=200 serves as usual; an undocumented code or example is refused.
	if resp, _ := getWith(t, s, PlainAccount, http.Header{"Prefer": {"code=200"}}); resp.StatusCode != http.StatusOK {
		t.Errorf("code=200: %d", resp.StatusCode)
	}
	// code=200, example=NAME: that documented example of the success.
	for name, ref := range examples(scenarioOperation(), http.StatusOK) {
		resp, body := getWith(t, s, PlainAccount, http.Header{"Prefer": {"code=200, example=" + name}})
		want, _ := json.Marshal(ref.Value.Value)
		if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != string(want) {
			t.Errorf("code=200, example=%s: %d %s, want the example %s", name, resp.StatusCode, body, want)
		}
	}
	for _, p := range []string{"code=418", "code=401, example=NoSuchExample", "code=abc"} {
		if resp, _ := getWith(t, s, PlainAccount, http.Header{"Prefer": {p}}); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", p, resp.StatusCode)
		}
	}
}

// Live-shaped data carries the members the spec records in
// x-live-extra-members and null in nullable strings; the default is
// spec-exact.
func TestLiveShapedData(t *testing.T) {
	o := listOps[0]
	extra := LiveExtraMembers()
	if len(extra) == 0 {
		t.Fatal("the spec records no x-live-extra-members")
	}
	for _, live := range []bool{false, true} {
		opts := []Option{WithAnyAccount(10)}
		if live {
			opts = append(opts, WithLiveShapedData())
		}
		s := NewServer(opts...)
		// A plain client: the contract validator rightly names the
		// undocumented members.
		req, _ := http.NewRequest(http.MethodGet, s.URL+o.path+"?"+url.Values{o.accountParam: {PlainAccount}}.Encode(), nil)
		req.Header.Set("X-API-KEY", DefaultAPIKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page map[string]json.RawMessage
		err = json.NewDecoder(resp.Body).Decode(&page)
		_ = resp.Body.Close()
		s.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("live=%v: %d %v", live, resp.StatusCode, err)
		}
		items := string(page[o.itemsMember])
		for _, name := range extra {
			if got := strings.Contains(items, `"`+name+`"`); got != live {
				t.Errorf("live=%v: member %s present: %v", live, name, got)
			}
		}
		if got := strings.Contains(items, ":null"); got != live {
			t.Errorf("live=%v: a null in the items: %v", live, got)
		}
		// Live-shaped items still decode into gen's type (null as "").
		if live {
			var decoded []client.Invitation
			if err := json.Unmarshal(page[o.itemsMember], &decoded); err != nil || len(decoded) != 10 {
				t.Errorf("live items do not decode: %v (%d)", err, len(decoded))
			}
		}
	}
}

// withErrorTable makes types the error table for the test, as another
// openapi.yaml would generate it.
func withErrorTable(t *testing.T, types ...errtable.Type) {
	t.Helper()
	saved := errtable.Types
	errtable.Types = types
	t.Cleanup(func() { errtable.Types = saved })
}

// TestFailPage2TypeIsTheFirstUnretried5xx: the page-2 scenario answers with
// the table's first type the client does not retry among the 5xx; without
// one, the first it does not retry; without that, there is no scenario.
func TestFailPage2TypeIsTheFirstUnretried5xx(t *testing.T) {
	ft, ok := failPage2Type()
	first := slices.IndexFunc(errtable.Types, func(t errtable.Type) bool { return !t.Retryable && t.Status >= 500 })
	if !ok || first < 0 || ft != errtable.Types[first] {
		t.Errorf("failPage2Type() = %+v, %v; want the table's first unretried 5xx", ft, ok)
	}
	bad := errtable.Type{Value: "errors/bad", Status: 400}
	busy := errtable.Type{Value: "errors/busy", Status: 503, Retryable: true}
	withErrorTable(t, bad, busy)
	if ft, ok := failPage2Type(); !ok || ft != bad {
		t.Errorf("no unretried 5xx: failPage2Type() = %+v, %v; want %+v", ft, ok, bad)
	}
	withErrorTable(t, busy)
	if ft, ok := failPage2Type(); ok {
		t.Errorf("every type retried: failPage2Type() = %+v, want none", ft)
	}
}

// TestRetryOnceTypesTakeEachStatussFirstRetriedType: one retry-once type a
// retried status, its first retried type in the table, the table's first
// type included.
func TestRetryOnceTypesTakeEachStatussFirstRetriedType(t *testing.T) {
	limited := errtable.Type{Value: "errors/limited", Status: 429, Retryable: true}
	down := errtable.Type{Value: "errors/down", Status: 503, Retryable: true}
	withErrorTable(t, limited,
		errtable.Type{Value: "errors/bad", Status: 400},
		errtable.Type{Value: "errors/fatal", Status: 503},
		down,
		errtable.Type{Value: "errors/also_down", Status: 503, Retryable: true})
	if got := retryOnceTypes(); !slices.Equal(got, []errtable.Type{limited, down}) {
		t.Errorf("retryOnceTypes() = %+v, want %+v", got, []errtable.Type{limited, down})
	}
}

// TestHeaderExamplesFromTheHeaderOrItsSchema: a declared header's example
// is its own, else its schema's; a header without one is left out.
func TestHeaderExamplesFromTheHeaderOrItsSchema(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /x:
    get:
      responses:
        "429":
          description: slow down
          headers:
            Retry-After: {schema: {type: string, example: "7"}}
            X-Own: {example: own, schema: {type: string, example: schema}}
            X-None: {schema: {type: string}}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := headerExamples(doc.Paths.Value("/x").Get, http.StatusTooManyRequests)
	want := http.Header{"Retry-After": {"7"}, "X-Own": {"own"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("headerExamples = %v, want %v", got, want)
	}
}

// TestScenarioIndexWithoutListOperations: a spec without list operations
// still gets its scenario index, with no list and no requests.
func TestScenarioIndexWithoutListOperations(t *testing.T) {
	saved := listOps
	listOps = nil
	t.Cleanup(func() { listOps = saved })
	rec := httptest.NewRecorder()
	NewFake().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, ScenariosPath, nil))
	var idx scenarioIndex
	if err := json.Unmarshal(rec.Body.Bytes(), &idx); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("%d %v: %s", rec.Code, err, rec.Body)
	}
	if idx.List != (listIndex{}) || len(idx.Scenarios) == 0 || idx.Scenarios[0].Request != "" {
		t.Errorf("index %+v, want the scenarios with no list and no requests", idx)
	}
}

// TestPreferCodeAloneAnswersTheDocumentedExample: Prefer with code alone
// answers the documented example of the status's first type in the table,
// as the spec writes it, or that type's envelope when none is documented.
func TestPreferCodeAloneAnswersTheDocumentedExample(t *testing.T) {
	s := NewServer(WithAnyAccount(5))
	defer s.Close()
	op := scenarioOperation()
	documented := 0
	for _, st := range errtable.Statuses {
		typ := errtable.Types[slices.IndexFunc(errtable.Types, func(t errtable.Type) bool { return t.Status == st })]
		var want any
		for _, ref := range examples(op, st) {
			if body, ok := ref.Value.Value.(map[string]any); ok && body["type"] == typ.Value {
				want = body
				documented++
			}
		}
		resp, body := getWith(t, s, PlainAccount, http.Header{"Prefer": {"code=" + strconv.Itoa(st)}})
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != st {
			t.Fatalf("code=%d: %d %v: %s", st, resp.StatusCode, err, body)
		}
		if want == nil {
			want = map[string]any{"type": typ.Value, "status": float64(st), "title": http.StatusText(st), "detail": typ.Description, "instance": got["instance"]}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("code=%d: %s, want %v", st, body, want)
		}
	}
	if documented == 0 {
		t.Error("the spec documents no example of a status's first type")
	}
}

// TestSlowScenarioIsSlowByDefault: without WithSlowDelay, SlowAccount's
// response outlasts a client's short deadline (DefaultSlowDelay).
func TestSlowScenarioIsSlowByDefault(t *testing.T) {
	s := NewServer(WithAnyAccount(5))
	defer s.Close()
	o := listOps[0]
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+o.path+"?"+url.Values{o.accountParam: {SlowAccount}}.Encode(), nil)
	req.Header.Set("X-API-KEY", DefaultAPIKey)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatalf("%s answered %d within 100ms, want it slower (DefaultSlowDelay %v)", SlowAccount, resp.StatusCode, DefaultSlowDelay)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the client's deadline", err)
	}
}

// TestSpecOperationPrefersConcretePaths: a request is for the operation of
// its method under the path template with the fewest parameters that
// matches its path.
func TestSpecOperationPrefersConcretePaths(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things/{id}:
    get: {operationId: getThing, responses: {"200": {description: ok}}}
    post: {operationId: updateThing, responses: {"200": {description: ok}}}
  /things/mine:
    get: {operationId: getMine, responses: {"200": {description: ok}}}
  /things/{id}/parts/{part}:
    get: {operationId: getPart, responses: {"200": {description: ok}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	saved := embeddedSpec
	embeddedSpec = func() *openapi3.T { return doc }
	t.Cleanup(func() { embeddedSpec = saved })
	for _, c := range []struct{ method, path, want string }{
		{http.MethodGet, BasePath + "/things/mine", "getMine"},
		{http.MethodGet, BasePath + "/things/t1", "getThing"},
		{http.MethodPost, BasePath + "/things/mine", "updateThing"},
		{http.MethodGet, BasePath + "/things/t1/parts/p1", "getPart"},
		{http.MethodDelete, BasePath + "/things/t1", ""},
		{http.MethodGet, BasePath + "/others", ""},
		{http.MethodGet, "/things/mine", ""},
	} {
		got := ""
		if op := specOperation(httptest.NewRequest(c.method, c.path, nil)); op != nil {
			got = op.OperationID
		}
		if got != c.want {
			t.Errorf("%s %s: operation %q, want %q", c.method, c.path, got, c.want)
		}
	}
}

// TestPreferCodeOf3xxIsNotServedAsUsual: code=NNN without an example
// serves the request as usual for a 2xx only; a documented 3xx, which no
// error type has, is refused.
func TestPreferCodeOf3xxIsNotServedAsUsual(t *testing.T) {
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	doc.Paths.Value(opListInvitationsReceived.path).Get.Responses.Set("300",
		&openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("Multiple Choices")})
	saved := embeddedSpec
	embeddedSpec = func() *openapi3.T { return doc }
	t.Cleanup(func() { embeddedSpec = saved })
	s := NewServer(WithAnyAccount(5))
	defer s.Close()
	resp, body := getWith(t, s, PlainAccount, http.Header{"Prefer": {"code=300"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "code=300") {
		t.Errorf("code=300 (documented, no example): %d %s, want 400 naming it", resp.StatusCode, body)
	}
}
