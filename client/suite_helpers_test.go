package client_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/internal/contracttest"
	"github.com/postpress/postpress-go/postpresstest"
)

// canaryKey is the API key of the reliability suite: distinctive enough that
// finding it in a log line or an error string can only mean a leak.
const canaryKey = "pp_live_CANARY_7f3a9c1e5b_do_not_print"

// leakWatch captures everything a client logs (debug level and up) and every
// error string a test produced, and checks at the end of the test that the
// API key appears in none of them.
type leakWatch struct {
	key  string
	mu   sync.Mutex
	logs bytes.Buffer
	errs []string
}

// watchLeaks returns a leakWatch for key whose check runs when t ends.
func watchLeaks(t *testing.T, key string) *leakWatch {
	t.Helper()
	w := &leakWatch{key: key}
	t.Cleanup(func() { w.check(t) })
	return w
}

func (w *leakWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.logs.Write(p)
}

// logger logs every record, debug included, into w, as text and as JSON.
func (w *leakWatch) logger() *slog.Logger {
	return slog.New(teeHandler{
		slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}),
		slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}),
	})
}

// err records err in every form a caller might print it.
func (w *leakWatch) err(err error) {
	if err == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.errs = append(w.errs, err.Error(), fmt.Sprintf("%v|%+v|%s|%q|%#v", err, err, err, err, err))
}

func (w *leakWatch) check(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	logs := w.logs.String()
	if !strings.Contains(logs, `"level":"DEBUG"`) || !strings.Contains(logs, "level=DEBUG") {
		t.Errorf("leak check: no debug records captured (%d bytes of logs): the check would be vacuous", len(logs))
	}
	if strings.Contains(logs, w.key) {
		i := strings.Index(logs, w.key)
		t.Errorf("leak check: the API key appears in the logs: …%s…", logs[max(0, i-200):i])
	}
	for _, s := range w.errs {
		if strings.Contains(s, w.key) {
			t.Errorf("leak check: the API key appears in an error string: %s", strings.ReplaceAll(s, w.key, "<KEY>"))
		}
	}
	t.Logf("leak check: %d bytes of logs (%d records) and %d error strings, API key absent from all",
		len(logs), strings.Count(logs, "\n"), len(w.errs))
}

// teeHandler sends each record to all its handlers.
type teeHandler []slog.Handler

func (h teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	for _, x := range h {
		if x.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (h teeHandler) Handle(ctx context.Context, r slog.Record) error {
	for _, x := range h {
		if x.Enabled(ctx, r.Level) {
			if err := x.Handle(ctx, r.Clone()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (h teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(teeHandler, len(h))
	for i, x := range h {
		out[i] = x.WithAttrs(as)
	}
	return out
}

func (h teeHandler) WithGroup(name string) slog.Handler {
	out := make(teeHandler, len(h))
	for i, x := range h {
		out[i] = x.WithGroup(name)
	}
	return out
}

// suiteClient returns a client for srv with the canary key, fast capped
// retries, logging into w, its HTTP going through the contract-validating
// transport. opts go last and win.
func suiteClient(t *testing.T, srv *postpresstest.Server, w *leakWatch, opts ...client.Option) *client.Client {
	t.Helper()
	base := []client.Option{
		client.WithBaseURL(srv.URL),
		client.WithAPIKey(canaryKey),
		client.WithHTTPClient(contracttest.NewClient(t, nil)),
		client.WithBackoff(time.Millisecond),
		client.WithMaxRetryDelay(20 * time.Millisecond),
		client.WithLogger(w.logger()),
	}
	c, err := client.New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// listIDs runs a listing to its end or first error, returning the ids
// delivered.
func listIDs(ctx context.Context, c *client.Client, p client.ListParams) ([]string, error) {
	var ids []string
	for inv, err := range c.Invitations(ctx, p) {
		if err != nil {
			return ids, err
		}
		ids = append(ids, inv.ID)
	}
	return ids, nil
}

// serverIDs returns the ids the fake serves for account, in its order.
func serverIDs(srv *postpresstest.Server, account string) []string {
	var ids []string
	for _, inv := range srv.Items(account) {
		ids = append(ids, inv.ID)
	}
	return ids
}

// checkSameIDs fails t unless got is exactly want: same ids, same order,
// none twice.
func checkSameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	seen := make(map[string]int, len(got))
	for i, id := range got {
		if j, dup := seen[id]; dup {
			t.Errorf("%s: id %s delivered twice (positions %d and %d)", what, id, j, i)
			return
		}
		seen[id] = i
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d ids, want %d", what, len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Errorf("%s: position %d is %s, want %s (order differs from the server's)", what, i, got[i], want[i])
			return
		}
	}
}

// requestFigures counts the fake's requests: with no fault applied, and
// with a fault, by the fault's name.
func requestFigures(reqs []postpresstest.Request) (clean int, faults map[string]int) {
	faults = map[string]int{}
	for _, r := range reqs {
		if r.Fault == "" {
			clean++
		} else {
			faults[r.Fault]++
		}
	}
	return clean, faults
}

// formatCounts prints a count map in key order.
func formatCounts(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// sum adds up the counts of m.
func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
