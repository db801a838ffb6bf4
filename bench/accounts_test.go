package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/boltstore"
)

// 6. Many accounts at once: 64 accounts of 3 pages each, 10 ms of server
// latency per request, 8 accounts at a time. The bound is
// ⌈64/8⌉ × 3 × 10 ms = 240 ms (eight rounds of eight accounts, each three
// requests in a row); the one-by-one loop takes 64 × 3 × 10 ms = 1.92 s.
const (
	manyAccounts    = 64
	manyPages       = 3
	manyConcurrency = 8
	manyLatency     = 10 * time.Millisecond
)

// manyBound is ⌈accounts/concurrency⌉ × pages × latency.
var manyBound = time.Duration((manyAccounts+manyConcurrency-1)/manyConcurrency*manyPages) * manyLatency

func manyClient(b *testing.B, s *Server) *client.Client {
	b.Helper()
	c, err := client.New(client.WithAPIKey("k_bench"), client.WithBaseURL(s.BaseURL()), client.WithHTTPClient(manyHTTPClient(b)),
		client.WithMaxRetries(0))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func manyAccountIDs() []string {
	ids := make([]string, manyAccounts)
	for i := range ids {
		ids[i] = fmt.Sprintf("acc_%02d", i)
	}
	return ids
}

func BenchmarkAccounts(b *testing.B) {
	for _, size := range []int{PageSize, 10} {
		benchmarkAccounts(b, size)
	}
}

// benchmarkAccounts runs the modes with pages of size invitations: 100
// (the client's default, about 60 KB of JSON a page) and 10 (the API's
// default), which tells the per-page CPU cost (decoding, on a machine
// shared with other work) from the cost of listing accounts at once. The
// floor sends the same requests at the same concurrency with a bare
// net/http GET that reads and discards the body: what the client's
// concurrent listing is judged against.
func benchmarkAccounts(b *testing.B, size int) {
	want := manyAccounts * manyPages * size
	run := map[string]func(context.Context, *client.Client, *http.Client, *Server) (int, error){
		"mode=concurrent": func(ctx context.Context, c *client.Client, _ *http.Client, _ *Server) (int, error) {
			n := 0
			for _, err := range (multi.Lister{Client: c, Concurrency: manyConcurrency}).Invitations(ctx, manyAccountIDs(), client.ListParams{Limit: size}) {
				if err != nil {
					return n, err
				}
				n++
			}
			return n, nil
		},
		"mode=one-by-one": func(ctx context.Context, c *client.Client, _ *http.Client, _ *Server) (int, error) {
			n := 0
			for _, id := range manyAccountIDs() {
				for _, err := range c.Invitations(ctx, client.ListParams{AccountID: id, Limit: size}) {
					if err != nil {
						return n, err
					}
					n++
				}
			}
			return n, nil
		},
		"mode=floor": func(ctx context.Context, _ *client.Client, hc *http.Client, s *Server) (int, error) {
			return floorAccounts(ctx, hc, s, size)
		},
	}
	for _, mode := range []string{"mode=concurrent", "mode=floor", "mode=one-by-one"} {
		b.Run(fmt.Sprintf("page=%d/%s", size, mode), func(b *testing.B) {
			s := NewServer(manyPages * size)
			defer s.Close()
			s.Latency = manyLatency
			c, hc := manyClient(b, s), manyHTTPClient(b)
			for b.Loop() {
				if n, err := run[mode](b.Context(), c, hc, s); err != nil || n != want {
					b.Fatalf("listed %d of %d: %v", n, want, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(manyBound), "x-bound")
			b.ReportMetric(float64(s.Requests())/float64(b.N), "requests/op")
		})
	}
}

// manyHTTPClient is the HTTP client of the many-accounts benchmark: the
// client's and the floor's, keeping an idle connection for every request
// that can be in flight.
func manyHTTPClient(b *testing.B) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 2 * manyConcurrency // one request and one prefetch an account
	hc := &http.Client{Transport: t}
	b.Cleanup(hc.CloseIdleConnections)
	return hc
}

// floorAccounts sends the requests of the many-accounts listing, each
// account's pages in order (the server's cursors are c<offset>), manyConcurrency
// accounts at a time, each a bare GET whose body is read and discarded. It
// returns the invitations those pages hold.
func floorAccounts(ctx context.Context, hc *http.Client, s *Server, size int) (int, error) {
	sem := make(chan struct{}, manyConcurrency)
	errs := make(chan error, manyAccounts)
	for _, id := range manyAccountIDs() {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			for p := range manyPages {
				u := fmt.Sprintf("%s/users/invite/received?account_id=%s&limit=%d", s.BaseURL(), id, size)
				if p > 0 {
					u += "&cursor=c" + strconv.Itoa(p*size)
				}
				if err := discardGET(ctx, hc, u); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range manyAccounts {
		if err := <-errs; err != nil {
			return 0, err
		}
	}
	return manyAccounts * manyPages * size, nil
}

// discardGET sends a GET with the API key and reads and discards the body.
func discardGET(ctx context.Context, hc *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-API-KEY", "k_bench")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return nil
}

// 7. Sync state work: 1,000 accounts × 1,000 invitations. The first run
// records every id; the second finds nothing new. The pages come from
// memory (the listing's cost is measured above and in ListAll), so what is
// timed is the Syncer and its Store: reading each account's ids,
// comparing, committing. Bytes written are the bytes the process passed
// to write calls during the run (wchar of /proc/self/io), which here are
// only the state file's.
const (
	syncAccounts = 1000
	syncItems    = 1000
)

// syncPagesSeq yields every account's pages, ids only.
func syncPagesSeq(pages [][]*client.Page[client.Invitation]) iter.Seq2[multi.AccountPage, error] {
	return func(yield func(multi.AccountPage, error) bool) {
		for a, ps := range pages {
			for _, p := range ps {
				if !yield(multi.AccountPage{AccountID: "acc_" + strconv.Itoa(a), Page: p}, nil) {
					return
				}
			}
		}
	}
}

func syncPagesData(accounts, items int) [][]*client.Page[client.Invitation] {
	out := make([][]*client.Page[client.Invitation], accounts)
	for a := range out {
		for off := 0; off < items; off += PageSize {
			p := &client.Page[client.Invitation]{}
			for i := off; i < min(off+PageSize, items); i++ {
				p.Items = append(p.Items, client.Invitation{InvitationReceived: gen.InvitationReceived{ID: fmt.Sprintf("inv_01HX%06d%016d", a, i)}})
			}
			if off+PageSize < items {
				p.NextCursor = "c" + strconv.Itoa(off+PageSize)
			}
			out[a] = append(out[a], p)
		}
	}
	return out
}

// discard is an Output that drops the events.
type discard struct{ n int }

func (d *discard) Write(*invsync.Event) error { d.n++; return nil }
func (d *discard) Flush() error               { return nil }

// bytesWritten reads this process's wchar (bytes passed to write calls).
func bytesWritten() (int64, error) {
	f, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(f))
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("wchar: ")); ok {
			return strconv.ParseInt(string(v), 10, 64)
		}
	}
	return 0, errors.New("no wchar in /proc/self/io")
}

// syncRun opens the state at path, runs one sync over pages and reports
// the result and the bytes written.
func syncRun(tb testing.TB, path string, pages [][]*client.Page[client.Invitation]) (invsync.Result, int64, int) {
	tb.Helper()
	w0, werr := bytesWritten()
	st, err := boltstore.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	out := &discard{}
	res, err := (&invsync.Syncer{Store: st}).Run(context.Background(), syncPagesSeq(pages), out)
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.Close(); err != nil {
		tb.Fatal(err)
	}
	w1, _ := bytesWritten()
	if werr != nil {
		return res, -1, out.n
	}
	return res, w1 - w0, out.n
}

func BenchmarkSyncState(b *testing.B) {
	pages := syncPagesData(syncAccounts, syncItems)
	report := func(b *testing.B, store time.Duration, written int64, commits int) {
		b.ReportMetric(float64(store.Milliseconds())/float64(b.N), "store-ms/op")
		b.ReportMetric(float64(written)/float64(b.N), "written-B/op")
		b.ReportMetric(float64(commits)/float64(b.N), "commits/op")
	}
	b.Run("run=first", func(b *testing.B) {
		var store time.Duration
		var written int64
		commits := 0
		for i := 0; b.Loop(); i++ {
			path := filepath.Join(b.TempDir(), fmt.Sprint("state", i))
			res, w, n := syncRun(b, path, pages)
			if n != syncAccounts*syncItems {
				b.Fatalf("first run reported %d", n)
			}
			store += res.StoreTime
			written += w
			commits += res.Commits
		}
		report(b, store, written, commits)
	})
	b.Run("run=second", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "state")
		syncRun(b, path, pages)
		var store time.Duration
		var written int64
		commits := 0
		for b.Loop() {
			res, w, n := syncRun(b, path, pages)
			if n != 0 {
				b.Fatalf("second run reported %d", n)
			}
			store += res.StoreTime
			written += w
			commits += res.Commits
		}
		report(b, store, written, commits)
		if st, err := os.Stat(path); err == nil {
			b.ReportMetric(float64(st.Size()), "state-file-B")
		}
	})
}

