package multi_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/gen"

	pt "github.com/postpress/postpress-go/postpresstest"
)

// collectAccounts runs Lister.Invitations and returns the ids each account
// delivered, in order, and the errors by account.
func collectAccounts(t *testing.T, seq func(yield func(multi.AccountInvitation, error) bool)) (map[string][]string, map[string]*multi.AccountError) {
	t.Helper()
	got := map[string][]string{}
	failed := map[string]*multi.AccountError{}
	for ai, err := range seq {
		if err != nil {
			var ae *multi.AccountError
			if !errors.As(err, &ae) {
				t.Fatalf("error is not an *multi.AccountError: %v", err)
			}
			if ae.AccountID != ai.AccountID || failed[ae.AccountID] != nil {
				t.Fatalf("error for %q yielded with account %q, or twice", ae.AccountID, ai.AccountID)
			}
			failed[ae.AccountID] = ae
			continue
		}
		got[ai.AccountID] = append(got[ai.AccountID], ai.Invitation.ID)
	}
	return got, failed
}

// One account fails for good on its second page, one is rate-limited
// twice, one is unknown to the key; the others complete, each with exactly
// its own invitations in order, and each failure says where to resume.
func TestAccountsAgainstFaults(t *testing.T) {
	sizes := map[string]int{"acc_a": 250, "acc_broken": 230, "acc_limited": 120, "acc_d": 99, "acc_e": 0, "acc_f": 301}
	var opts []pt.Option
	var accounts []string
	for _, id := range []string{"acc_a", "acc_broken", "acc_limited", "acc_d", "acc_e", "acc_f"} {
		opts = append(opts, pt.WithGeneratedAccount(id, sizes[id]))
		accounts = append(accounts, id)
	}
	accounts = append(accounts, "acc_unknown")
	c, srv, _ := setup(t, opts, client.WithMaxRetries(2))
	const pageSize = 50
	page2 := pt.EncodeCursor(pageSize)
	srv.Enqueue(
		pt.Error(gen.InternalServerErrorTypeProviderError).Times(100).When(func(r *http.Request) bool {
			q := r.URL.Query()
			return q.Get("account_id") == "acc_broken" && q.Get("cursor") == page2
		}),
		pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("0").Times(2).OnAccount("acc_limited"),
	)

	got, failed := collectAccounts(t, multi.Lister{Client: c, Concurrency: 3}.Invitations(context.Background(), accounts, client.ListParams{Limit: pageSize}))

	for _, id := range []string{"acc_a", "acc_limited", "acc_d", "acc_e", "acc_f"} {
		if want := idsOf(srv.Items(id)); !slices.Equal(got[id], want) || failed[id] != nil {
			t.Errorf("%s: %d ids (error %v), want its %d in order", id, len(got[id]), failed[id], len(want))
		}
	}
	if len(failed) != 2 {
		t.Fatalf("failed accounts: %v, want acc_broken and acc_unknown", failed)
	}
	broken := failed["acc_broken"]
	if broken == nil || broken.Cursor != page2 || !errors.Is(broken, client.ErrorTypeProviderError) {
		t.Fatalf("acc_broken: %v, want provider_error with cursor %q", broken, page2)
	}
	var pe *client.PagingError
	if !errors.As(broken, &pe) || pe.Cursor != broken.Cursor || pe.Items != pageSize {
		t.Errorf("acc_broken's error does not carry its *client.PagingError: %#v", broken.Err)
	}
	if unknown := failed["acc_unknown"]; unknown == nil || unknown.Cursor != "" || !errors.Is(unknown, client.ErrorTypeResourceAccessRestricted) {
		t.Errorf("acc_unknown: %v, want resource_access_restricted from the start", unknown)
	}
	limited := 0
	for _, r := range srv.Requests() {
		if r.Query.Get("account_id") == "acc_limited" && r.Fault != "" {
			limited++
		}
	}
	if limited != 2 {
		t.Errorf("acc_limited met %d 429s, want 2 (retried, then served)", limited)
	}

	// Resuming the broken account from its cursor gives the rest, once.
	srv.ClearFaults()
	rest, err := listIDs(c, client.ListParams{AccountID: "acc_broken", Cursor: broken.Cursor})
	if err != nil || !slices.Equal(append(got["acc_broken"], rest...), idsOf(srv.Items("acc_broken"))) {
		t.Errorf("resume of acc_broken: %d + %d ids, err %v; want its %d", len(got["acc_broken"]), len(rest), err, sizes["acc_broken"])
	}
}

