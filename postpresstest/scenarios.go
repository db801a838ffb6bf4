package postpresstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/postpress/postpress-go/internal/errtable"
)

// Scenarios are failures on demand: a request for a magic account id, or
// one with Prism's Prefer header, gets the response the scenario names.
// Every scenario comes from the generated error table and the embedded
// spec, so an error type added to openapi.yaml is a scenario after
// `go generate`. Scenarios returns them; the fake serves the same list as
// JSON at ScenariosPath.

// The magic account ids. An error scenario's account is ErrorAccountPrefix
// and the error type's last path segment; a retry-once scenario's is
// RetryOnceAccountPrefix and the status.
const (
	ErrorAccountPrefix     = "acc_error_"
	RetryOnceAccountPrefix = "acc_retry_once_"
	FailPage2Account       = "acc_fail_page_2"
	SlowAccount            = "acc_slow"
	CutBodyAccount         = "acc_cut_body"
)

// PlainAccount is the account whose items the scenarios that succeed (all
// but the error ones) list: a scenario account shares its items and its
// cursors, so a listing stopped by a scenario resumes on PlainAccount with
// the cursor it stopped at. It is listed as any account is (WithAnyAccount,
// WithGeneratedAccount, WithAccount).
const PlainAccount = "acc_sandbox"

// ScenariosPath is where the fake serves its scenarios as JSON (GET, no
// API key), outside BasePath: an object with the scenarios (Fake.Scenarios,
// member "scenarios"), PlainAccount ("plain_account"), the first list
// operation's path, parameters and members ("list"), whether the data is
// live-shaped and the members live-shaped data adds ("live_shaped",
// "live_extra_members"), so that a client in any language can drive every
// scenario without a copy of the list.
const ScenariosPath = "/_postpresstest/scenarios"

// DefaultSlowDelay is how long SlowAccount's responses wait unless
// WithSlowDelay says otherwise.
const DefaultSlowDelay = 2 * time.Second

// The kinds of scenario.
const (
	KindError     = "error"       // the error on every request
	KindRetryOnce = "retry-once"  // the error, then success, for each page
	KindFailPage2 = "fail-page-2" // the first page, then the error on every later page
	KindSlow      = "slow"        // every response late
	KindCutBody   = "cut-body"    // the response cut mid-body
)

// preferHeader is Prism's request header that picks a documented response.
const preferHeader = "Prefer"

// WithSlowDelay sets how long SlowAccount's responses wait (default
// DefaultSlowDelay).
func WithSlowDelay(d time.Duration) Option { return func(f *Fake) { f.slowDelay = d } }

// A Scenario is one failure on demand.
type Scenario struct {
	Kind string `json:"kind"`
	// Account is the magic account id that asks for it.
	Account string `json:"account"`
	// Header is the request header that asks for the same error on any
	// account ("Prefer: code=401, example=ExpiredCredentials"); "" when
	// the spec names no example for it.
	Header string `json:"header,omitempty"`
	// Status and Type are the error's (for the slow and cut-body
	// scenarios, Status is 200 and Type "").
	Status int    `json:"status"`
	Type   string `json:"type,omitempty"`
	// Retryable is the error table's retry decision for Type.
	Retryable bool `json:"retryable"`
	// RetryAfter is the Retry-After header the error carries ("" when
	// none): the example of the header the spec declares on the response.
	RetryAfter string `json:"retry_after,omitempty"`
	// DelayMS is how long the response waits, in milliseconds (the slow
	// scenario's).
	DelayMS int64 `json:"delay_ms,omitempty"`
	// Request is a request of the first list operation that meets the
	// scenario (path and query, BasePath included).
	Request     string `json:"request"`
	Description string `json:"description"`
}

// Scenarios returns every scenario, error types first in the table's
// order, with SlowAccount's default delay.
func Scenarios() []Scenario { return scenarios(DefaultSlowDelay) }

// Scenarios returns every scenario as f serves it.
func (f *Fake) Scenarios() []Scenario { return scenarios(f.slowDelay) }