// TestSyncSecondRunWritesNothing checks, on a smaller state, what the
// benchmark measures: the second run reports nothing, commits nothing and
// writes no byte; a run with one new invitation commits once.
// fileState is the state file's modification time and a hash of its bytes.
func fileState(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("modified %s, sha256 %x", fi.ModTime().Format(time.RFC3339Nano), sha256.Sum256(b))
}

func TestSyncSecondRunWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	pages := syncPagesData(50, 250)
	if res, _, n := syncRun(t, path, pages); n != 50*250 || res.Commits != 1 {
		t.Fatalf("first run: %d events, %d commits", n, res.Commits)
	}
	// The second run leaves the state file as it was: not one write to it
	// (its modification time would move) and the same bytes. (The
	// process's wchar, which the benchmark reports, also counts the Go
	// runtime's own 8-byte wake-ups of its poller, so it is no test.)
	before := fileState(t, path)
	res, _, n := syncRun(t, path, pages)
	if n != 0 || res.Commits != 0 || res.Accounts != 50 {
		t.Errorf("second run: %d events, %+v", n, res)
	}
	if after := fileState(t, path); after != before {
		t.Errorf("second run changed the state file: %s, was %s", after, before)
	}
	pages[7][1].Items = append(pages[7][1].Items, client.Invitation{InvitationReceived: gen.InvitationReceived{ID: "inv_new"}})
	if res, w, n := syncRun(t, path, pages); n != 1 || res.Commits != 1 || w <= 0 {
		t.Errorf("run with one new: %d events, %d commits, %d bytes", n, res.Commits, w)
	}
	if fileState(t, path) == before {
		t.Error("a run that committed left the state file as it was: fileState sees no change")
	}
}