// The sandbox serves any account: every account gets its own invitations.
func TestAccountsOnTheSandbox(t *testing.T) {
	c, srv, _ := setup(t, []pt.Option{pt.WithAnyAPIKey(), pt.WithAnyAccount(120), pt.WithLenientCursors()})
	accounts := []string{"a", "b", "c"}
	got, failed := collectAccounts(t, multi.Lister{Client: c}.Invitations(context.Background(), accounts, client.ListParams{Limit: 50}))
	if len(failed) != 0 {
		t.Fatalf("failures: %v", failed)
	}
	for _, id := range accounts {
		if want := idsOf(srv.Items(id)); len(want) != 120 || !slices.Equal(got[id], want) {
			t.Errorf("%s: %d ids, want its 120", id, len(got[id]))
		}
	}
	if slices.Equal(got["a"], got["b"]) {
		t.Error("accounts a and b got the same invitations")
	}
}

// concurrencyProbe wraps the fake: it counts the accounts with a request in
// flight, and holds the first requests until `want` accounts are in flight
// at once (a listing one account after another would never get there, and
// the test's deadline fails it).
type concurrencyProbe struct {
	next     http.Handler
	want     int
	mu       sync.Mutex
	inFlight map[string]int
	max      int
	reached  chan struct{}
	once     sync.Once
}

func (p *concurrencyProbe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	acc := r.URL.Query().Get("account_id")
	p.mu.Lock()
	p.inFlight[acc]++
	p.max = max(p.max, len(p.inFlight))
	if len(p.inFlight) >= p.want {
		p.once.Do(func() { close(p.reached) })
	}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		if p.inFlight[acc]--; p.inFlight[acc] == 0 {
			delete(p.inFlight, acc)
		}
		p.mu.Unlock()
	}()
	select {
	case <-p.reached:
	case <-r.Context().Done():
		return
	}
	p.next.ServeHTTP(w, r)
}

func TestAccountsConcurrencyIsBounded(t *testing.T) {
	const concurrency = 4
	fake := pt.NewFake(pt.WithAPIKey(testKey), pt.WithAnyAccount(250), pt.WithLenientCursors())
	probe := &concurrencyProbe{next: fake, want: concurrency, inFlight: map[string]int{}, reached: make(chan struct{})}
	hs := httptest.NewServer(probe)
	defer hs.Close()
	c := testClient(t, hs.URL+pt.BasePath)
	accounts := []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, failed := collectAccounts(t, multi.Lister{Client: c, Concurrency: concurrency}.Invitations(ctx, accounts, client.ListParams{}))
	if len(failed) != 0 {
		t.Fatalf("failures (a listing that never had %d accounts in flight hangs until the deadline): %v", concurrency, failed)
	}
	for _, id := range accounts {
		if len(got[id]) != 250 {
			t.Errorf("%s: %d ids, want 250", id, len(got[id]))
		}
	}
	if probe.max != concurrency {
		t.Errorf("at most %d accounts were in flight at once, want exactly %d", probe.max, concurrency)
	}
}

// countingLimiter counts its waits and fails from the n-th on when fail is
// set.
type countingLimiter struct {
	waits atomic.Int64
	fail  int64
}

func (l *countingLimiter) Wait(ctx context.Context) error {
	if n := l.waits.Add(1); l.fail > 0 && n >= l.fail {
		return errors.New("limiter: burst exceeded")
	}
	return ctx.Err()
}

// One limiter paces every attempt of the client: first tries and retries,
// on every account.
func TestAccountsRateLimiterCountsEveryAttempt(t *testing.T) {
	lim := &countingLimiter{}
	c, srv, _ := setup(t, []pt.Option{pt.WithAnyAccount(2*50 + 30), pt.WithLenientCursors()}, client.WithRateLimiter(lim))
	srv.Enqueue(pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("0").Times(3).OnAccount("b"))
	_, failed := collectAccounts(t, multi.Lister{Client: c}.Invitations(context.Background(), []string{"a", "b", "c"}, client.ListParams{Limit: 50}, client.WithMaxRetries(3)))
	if len(failed) != 0 {
		t.Fatal(failed)
	}
	if n := srv.RequestCount(); n != 3*3+3 || lim.waits.Load() != int64(n) {
		t.Errorf("limiter waited %d times for %d requests (want 12: 3 pages × 3 accounts + 3 retries)", lim.waits.Load(), n)
	}

	// A limiter that refuses fails the attempt before it is sent.
	srv.ResetLog()
	_, failed = collectAccounts(t, multi.Lister{Client: c}.Invitations(context.Background(), []string{"a"}, client.ListParams{}, client.WithRateLimiter(&countingLimiter{fail: 1})))
	var re *client.RequestError
	if !errors.As(failed["a"], &re) || re.Op != "wait for the rate limiter" || srv.RequestCount() != 0 {
		t.Errorf("refusing limiter: %v, %d requests sent; want a client.RequestError and none sent", failed["a"], srv.RequestCount())
	}
}

