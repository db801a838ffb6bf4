package cli

import (
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
)

// The PostgreSQL flags need a postgres:// state; a URL that cannot be
// reached is a clear error that keeps the password out.
func TestSyncStoreFlags(t *testing.T) {
	state := filepath.Join(t.TempDir(), "S")
	for _, flag := range [][]string{{"--lease", "5s"}, {"--into-table", "inv"}} {
		args := append([]string{"invitations", "sync", "--sandbox", "--state", state}, flag...)
		code, out, errOut := run(t, nil, args...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, flag[0]+" needs a postgres:// --state") {
			t.Errorf("%s with a file state: exit %d, stdout %q, stderr %q", flag[0], code, out, errOut)
		}
	}
	url := "postgres://u:pw-s3cret@127.0.0.1:1/db?sslmode=disable&connect_timeout=2"
	code, out, errOut := run(t, nil, "invitations", "sync", "--sandbox", "--state", url)
	if code != ExitFailure || out != "" || !strings.Contains(errOut, "state database postgres://u@127.0.0.1:1/db") || strings.Contains(errOut, "pw-s3cret") {
		t.Errorf("unreachable database: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// A sync with --removed writes the same CSV header with rows and without:
// runs appended to one file share one shape.
func TestSyncCSVHeaderIsTheSameWithAndWithoutRows(t *testing.T) {
	state := filepath.Join(t.TempDir(), "S")
	for _, args := range [][]string{
		{"--removed"},
		{"--removed", "--account-id", "a", "--account-id", "b"},
		{"--account-id", "a", "--account-id", "b"},
		{},
	} {
		state := state + strings.Join(args, "")
		args = append([]string{"invitations", "sync", "--sandbox", "--state", state, "--format", "csv"}, args...)
		_, first, _ := run(t, nil, args...)
		code, second, errOut := run(t, nil, args...)
		if code != ExitOK {
			t.Fatalf("%q: exit %d %s", args, code, errOut)
		}
		h1, _, _ := strings.Cut(first, "\n")
		if second != h1+"\n" {
			t.Errorf("%q: the run with no rows wrote %q, the first run's header is %q", args, second, h1)
		}
		if rows, err := csv.NewReader(strings.NewReader(first)).ReadAll(); err != nil || len(rows) < 2 {
			t.Errorf("%q: the first run's rows do not fit its header (or there are none): %v", args, err)
		}
	}
}
