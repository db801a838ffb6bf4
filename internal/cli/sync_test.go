package cli

import (
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