// When the context ends, every account not complete gets an error, so the
// errors name every account to resume.
func TestAccountsCancelNamesEveryUnfinishedAccount(t *testing.T) {
	c, _, _ := setup(t, []pt.Option{pt.WithAnyAccount(150), pt.WithLenientCursors()})
	var accounts []string
	for i := range 20 {
		accounts = append(accounts, accountName(i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := map[string]int{}
	failed := map[string]*multi.AccountError{}
	for ai, err := range (multi.Lister{Client: c, Concurrency: 2}).Invitations(ctx, accounts, client.ListParams{Limit: 50}) { // 3 pages an account, whatever the spec's default
		var ae *multi.AccountError
		if errors.As(err, &ae) {
			failed[ae.AccountID] = ae
			continue
		}
		got[ai.AccountID]++
		cancel()
	}
	for _, id := range accounts {
		complete := got[id] == 150
		if complete == (failed[id] != nil) {
			t.Errorf("%s: %d items, error %v: want either all 150 or an error", id, got[id], failed[id])
		}
		if ae := failed[id]; ae != nil && (!errors.Is(ae, context.Canceled) || (got[id] > 0) != (ae.Cursor != "")) {
			t.Errorf("%s: %d items, error %v (cursor %q)", id, got[id], ae, ae.Cursor)
		}
	}
	if len(failed) < len(accounts)-2 {
		t.Errorf("only %d accounts failed after the cancel", len(failed))
	}
}

func TestAccountsBadInputSendsNothing(t *testing.T) {
	c, _, requests := setup(t, []pt.Option{pt.WithAnyAccount(10)})
	for name, tc := range map[string]struct {
		accounts []string
		params   client.ListParams
		opts     []client.Option
		conc     int
	}{
		"none":          {nil, client.ListParams{}, nil, 0},
		"repeated":      {[]string{"a", "b", "a"}, client.ListParams{}, nil, 0},
		"empty id":      {[]string{"a", ""}, client.ListParams{}, nil, 0},
		"space in id":   {[]string{"a b"}, client.ListParams{}, nil, 0},
		"params.id":     {[]string{"a"}, client.ListParams{AccountID: "a"}, nil, 0},
		"params.cursor": {[]string{"a"}, client.ListParams{Cursor: "x"}, nil, 0},
		"limit":         {[]string{"a"}, client.ListParams{Limit: -1}, nil, 0},
		"concurrency":   {[]string{"a"}, client.ListParams{}, nil, -1},
		"option":        {[]string{"a"}, client.ListParams{}, []client.Option{client.WithMaxRetries(-1)}, 0},
	} {
		n := 0
		var got error
		for _, err := range (multi.Lister{Client: c, Concurrency: tc.conc}).Invitations(context.Background(), tc.accounts, tc.params, tc.opts...) {
			n++
			got = err
		}
		var pe *client.ParamError
		if n != 1 || got == nil || (name != "concurrency" && name != "option" && !errors.As(got, &pe)) {
			t.Errorf("%s: %d results, last error %v; want one *client.ParamError (an option error for concurrency and option)", name, n, got)
		}
	}
	if n := len(requests()); n != 0 {
		t.Errorf("%d requests sent for bad input", n)
	}
}

// TestDefaultClientReusesConnections lists multi.DefaultConcurrency
// accounts at once through the client's default *http.Client and counts the TCP
// connections the server accepted: each account's requests reuse a kept
// connection. (Go's http.DefaultClient keeps 2 idle connections a host:
// most of each round's connections would be closed and new ones opened,
// 32 here.) The test uses the default client on purpose, so its HTTP
// does not go through internal/contracttest.
func TestDefaultClientReusesConnections(t *testing.T) {
	var accounts []string
	var opts []pt.Option
	for i := range multi.DefaultConcurrency {
		id := fmt.Sprintf("acc_%d", i)
		accounts = append(accounts, id)
		opts = append(opts, pt.WithGeneratedAccount(id, 60))
	}
	fake := pt.NewFake(opts...)
	var conns, inFlight, most atomic.Int64
	// The first requests wait until DefaultConcurrency of them are in
	// flight at once (or 10s pass), so that the accounts' requests surely
	// overlap: requests one after the other would need one connection
	// whatever the client's pool, and prove nothing.
	overlapped := make(chan struct{})
	var once sync.Once
	gate, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			if m := most.Load(); n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		if n >= int64(multi.DefaultConcurrency) {
			once.Do(func() { close(overlapped) })
		}
		select {
		case <-overlapped:
		case <-gate.Done():
		}
		fake.ServeHTTP(w, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := client.New(client.WithAPIKey(pt.DefaultAPIKey), client.WithBaseURL(srv.URL+pt.BasePath))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range (multi.Lister{Client: c}).Invitations(context.Background(), accounts, client.ListParams{Limit: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 60*len(accounts) {
		t.Fatalf("listed %d invitations, want %d", n, 60*len(accounts))
	}
	if m := most.Load(); m < int64(multi.DefaultConcurrency) {
		t.Fatalf("at most %d requests were in flight at once, want %d: without overlap the test shows nothing", m, multi.DefaultConcurrency)
	}
	if got, most := conns.Load(), int64(2*multi.DefaultConcurrency); got > most {
		t.Errorf("%d connections for %d accounts × 6 pages: more than %d, so connections were not reused", got, len(accounts), most)
	}
}
