package postpresstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/contract"
	"github.com/postpress/postpress-go/internal/contracttest"
	"github.com/postpress/postpress-go/internal/errtable"
)

// get requests a page through the validating transport and returns the
// status, headers and body.
func get(t *testing.T, s *Server, query string, key string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/users/invite/received?"+query, nil)
	if key != "" {
		req.Header.Set("X-API-KEY", key)
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
	return resp.StatusCode, resp.Header, body
}

// getUnchecked is get without request validation, for requests that break
// the spec on purpose; the response is still validated.
func getUnchecked(t *testing.T, s *Server, rawQuery string, key string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/users/invite/received?"+rawQuery, nil)
	if key != "" {
		req.Header.Set("X-API-KEY", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	v, _ := contract.NewValidator()
	if err := v.ValidateResponse(req, resp.StatusCode, resp.Header, body); err != nil && resp.Header.Get(FaultHeader) == "" {
		t.Errorf("response breaks the contract: %v", err)
	}
	return resp.StatusCode, body
}

func envelope(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("not JSON: %s", body)
	}
	return m
}

func TestPagingFollowsTheDocs(t *testing.T) {
	s := NewServer(WithGeneratedAccount("acc", 25))
	defer s.Close()
	var ids []string
	q := url.Values{"account_id": {"acc"}}
	pages := 0
	for {
		if pages > 3 {
			t.Fatalf("still listing after %d pages of 25 items by 10: the last page has a cursor", pages)
		}
		status, _, body := get(t, s, q.Encode(), DefaultAPIKey)
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		var page gen.InvitationList
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		if page.Cursor == nil {
			if !strings.Contains(string(body), `"cursor":null`) {
				t.Errorf("last page must carry cursor: null, got %s", body)
			}
			break
		}
		if len(page.Items) != 10 {
			t.Errorf("default limit: %d items", len(page.Items))
		}
		q.Set("cursor", *page.Cursor)
	}
	if pages != 3 || len(ids) != 25 {
		t.Fatalf("%d pages, %d items; want 3 pages of 10,10,5", pages, len(ids))
	}
	want := s.Items("acc")
	for i := range want {
		if ids[i] != want[i].ID {
			t.Fatalf("item %d is %s, want %s", i, ids[i], want[i].ID)
		}
	}
	if c := EncodeCursor(10); c != "eyJvIjoxMH0" {
		t.Errorf("cursor of offset 10 = %q, want the docs' eyJvIjoxMH0", c)
	}
	status, _, body := get(t, s, "account_id=acc&limit=100", DefaultAPIKey)
	if status != 200 || strings.Count(string(body), `"InvitationReceived"`) != 25 {
		t.Errorf("limit=100 should give all 25: %d", status)
	}
	status, _, body = get(t, s, "account_id=empty", DefaultAPIKey)
	_ = body
	if status != 403 {
		t.Errorf("unknown account: %d", status)
	}
}

func TestEmptyAccount(t *testing.T) {
	s := NewServer(WithAccount("empty", []gen.InvitationReceived(nil)))
	defer s.Close()
	status, _, body := get(t, s, "account_id=empty", DefaultAPIKey)
	if status != 200 || string(body) != `{"cursor":null,"items":[],"object":"InvitationList"}`+"\n" {
		t.Fatalf("%d %s", status, body)
	}
}

func TestRefusals(t *testing.T) {
	s := NewServer(WithGeneratedAccount("acc", 30))
	defer s.Close()
	for name, tc := range map[string]struct {
		query, key string
		status     int
		typ        string
		detail     string // a word the detail must contain: the parameter at fault
	}{
		"missing key":     {"account_id=acc", "", 401, "errors/missing_credentials", "X-API-KEY"},
		"wrong key":       {"account_id=acc", "nope", 401, "errors/invalid_credentials", "API key"},
		"unknown account": {"account_id=who", DefaultAPIKey, 403, "errors/resource_access_restricted", "account"},
		"limit 0":         {"account_id=acc&limit=0", DefaultAPIKey, 400, "errors/invalid_parameters", "limit"},
		"limit over max":  {"account_id=acc&limit=" + strconv.Itoa(opListInvitationsReceived.limit.max+1), DefaultAPIKey, 400, "errors/invalid_parameters", "limit"},
		"limit not int":   {"account_id=acc&limit=ten", DefaultAPIKey, 400, "errors/invalid_parameters", "limit"},
		"no account":      {"limit=5", DefaultAPIKey, 400, "errors/invalid_parameters", "account_id"},
		"empty cursor":    {"account_id=acc&cursor=", DefaultAPIKey, 400, "errors/invalid_parameters", "cursor"},
		"garbage cursor":  {"account_id=acc&cursor=%21%21", DefaultAPIKey, 400, "errors/invalid_parameters", "cursor"},
		"never issued":    {"account_id=acc&cursor=" + EncodeCursor(20), DefaultAPIKey, 400, "errors/invalid_parameters", "cursor"},
		"past the end":    {"account_id=acc&cursor=" + EncodeCursor(200), DefaultAPIKey, 400, "errors/invalid_parameters", "cursor"},
	} {
		status, body := getUnchecked(t, s, tc.query, tc.key)
		env := envelope(t, body)
		detail, _ := env["detail"].(string)
		instance, _ := env["instance"].(string)
		if status != tc.status || env["type"] != tc.typ || env["status"] != float64(tc.status) || env["title"] != http.StatusText(tc.status) || !strings.HasPrefix(instance, "req_") || !strings.Contains(detail, tc.detail) {
			t.Errorf("%s: %d %s", name, status, body)
		}
	}
	// A cursor the server did issue works, for that account only.
	_, _, body := get(t, s, "account_id=acc", DefaultAPIKey)
	var page gen.InvitationList
	_ = json.Unmarshal(body, &page)
	if status, _, _ := get(t, s, "account_id=acc&cursor="+*page.Cursor, DefaultAPIKey); status != 200 {
		t.Errorf("issued cursor refused: %d", status)
	}
	lenient := NewServer(WithAnyAccount(30), WithLenientCursors(), WithAnyAPIKey())
	defer lenient.Close()
	if status, _, _ := get(t, lenient, "account_id=x&cursor="+EncodeCursor(20), "anything"); status != 200 {
		t.Errorf("lenient server refused a well-formed cursor: %d", status)
	}
}

// TestGeneratorIsDeterministic: the same seed gives the same items,
// another seed others, and ids are unique within a call.
func TestGeneratorIsDeterministic(t *testing.T) {
	a, b, c := GenerateInvitations(7, 300), GenerateInvitations(7, 300), GenerateInvitations(8, 300)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different invitations")
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds, same invitations")
	}
	seen := map[string]bool{}
	for _, inv := range a {
		if seen[inv.ID] || inv.ID == "" {
			t.Fatalf("empty or repeated id %q", inv.ID)
		}
		seen[inv.ID] = true
	}
}

// TestScriptedErrorsPassTheContract serves every error type of the spec's
// table at its status and checks each response against the contract.
func TestScriptedErrorsPassTheContract(t *testing.T) {
	s := NewServer(WithGeneratedAccount("acc", 5))
	defer s.Close()
	types := map[string]int{}
	for _, et := range errtable.Types {
		types[et.Value] = et.Status
		s.Enqueue(ErrorStatus(et.Status, et.Value).WithRetryAfter("1"))
	}
	if len(types) == 0 || len(types) != len(errtable.Types) {
		t.Fatalf("%d distinct error types in a table of %d", len(types), len(errtable.Types))
	}
	got := map[string]bool{}
	for range types {
		status, h, body := get(t, s, "account_id=acc", DefaultAPIKey)
		env := envelope(t, body)
		typ := env["type"].(string)
		if status != types[typ] || h.Get("Retry-After") != "1" || h.Get(FaultHeader) != "" {
			t.Errorf("%s: status %d (want %d), Retry-After %q", typ, status, types[typ], h.Get("Retry-After"))
		}
		got[typ] = true
	}
	if len(got) != len(types) || s.PendingFaults() != 0 {
		t.Fatalf("served %d distinct types, %d faults left", len(got), s.PendingFaults())
	}
	if status, _, _ := get(t, s, "account_id=acc", DefaultAPIKey); status != 200 {
		t.Errorf("after the script the server should serve normally: %d", status)
	}
}

func TestFaults(t *testing.T) {
	s := NewServer(WithGeneratedAccount("acc", 50))
	defer s.Close()
	hc := contracttest.NewClient(t, nil)
	hc.Timeout = 5 * time.Second // a fault that leaves the connection open fails, not hangs
	do := func() (*http.Response, []byte, error) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/users/invite/received?account_id=acc", nil)
		req.Header.Set("X-API-KEY", DefaultAPIKey)
		resp, err := hc.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer func() { _ = resp.Body.Close() }()
		body, err := io.ReadAll(resp.Body)
		return resp, body, err
	}

	s.Enqueue(Reset())
	if _, _, err := do(); err == nil || isTimeout(err) {
		t.Errorf("reset: want a transport error at once, got %v", err)
	}

	s.Enqueue(TruncatedBody())
	resp, body, err := do()
	if !errors.Is(err, io.ErrUnexpectedEOF) || resp.Header.Get(FaultHeader) != "truncated-body" || len(body) == 0 || json.Valid(body) {
		t.Errorf("truncated: err %v, %d bytes", err, len(body))
	}

	s.Enqueue(ProxyHTML(0))
	resp, body, err = do()
	if err != nil || resp.StatusCode != 502 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "Bad Gateway") {
		t.Errorf("proxy: %v %v", resp, err)
	}

	s.Enqueue(ErrorStatus(418, "errors/teapot"), Error(gen.InternalServerErrorType("errors/brand_new_type")))
	resp, body, _ = do()
	if resp.StatusCode != 418 || resp.Header.Get(FaultHeader) == "" || envelope(t, body)["type"] != "errors/teapot" {
		t.Errorf("undocumented status: %d %s", resp.StatusCode, body)
	}
	resp, body, _ = do()
	if resp.Header.Get(FaultHeader) == "" || envelope(t, body)["type"] != "errors/brand_new_type" {
		t.Errorf("unknown type: %d %s", resp.StatusCode, body)
	}

	// Latency: a client that gives up first sees a timeout; the server
	// stops waiting too.
	s.Enqueue(Latency(time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/users/invite/received?account_id=acc", nil)
	req.Header.Set("X-API-KEY", DefaultAPIKey)
	_, err = hc.Do(req) //nolint:bodyclose // no response
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("latency: %v", err)
	}
	s.Enqueue(Latency(10 * time.Millisecond))
	if resp, _, err := do(); err != nil || resp.StatusCode != 200 {
		t.Errorf("short latency then a page: %v", err)
	}

	// Matching and counting.
	s.Enqueue(Error(gen.TooManyRequestsErrorTypeTooManyRequests).Times(2).OnCursor(EncodeCursor(10)))
	if resp, _, _ := do(); resp.StatusCode != 200 {
		t.Errorf("a fault for another cursor applied to the first page")
	}
	if s.PendingFaults() != 2 {
		t.Errorf("pending = %d", s.PendingFaults())
	}
	s.Enqueue(Latency(0).Times(0))
	if s.PendingFaults() != 3 {
		t.Errorf("Times(0) should count as 1: pending = %d", s.PendingFaults())
	}
	if resp, _, _ := do(); resp.StatusCode != 200 || s.PendingFaults() != 2 {
		t.Errorf("Times(0) fault: %d, pending %d", resp.StatusCode, s.PendingFaults())
	}
	// ClearFaults drops what is queued: the 429s for the second page never come.
	if n := s.ClearFaults(); n != 2 || s.PendingFaults() != 0 {
		t.Errorf("ClearFaults = %d, then pending %d; want 2, 0", n, s.PendingFaults())
	}
	code, _, _ := get(t, s, "account_id=acc&cursor="+EncodeCursor(10), DefaultAPIKey)
	if code != http.StatusOK {
		t.Errorf("after ClearFaults the second page got %d, want 200", code)
	}

	log := s.Requests()
	faults := []string{}
	for _, r := range log {
		if r.Fault != "" {
			faults = append(faults, r.Fault)
		}
		if r.Header.Get("X-API-KEY") != DefaultAPIKey || r.Query.Get("account_id") != "acc" || r.Path != "/api/v1/users/invite/received" {
			t.Errorf("log entry %+v", r)
		}
	}
	want := "reset,truncated-body,proxy-html,error errors/teapot,error errors/brand_new_type,latency 1h0m0s,latency 10ms,latency 0s"
	if strings.Join(faults, ",") != want {
		t.Errorf("faults in the log: %v\nwant %s", faults, want)
	}
}

