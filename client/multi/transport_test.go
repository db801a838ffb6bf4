package multi_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
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
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond) // requests of different accounts overlap
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
	if got, most := conns.Load(), int64(2*multi.DefaultConcurrency); got > most {
		t.Errorf("%d connections for %d accounts × 6 pages: more than %d, so connections were not reused", got, len(accounts), most)
	}
}