func scenarios(slow time.Duration) []Scenario {
	op := scenarioOperation()
	var out []Scenario
	defer func() {
		for i := range out {
			out[i].Request = requestFor(out[i].Account)
		}
	}()
	for _, t := range errtable.Types {
		out = append(out, Scenario{
			Kind: KindError, Account: ErrorAccountPrefix + typeName(t.Value),
			Header: preferFor(op, t), Status: t.Status, Type: t.Value, Retryable: t.Retryable,
			RetryAfter:  headerExamples(op, t.Status).Get("Retry-After"),
			Description: t.Description,
		})
	}
	for _, t := range retryOnceTypes() {
		out = append(out, Scenario{
			Kind: KindRetryOnce, Account: RetryOnceAccountPrefix + strconv.Itoa(t.Status),
			Status: t.Status, Type: t.Value, Retryable: true,
			RetryAfter:  headerExamples(op, t.Status).Get("Retry-After"),
			Description: fmt.Sprintf("%d %s on the first request for each page, the page on the next (and so on, alternately): a client that retries lists everything with one retry a page.", t.Status, t.Value),
		})
	}
	if t, ok := failPage2Type(); ok {
		out = append(out, Scenario{
			Kind: KindFailPage2, Account: FailPage2Account, Status: t.Status, Type: t.Value, Retryable: t.Retryable,
			RetryAfter:  headerExamples(op, t.Status).Get("Retry-After"),
			Description: fmt.Sprintf("The first page, then %d %s (not retried) on every request with a cursor: the listing stops with a resume cursor, which completes it on account %s.", t.Status, t.Value, PlainAccount),
		})
	}
	out = append(out,
		Scenario{Kind: KindSlow, Account: SlowAccount, Status: http.StatusOK, DelayMS: slow.Milliseconds(),
			Description: fmt.Sprintf("Every response waits %s, then is served as %s's.", slow, PlainAccount)},
		Scenario{Kind: KindCutBody, Account: CutBodyAccount, Status: http.StatusOK,
			Description: fmt.Sprintf("The response %s would get, with its full Content-Length, cut after half its body (the connection closes).", PlainAccount)},
	)
	return out
}

// requestFor is a request of the first list operation for account.
func requestFor(account string) string {
	if len(listOps) == 0 {
		return ""
	}
	o := listOps[0]
	q := url.Values{}
	if o.accountParam != "" {
		q.Set(o.accountParam, account)
	}
	return BasePath + o.path + "?" + q.Encode()
}

// typeName is an error type's last path segment: what follows "/".
func typeName(v string) string { return v[strings.LastIndex(v, "/")+1:] }

// retryOnceTypes are the first retryable type of each status a request is
// retried at.
func retryOnceTypes() []errtable.Type {
	var out []errtable.Type
	for _, s := range errtable.RetryableStatuses {
		i := slices.IndexFunc(errtable.Types, func(t errtable.Type) bool { return t.Status == s && t.Retryable })
		if i >= 0 {
			out = append(out, errtable.Types[i])
		}
	}
	return out
}

// failPage2Type is the error the page-2 scenario answers with: the first
// type the client does not retry among the 5xx, else the first it does not
// retry, so that a listing stops at once with its resume cursor.
func failPage2Type() (errtable.Type, bool) {
	i := slices.IndexFunc(errtable.Types, func(t errtable.Type) bool { return !t.Retryable && t.Status >= 500 })
	if i < 0 {
		i = slices.IndexFunc(errtable.Types, func(t errtable.Type) bool { return !t.Retryable })
	}
	if i < 0 {
		return errtable.Type{}, false
	}
	return errtable.Types[i], true
}

// scenarioOperation is the spec's operation the scenario list describes:
// the first list operation's (every operation documents the same errors).
func scenarioOperation() *openapi3.Operation {
	if len(listOps) == 0 {
		return nil
	}
	for _, item := range embeddedSpec().Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == listOps[0].id {
				return op
			}
		}
	}
	return nil
}

// specOperation returns the spec's operation a request is for, or nil:
// of the path templates that match the request's path and have an
// operation for its method, the first in OpenAPI's matching order (fewest
// parameters first: "/a/b" before "/a/{id}").
func specOperation(r *http.Request) *openapi3.Operation {
	rest, ok := strings.CutPrefix(r.URL.Path, BasePath)
	if !ok {
		return nil
	}
	paths := embeddedSpec().Paths
	for _, tmpl := range paths.InMatchingOrder() {
		if op := paths.Value(tmpl).GetOperation(r.Method); op != nil && pathMatches(tmpl, rest) {
			return op
		}
	}
	return nil
}

// pathMatches reports whether path matches the path template tmpl ({name}
// matches any one segment).
func pathMatches(tmpl, path string) bool {
	want, got := strings.Split(tmpl, "/"), strings.Split(path, "/")
	if len(want) != len(got) {
		return false
	}
	for i, w := range want {
		param := strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}")
		if w != got[i] && (!param || got[i] == "") {
			return false
		}
	}
	return true
}

