package contract_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
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
// (its disagreements must be the ones listed in its .want file, but for the
// lists of the spec's own values, which a spec edit may lengthen) and every conforming 200
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
		fixtures, err := loadFixtures(filepath.Join(fixtureRoot, dir))
		if err != nil {
			t.Fatal(err)
		}
		if len(fixtures) == 0 {
			t.Fatalf("no fixtures in testdata/contract/%s", dir)
		}
		for _, f := range fixtures {
			total++
			ex := f.Exchange()
			if got := contract.WantText(v.Check(ex).Disagreements); withoutSpecLists(got) != withoutSpecLists(f.Want) {
				t.Errorf("%s: the validator finds\n%s\nits .want lists\n%s", f.Name, got, f.Want)
			}
			if f.Status != http.StatusOK || f.Want != "" {
				continue
			}
			if err := clientDecode(t, ex); err != nil {
				t.Errorf("%s: the client refuses a body that conforms: %v", f.Name, err)
			}
		}
	}
	t.Logf("%d fixtures replayed", total)
}

// specLists are the lists of the spec's own values a .want quotes (an
// enum's values, the documented statuses or error types).
var specLists = regexp.MustCompile(`allowed values \[[^\]]*\]|spec: one of [^;]*;`)

// withoutSpecLists is want with those lists elided, so that a fixture
// recorded before the spec gained a value still replays: the place, the
// rule and the value got are what it pins.
func withoutSpecLists(want string) string {
	return specLists.ReplaceAllString(want, "<the spec's list>")
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
	_, err = c.InvitationPager(client.ListParams{AccountID: "acc"}, client.WithPrefetch(false)).NextPage(context.Background())
	return err
}

// fixture is a recorded exchange with its file name and its .want.
type fixture struct {
	*contract.Fixture
	Name, Want string
}

// loadFixtures reads every NNN.json in dir, in name order, each with the
// text of its NNN.want (a missing .want is an error: every fixture lists
// what it expects).
func loadFixtures(dir string) ([]fixture, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	slices.Sort(paths)
	var out []fixture
	for _, p := range paths {
		f := fixture{Fixture: &contract.Fixture{}, Name: p}
		b, err := os.ReadFile(p)
		if err == nil {
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			err = dec.Decode(f.Fixture)
		}
		want, werr := os.ReadFile(strings.TrimSuffix(p, ".json") + ".want")
		if err = cmp.Or(err, werr); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		f.Want = string(want)
		out = append(out, f)
	}
	return out, err
}
