package pgstore_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/pgstore"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// newSchema returns a schema name of this test's own.
func newSchema(t testing.TB) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := strings.ToLower(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, t.Name()))
	return fmt.Sprintf("t_%.40s_%s", name, hex.EncodeToString(b[:]))
}

func open(t testing.TB, schema string, opts pgstore.Options) *pgstore.Store {
	t.Helper()
	opts.Schema = schema
	st, err := pgstore.Open(context.Background(), pgURL(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeStore(t, st) })
	return st
}

// closeWait bounds Store.Close in the tests. Close waits for every
// connection of the store's pool to come back, so a connection the store
// still holds (rows it never closed) would hang the test for good: it
// fails instead, naming that.
const closeWait = 5 * time.Second

// closing holds the stores closeStore has closed, so that a second call
// (a deferred close, then open's cleanup) does nothing.
var closing sync.Map

// closeStore closes st, failing t when Close has not returned within
// closeWait; it reports whether Close returned.
func closeStore(t testing.TB, st *pgstore.Store) bool {
	t.Helper()
	if _, again := closing.LoadOrStore(st, true); again {
		return true
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = st.Close()
	}()
	select {
	case <-done:
		return true
	case <-time.After(closeWait):
		t.Errorf("Store.Close has not returned after %v: a connection of the store's pool is still held (rows never closed)", closeWait)
		return false
	}
}

// conn is a plain connection for looking at the tables.
func conn(t testing.TB) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), pgURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// recorder is an Output keeping "account/id" of each event, safe for the
// workers of one test to share.
type recorder struct {
	mu   sync.Mutex
	keys []string
}

func (r *recorder) Write(ev *invsync.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keys = append(r.keys, ev.AccountID+"/"+ev.Invitation.ID)
	return nil
}
func (r *recorder) Flush() error { return nil }

func (r *recorder) sorted() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(slices.Values(r.keys))
}

// accounts returns n account ids.
func accounts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("acct_%03d", i)
	}
	return out
}

// allKeys is every "account/id" the fake lists for accounts.
func allKeys(f *pt.Fake, accounts []string) []string {
	var out []string
	for _, a := range accounts {
		for _, inv := range f.Items(a) {
			out = append(out, a+"/"+inv.ID)
		}
	}
	slices.Sort(out)
	return out
}

// sandbox serves n invitations for any account, each request delayed by
// delay (so that a run lasts long enough to be interrupted).
func sandbox(t testing.TB, n int, delay time.Duration) (*pt.Fake, string) {
	t.Helper()
	f := pt.NewFake(pt.WithAnyAPIKey(), pt.WithAnyAccount(n), pt.WithLenientCursors())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		f.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL + pt.BasePath
}

func pagesFrom(t testing.TB, baseURL string, pageSize int) func([]string) iter.Seq2[multi.AccountPage, error] {
	t.Helper()
	pages, err := newPages(baseURL, pageSize)
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

// newPages lists accounts from baseURL, four at once.
func newPages(baseURL string, pageSize int) (func([]string) iter.Seq2[multi.AccountPage, error], error) {
	c, err := client.New(client.WithAPIKey("k"), client.WithBaseURL(baseURL), client.WithBackoff(time.Millisecond))
	if err != nil {
		return nil, err
	}
	return func(accounts []string) iter.Seq2[multi.AccountPage, error] {
		return (multi.Lister{Client: c, Concurrency: 4}).Pages(context.Background(), accounts, client.ListParams{Limit: pageSize})
	}, nil
}

// dupes returns the keys listed more than once.
func dupes(keys []string) []string {
	var out []string
	for i := 1; i < len(keys); i++ {
		if keys[i] == keys[i-1] && (len(out) == 0 || out[len(out)-1] != keys[i]) {
			out = append(out, keys[i])
		}
	}
	return out
}

// lines reads r's lines into a channel.
func lines(r io.Reader) <-chan string {
	ch := make(chan string, 1024)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return ch
}

// lineOutput prints each event's key on stdout at once.
type lineOutput struct{}

func (lineOutput) Write(ev *invsync.Event) error {
	_, err := fmt.Println(ev.AccountID + "/" + ev.Invitation.ID)
	return err
}
func (lineOutput) Flush() error { return nil }

// childWorker is the worker child: one RunShared over childAccounts of
// the sandbox at apiURL, with the state in schema of the database at dbURL.
func childWorker(dbURL, schema, apiURL string) error {
	ctx := context.Background()
	st, err := pgstore.Open(ctx, dbURL, pgstore.Options{Schema: schema, LeaseTime: time.Second})
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	pages, err := newPages(apiURL, 10)
	if err != nil {
		return err
	}
	s := &invsync.Syncer{Store: st, Batch: 4}
	_, err = s.RunShared(ctx, accounts(childAccounts), pages, lineOutput{})
	return err
}

// runWorkers runs n workers, each with a Store of its own, over accounts
// at once, and returns what they reported together.
func runWorkers(t *testing.T, schema, apiURL string, n int, accts []string) (*recorder, []invsync.Result) {
	t.Helper()
	out := &recorder{}
	results := make([]invsync.Result, n)
	errs := make([]error, n)
	stores := make([]*pgstore.Store, n)
	for i := range stores {
		stores[i] = open(t, schema, pgstore.Options{LeaseTime: 2 * time.Second})
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s := &invsync.Syncer{Store: stores[i], Batch: 4}
			results[i], errs[i] = s.RunShared(context.Background(), accts, pagesFrom(t, apiURL, 10), out)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("worker %d: %v", i, err)
		}
	}
	return out, results
}