// response returns op's documented response at status, or nil.
func response(op *openapi3.Operation, status int) *openapi3.Response {
	if op == nil || op.Responses == nil {
		return nil
	}
	if ref := op.Responses.Status(status); ref != nil {
		return ref.Value
	}
	return nil
}

// headerExamples are the headers op's response at status declares, each
// with its example value (those without one are left out).
func headerExamples(op *openapi3.Operation, status int) http.Header {
	h := http.Header{}
	resp := response(op, status)
	if resp == nil {
		return h
	}
	for name, ref := range resp.Headers {
		if ref == nil || ref.Value == nil {
			continue
		}
		ex := ref.Value.Example
		if ex == nil && ref.Value.Schema != nil && ref.Value.Schema.Value != nil {
			ex = ref.Value.Schema.Value.Example
		}
		if ex != nil {
			h.Set(name, fmt.Sprint(ex))
		}
	}
	return h
}

// examples returns the JSON examples of op's response at status, by name.
func examples(op *openapi3.Operation, status int) openapi3.Examples {
	resp := response(op, status)
	if resp == nil {
		return nil
	}
	mt := resp.Content.Get("application/json")
	if mt == nil {
		return nil
	}
	return mt.Examples
}

// exampleOfType returns the name of the example of op's response at the
// type's status whose body has that type, or "".
func exampleOfType(op *openapi3.Operation, t errtable.Type) string {
	exs := examples(op, t.Status)
	names := make([]string, 0, len(exs))
	for name := range exs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ref := exs[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		if body, ok := ref.Value.Value.(map[string]any); ok && body["type"] == t.Value {
			return name
		}
	}
	return ""
}

// preferFor is the Prefer header that asks for type t's documented
// example, or "" when the spec has none.
func preferFor(op *openapi3.Operation, t errtable.Type) string {
	name := exampleOfType(op, t)
	if name == "" {
		return ""
	}
	return fmt.Sprintf("%s: code=%d, example=%s", preferHeader, t.Status, name)
}

// scenarioIndex is what ScenariosPath serves.
type scenarioIndex struct {
	PlainAccount     string     `json:"plain_account"`
	List             listIndex  `json:"list"`
	LiveShaped       bool       `json:"live_shaped"`
	LiveExtraMembers []string   `json:"live_extra_members"`
	Scenarios        []Scenario `json:"scenarios"`
}

// listIndex names the first list operation's path (BasePath included),
// parameters and members.
type listIndex struct {
	Path         string `json:"path"`
	AccountParam string `json:"account_param"`
	CursorParam  string `json:"cursor_param"`
	LimitParam   string `json:"limit_param"`
	ItemsMember  string `json:"items_member"`
	CursorMember string `json:"cursor_member"`
}

