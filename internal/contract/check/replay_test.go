package check_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/contract/check"
)

// fixtureRoot holds the recorded exchanges, a directory per recording:
// every one is replayed. sandbox/ (recorded from `postpress sandbox` with
// `contract check --record`) and drift/ (from the drifting server of
// internal/cli's tests) must be there.
var fixtureRoot = filepath.Join("..", "..", "..", "testdata", "contract")

// TestFixturesReplay replays every committed fixture through the checker
// (its disagreements must be the ones listed in its .want file: a change
// of the spec shows as a changed expectation) and every 200 fixture
// through the client's decoding (equal to encoding/json on the generated
// types, no documented member dropped).
func TestFixturesReplay(t *testing.T) {
	chk, err := check.New()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if !slices.Contains(dirs, "sandbox") || !slices.Contains(dirs, "drift") {
		t.Fatalf("testdata/contract holds %v; want sandbox and drift among them", dirs)
	}
	total := 0
	for _, dir := range dirs {
		names, fixtures, wants, err := check.LoadFixtures(filepath.Join(fixtureRoot, dir))
		if err != nil {
			t.Fatal(err)
		}
		if len(fixtures) == 0 {
			t.Fatalf("no fixtures in testdata/contract/%s", dir)
		}
		for i, f := range fixtures {
			total++
			ex := f.Exchange()
			if got := check.WantText(chk.Check(ex).Disagreements); got != wants[i] {
				t.Errorf("%s: the checker finds\n%s\nits .want lists\n%s", names[i], got, wants[i])
			}
			if f.Status != http.StatusOK {
				continue
			}
			got, decErr := clientDecode(t, ex)
			if ds := chk.Decoding(ex, got, decErr); len(ds) > 0 {
				t.Errorf("%s: the client's decoding disagrees:\n%s", names[i], check.WantText(ds))
			}
		}
	}
	t.Logf("%d fixtures replayed", total)
}

// clientDecode is the client's decoding of a 200 body, through its public
// API: a one-page listing from a server that answers with the body.
func clientDecode(t *testing.T, ex *check.Exchange) (*gen.InvitationList, error) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ex.Header.Get("Content-Type"))
		_, _ = w.Write(ex.Body)
	}))
	defer srv.Close()
	c, err := client.New(client.WithAPIKey("k"), client.WithBaseURL(srv.URL), client.WithMaxRetries(0), client.WithPrefetch(false))
	if err != nil {
		t.Fatal(err)
	}
	p := c.NewPager(client.ListParams{AccountID: "acc"})
	defer p.Close()
	page, err := p.NextPage(context.Background())
	if err != nil {
		if !errors.Is(err, client.ErrMalformedResponse) {
			t.Fatalf("client: %v", err)
		}
		return nil, err
	}
	l := &gen.InvitationList{}
	for _, inv := range page.Items {
		l.Items = append(l.Items, inv.InvitationReceived)
	}
	if page.NextCursor != "" {
		l.Cursor = &page.NextCursor
	}
	return l, nil
}
