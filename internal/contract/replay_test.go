package contract_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/internal/contract"
)

// fixtureRoot holds the recorded exchanges, a directory per recording:
// every one is replayed. sandbox/ (recorded from `postpress sandbox` with
// `contract check --record`) and drift/ (from the drifting server of
// internal/cli's tests) must be there.
var fixtureRoot = filepath.Join("..", "..", "testdata", "contract")

// TestFixturesReplay replays every committed fixture through the validator
// (its disagreements must be the ones listed in its .want file: a change
// of the spec shows as a changed expectation) and every conforming 200
// fixture through the client, which must decode it.
func TestFixturesReplay(t *testing.T) {
	v, err := contract.New()
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
		names, fixtures, wants, err := contract.LoadFixtures(filepath.Join(fixtureRoot, dir))
		if err != nil {
			t.Fatal(err)
		}
		if len(fixtures) == 0 {
			t.Fatalf("no fixtures in testdata/contract/%s", dir)
		}
		for i, f := range fixtures {
			total++
			ex := f.Exchange()
			if got := contract.WantText(v.Check(ex).Disagreements); got != wants[i] {
				t.Errorf("%s: the checker finds\n%s\nits .want lists\n%s", names[i], got, wants[i])
			}
			if f.Status != http.StatusOK || wants[i] != "" {
				continue
			}
			if err := clientDecode(t, ex); err != nil {
				t.Errorf("%s: the client refuses a body that conforms: %v", names[i], err)
			}
		}
	}
	t.Logf("%d fixtures replayed", total)
}

// clientDecode is the client's decoding of a 200 body, through its public
// API: a one-page listing from a server that answers with the body.
func clientDecode(t *testing.T, ex *contract.Exchange) error {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ex.Header.Get("Content-Type"))
		_, _ = w.Write(ex.Body)
	}))
	defer srv.Close()
	c, err := client.New(client.WithAPIKey("k"), client.WithBaseURL(srv.URL), client.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListReceivedInvitations(context.Background(), client.ListParams{AccountID: "acc"})
	return err
}
