package multi_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/postpresstest"
)

// TestDefaultClientReusesConnections lists multi.DefaultConcurrency
// accounts at once through the client's default *http.Client and counts the TCP
// connections the server accepted: each account's requests reuse a kept
// connection. (Go's http.DefaultClient keeps 2 idle connections a host:
// most of each round's connections would be closed and new ones opened,
// 32 here.) The test uses the default client on purpose, so its HTTP
// does not go through internal/contracttest.
func TestDefaultClientReusesConnections(t *testing.T) {
	var accounts []string
	var opts []postpresstest.Option
	for i := range multi.DefaultConcurrency {
		id := fmt.Sprintf("acc_%d", i)
		accounts = append(accounts, id)
		opts = append(opts, postpresstest.WithGeneratedAccount(id, 60))
	}
	fake := postpresstest.NewFake(opts...)
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
	c, err := client.New(client.WithAPIKey(postpresstest.DefaultAPIKey), client.WithBaseURL(srv.URL+postpresstest.BasePath))
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
