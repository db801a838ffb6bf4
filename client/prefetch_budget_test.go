package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestPrefetchKeepsTheRetryBudget: a page fetched ahead that fails after
// its retries is reported as failed, not fetched again with a fresh budget.
func TestPrefetchKeepsTheRetryBudget(t *testing.T) {
	for _, prefetch := range []bool{false, true} {
		var second atomic.Int64
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("cursor") == "" {
				serveJSON(w, pageJSON(0, 2, "c1"))
				return
			}
			second.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = fmt.Fprint(w, `{"title":"Service Unavailable","type":"errors/service_unavailable","status":503,"instance":"req_1"}`)
		}))
		c := testClient(t, api.URL+"/api/v1", WithMaxRetries(1), WithPrefetch(prefetch))
		ids, err := collect(c, context.Background(), ListParams{AccountID: "acc"})
		var apiErr *APIError
		if len(ids) != 2 || !errors.As(err, &apiErr) || apiErr.Attempts != 2 {
			t.Errorf("prefetch=%v: ids %v, err %v; want 2 ids and a 503 after 2 attempts", prefetch, ids, err)
		}
		if n := second.Load(); n != 2 {
			t.Errorf("prefetch=%v: the failing page was requested %d times, want 2 (1 + 1 retry)", prefetch, n)
		}
		api.Close()
	}
}