// TestFaultsOnReusedConnections: a keep-alive connection that served a page
// still shows the client a Reset (Go's transport would replay a bare one)
// and a truncated body; each fault costs exactly one request.
// isTimeout reports whether err is the HTTP client's timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestFaultsOnReusedConnections(t *testing.T) {
	s := NewServer(WithGeneratedAccount("acc", 50))
	defer s.Close()
	hc := contracttest.NewClient(t, &http.Transport{})
	hc.Timeout = 5 * time.Second // a fault that leaves the connection open fails, not hangs
	do := func() (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/users/invite/received?account_id=acc", nil)
		req.Header.Set("X-API-KEY", DefaultAPIKey)
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer func() { _ = resp.Body.Close() }()
		_, err = io.ReadAll(resp.Body)
		return resp, err
	}
	for i := range 20 {
		if _, err := do(); err != nil {
			t.Fatalf("round %d: a normal page: %v", i, err)
		}
		s.Enqueue(Reset())
		if _, err := do(); err == nil || isTimeout(err) {
			t.Fatalf("round %d: a reset on a reused connection went unnoticed, or hung: %v", i, err)
		}
		if _, err := do(); err != nil {
			t.Fatalf("round %d: the page after a reset: %v", i, err)
		}
		s.Enqueue(TruncatedBody())
		if resp, err := do(); !errors.Is(err, io.ErrUnexpectedEOF) || resp.Header.Get(FaultHeader) != "truncated-body" {
			t.Fatalf("round %d: truncated body: %v", i, err)
		}
	}
	if n := s.RequestCount(); n != 80 {
		t.Errorf("%d requests logged, want 80 (4 per round, none replayed)", n)
	}
	s.ResetLog()
	if n := len(s.Requests()); n != 0 {
		t.Errorf("after ResetLog: %d requests", n)
	}
}

