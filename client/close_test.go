package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/postpress/postpress-go/internal/contracttest"
)

// TestCloseWaitsForThePrefetch: leaving a listing early (break, or
// Pager.Close) ends the page being fetched ahead before it returns, so no
// request of the listing outlives it.
func TestCloseWaitsForThePrefetch(t *testing.T) {
	entered := make(chan struct{})
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("cursor") == "" {
			serveJSON(w, pageJSON(0, 2, "c1"))
			return
		}
		close(entered)
		<-r.Context().Done() // the second page never comes; only a cancel ends it
	}))
	defer api.Close()
	var inFlight atomic.Int64
	counting := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		inFlight.Add(1)
		defer inFlight.Add(-1)
		return http.DefaultTransport.RoundTrip(r)
	})
	c := testClient(t, api.URL+"/api/v1", WithPrefetch(true), WithMaxRetries(0),
		WithHTTPClient(contracttest.NewClient(t, counting)))
	pages := 0
	for _, err := range c.Pages(context.Background(), ListParams{AccountID: "acc"}) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		<-entered // the prefetch of the second page is at the server
		break
	}
	if n := inFlight.Load(); pages != 1 || n != 0 {
		t.Fatalf("%d pages, %d requests still in flight after the listing returned; want 1, 0", pages, n)
	}
}
