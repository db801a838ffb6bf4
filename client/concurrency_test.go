package client_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// TestSharedClientConcurrentAccounts: one client shared by 50 goroutines,
// each listing its own account (300 to 1000 invitations) while faults are
// sprinkled over their pages (two per account: 429, 503, proxy HTML,
// resets, truncated bodies, 504, 500); each gets exactly its account's ids, in
// order, once.
func TestSharedClientConcurrentAccounts(t *testing.T) {
	const accounts = 50
	opts := []pt.Option{pt.WithAPIKey(canaryKey)}
	sizes := make([]int, accounts)
	for i := range accounts {
		sizes[i] = 300 + (i*137)%701
		opts = append(opts, pt.WithGeneratedAccount(accountName(i), sizes[i]))
	}
	srv := pt.NewServer(opts...)
	defer srv.Close()
	w := watchLeaks(t, canaryKey)
	// No slow-response faults here (TestFaultMatrix has them), and the
	// default attempt timeout: 50 listings share the machine under the race
	// detector, and a healthy response cut off mid-body by a short timeout
	// is (rightly) a contract violation to the validating transport.
	c := suiteClient(t, srv, w, client.WithMaxRetries(3))

	faults := []func() *pt.Fault{
		func() *pt.Fault { return pt.Error("errors/too_many_requests").WithRetryAfter("0") },
		func() *pt.Fault { return pt.Error("errors/network_down") },
		pt.Reset,
		pt.TruncatedBody,
		func() *pt.Fault { return pt.Error("errors/request_timeout") },
		func() *pt.Fault { return pt.ProxyHTML(503) },
		func() *pt.Fault { return pt.Error("errors/provider_error") },
	}
	scheduled := 0
	for i := range accounts {
		acc := accountName(i)
		for j, page := range []int{i % 3, 1 + i%2} { // the first, second or third page, then the second or third
			cursor := ""
			if page > 0 {
				cursor = pt.EncodeCursor(page * client.DefaultPageSize)
			}
			f := faults[(i+j)%len(faults)]()
			srv.Enqueue(f.When(func(r *http.Request) bool {
				q := r.URL.Query()
				return q.Get("account_id") == acc && q.Get("cursor") == cursor
			}))
			scheduled++
		}
	}

	start := time.Now()
	var wg sync.WaitGroup
	got := make([][]string, accounts)
	errs := make([]error, accounts)
	for i := range accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = listIDs(context.Background(), c, client.ListParams{AccountID: accountName(i)})
		}()
	}
	wg.Wait()
	wall := time.Since(start)

	pages, items := 0, 0
	for i := range accounts {
		w.err(errs[i])
		if errs[i] != nil {
			t.Errorf("%s: %v", accountName(i), errs[i])
		}
		checkSameIDs(t, accountName(i), got[i], serverIDs(srv, accountName(i)))
		pages += (sizes[i] + client.DefaultPageSize - 1) / client.DefaultPageSize
		items += len(got[i])
	}
	clean, met := requestFigures(srv.Requests())
	if srv.PendingFaults() != 0 || sum(met) != scheduled {
		t.Errorf("%d faults met, %d pending; want all %d met", sum(met), srv.PendingFaults(), scheduled)
	}
	if clean < pages {
		t.Errorf("%d clean responses for %d pages", clean, pages)
	}
	t.Logf("figures: concurrency: %d goroutines, %d items in %d pages; %d requests = %d clean + %d faulted (%d unscheduled retries); wall %v",
		accounts, items, pages, clean+sum(met), clean, sum(met), clean-pages, wall.Round(time.Millisecond))
	t.Logf("figures: concurrency: faults met by kind: %s", formatCounts(met))
}

func accountName(i int) string { return fmt.Sprintf("acc_conc_%02d", i) }