// TestConcurrentClients: 50 goroutines list their own accounts at once,
// while faults are queued and the log is read; run under -race.
func TestConcurrentClients(t *testing.T) {
	const workers, perAccount = 50, 37
	s := NewServer(WithAnyAccount(perAccount))
	defer s.Close()
	hc := contracttest.NewClient(t, nil)
	s.Enqueue(Error(gen.TooManyRequestsErrorTypeTooManyRequests).Times(workers))
	var wg sync.WaitGroup
	counts := make([]int, workers)
	limited := make([]int, workers)
	for w := range workers {
		wg.Go(func() {
			q := url.Values{"account_id": {fmt.Sprintf("acc_%02d", w)}, "limit": {"5"}}
			for n := 0; ; n++ {
				if n > 2*perAccount {
					t.Errorf("worker %d: still listing after %d requests: the last page has a cursor", w, n)
					return
				}
				req, _ := http.NewRequest(http.MethodGet, s.URL+"/users/invite/received?"+q.Encode(), nil)
				req.Header.Set("X-API-KEY", DefaultAPIKey)
				resp, err := hc.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				var page gen.InvitationList
				err = json.NewDecoder(resp.Body).Decode(&page)
				_ = resp.Body.Close()
				if resp.StatusCode == http.StatusTooManyRequests {
					limited[w]++
					continue
				}
				if err != nil || resp.StatusCode != 200 {
					t.Errorf("worker %d: %d %v", w, resp.StatusCode, err)
					return
				}
				counts[w] += len(page.Items)
				_ = s.Requests()
				if page.Cursor == nil {
					return
				}
				q.Set("cursor", *page.Cursor)
			}
		})
	}
	wg.Wait()
	total429 := 0
	for w := range workers {
		total429 += limited[w]
		if counts[w] != perAccount {
			t.Errorf("worker %d listed %d invitations, want %d", w, counts[w], perAccount)
		}
	}
	pages := (perAccount + 4) / 5
	if total429 != workers || s.RequestCount() != workers*pages+workers || s.PendingFaults() != 0 {
		t.Errorf("%d rate limits, %d requests (want %d), %d faults left", total429, s.RequestCount(), workers*pages+workers, s.PendingFaults())
	}
}

// TestFaultHeaderIsTheValidatorsMark: the contract transport passes through
// what carries internal/contract's mark; this package, which must not
// import the validator, declares the same name.
func TestFaultHeaderIsTheValidatorsMark(t *testing.T) {
	if FaultHeader != contract.FaultHeader {
		t.Fatalf("postpresstest.FaultHeader %q, internal/contract.FaultHeader %q", FaultHeader, contract.FaultHeader)
	}
}
