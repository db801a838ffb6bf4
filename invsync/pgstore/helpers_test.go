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
	"os"
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

// The tests need a PostgreSQL server: `make pg-test` (.ci/with-postgres.sh)
// starts a throwaway one and sets POSTPRESS_PG_URL. Without it they fail,
// unless POSTPRESS_SKIP_PG=1 says to skip them.
const (
	urlEnv  = "POSTPRESS_PG_URL"
	skipEnv = "POSTPRESS_SKIP_PG"
)

func pgURL(t testing.TB) string {
	t.Helper()
	if os.Getenv(skipEnv) == "1" {
		t.Skip(skipEnv + "=1: the PostgreSQL store's tests are skipped")
	}
	u := os.Getenv(urlEnv)
	if u == "" {
		t.Fatal(urlEnv + " is not set: run `make pg-test` (it starts a throwaway PostgreSQL), point " + urlEnv + " at a server, or set " + skipEnv + "=1 to skip")
	}
	return u
}

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
	t.Cleanup(func() { _ = st.Close() })
	return st
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