// LiveExtraMembers returns the names of the members WithLiveShapedData
// adds (every schema's x-live-extra-members), sorted.
func LiveExtraMembers() []string {
	var out []string
	for _, ref := range embeddedSpec().Components.Schemas {
		if ref != nil && ref.Value != nil {
			for name := range extraMembers(ref.Value) {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// serveScenarioList writes the scenario index as JSON.
func (f *Fake) serveScenarioList(w http.ResponseWriter) {
	idx := scenarioIndex{PlainAccount: PlainAccount, LiveShaped: f.liveShaped, LiveExtraMembers: LiveExtraMembers(), Scenarios: f.Scenarios()}
	if len(listOps) > 0 {
		o := listOps[0]
		idx.List = listIndex{BasePath + o.path, o.accountParam, o.cursorParam, o.limitParam, o.itemsMember, o.cursorMember}
	}
	body, _ := json.MarshalIndent(idx, "", "  ")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(body, '\n'))
}

// isScenarioAccount reports whether account names a scenario that lists
// PlainAccount's items.
func isScenarioAccount(account string) bool {
	switch account {
	case FailPage2Account, SlowAccount, CutBodyAccount:
		return true
	}
	return strings.HasPrefix(account, RetryOnceAccountPrefix)
}

// dataAccount is the account whose items a request for account lists:
// PlainAccount for a scenario account that has no items of its own.
func (f *Fake) dataAccount(account string) string {
	if isScenarioAccount(account) && !f.known[account] {
		return PlainAccount
	}
	return account
}

// scenario answers a request that names a scenario (a Prefer header, a
// magic account) and reports whether it did; a slow scenario waits and
// returns false, so that the request is then served.
func (f *Fake) scenario(w http.ResponseWriter, r *http.Request, id string) bool {
	if p := r.Header.Get(preferHeader); p != "" {
		if done := f.prefer(w, r, p, id); done {
			return true
		}
	}
	account, cursor := accountAndCursor(r)
	op := specOperation(r)
	switch {
	case strings.HasPrefix(account, ErrorAccountPrefix):
		name := strings.TrimPrefix(account, ErrorAccountPrefix)
		i := slices.IndexFunc(errtable.Types, func(t errtable.Type) bool { return typeName(t.Value) == name })
		if i < 0 {
			return false // not a scenario: an account like any other
		}
		f.scenarioError(w, op, errtable.Types[i], id)
		return true
	case strings.HasPrefix(account, RetryOnceAccountPrefix):
		status, _ := strconv.Atoi(strings.TrimPrefix(account, RetryOnceAccountPrefix))
		i := slices.IndexFunc(retryOnceTypes(), func(t errtable.Type) bool { return t.Status == status })
		if i < 0 {
			return false
		}
		f.mu.Lock()
		key := r.URL.Path + "\x00" + account + "\x00" + cursor
		f.attempts[key]++
		fail := f.attempts[key]%2 == 1
		f.mu.Unlock()
		if fail {
			f.scenarioError(w, op, retryOnceTypes()[i], id)
		}
		return fail
	case account == FailPage2Account && cursor != "":
		if t, ok := failPage2Type(); ok {
			f.scenarioError(w, op, t, id)
			return true
		}
	case account == SlowAccount:
		select {
		case <-time.After(f.slowDelay):
		case <-r.Context().Done():
			return true
		}
	case account == CutBodyAccount:
		rec := httptest.NewRecorder()
		f.respond(rec, r)
		writeTruncated(w, rec)
		return true
	}
	return false
}

// scenarioError answers with type t in the error envelope, with the
// headers the spec declares on op's response at its status.
func (f *Fake) scenarioError(w http.ResponseWriter, op *openapi3.Operation, t errtable.Type, id string) {
	for k, v := range headerExamples(op, t.Status) {
		w.Header()[k] = v
	}
	apiError{t.Status, t.Value, t.Description, id}.write(w)
}

// prefer answers a request with Prism's Prefer header: code=NNN answers
// with the operation's documented response at that status (the example
// of the status's first error type in the table, or that type's envelope;
// for a 2xx, the request is served as usual), and code=NNN, example=NAME
// with the example of that name. It reports whether it answered; a header
// without code is ignored.
func (f *Fake) prefer(w http.ResponseWriter, r *http.Request, header, id string) bool {
	var code, example string
	for _, part := range strings.FieldsFunc(header, func(r rune) bool { return r == ',' || r == ';' }) {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.TrimSpace(k) {
		case "code":
			code = strings.TrimSpace(v)
		case "example":
			example = strings.TrimSpace(v)
		}
	}
	if code == "" {
		return false
	}
	op := specOperation(r)
	status, err := strconv.Atoi(code)
	if err != nil || response(op, status) == nil {
		_ = invalidParameters(fmt.Sprintf("%s: code=%s: the operation documents no such response", preferHeader, code), id).write(w)
		return true
	}
	if example == "" && status < 300 {
		return false
	}
	if example == "" {
		i := slices.IndexFunc(errtable.Types, func(t errtable.Type) bool { return t.Status == status })
		if i < 0 {
			_ = invalidParameters(fmt.Sprintf("%s: code=%d: the operation documents no example of it", preferHeader, status), id).write(w)
			return true
		}
		if example = exampleOfType(op, errtable.Types[i]); example == "" {
			f.scenarioError(w, op, errtable.Types[i], id)
			return true
		}
	}
	ref := examples(op, status)[example]
	if ref == nil || ref.Value == nil {
		_ = invalidParameters(fmt.Sprintf("%s: code=%d: the operation documents no example %q at that status", preferHeader, status, example), id).write(w)
		return true
	}
	body, err := json.Marshal(ref.Value.Value)
	if err != nil {
		_ = invalidParameters(fmt.Sprintf("%s: example %q: %v", preferHeader, example, err), id).write(w)
		return true
	}
	for k, v := range headerExamples(op, status) {
		w.Header()[k] = v
	}
	_ = (&reply{status: status, contentType: "application/json", body: append(body, '\n')}).write(w)
	return true
}

// writeTruncated sends the recorded response with its full Content-Length
// and only half its body; the handler then returns having written less
// than Content-Length, and net/http closes the connection (a clean FIN, so
// the bytes sent arrive and the client reads io.ErrUnexpectedEOF after
// them).
func writeTruncated(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	body := rec.Body.Bytes()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set(FaultHeader, "truncated-body")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body[:len(body)/2])
}
