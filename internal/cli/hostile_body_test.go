package cli

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/postpress/postpress-go/internal/hostile"
)

// TestHostileBodiesEndAfterOneRequest: through the CLI, with its own HTTP
// client, a gzip bomb (about 1 MB inflating to 1 GiB) and a type-mismatched
// 200 each end with exit 1 after one request, and stderr says why (the
// bound, or the JSON pointer of the misfit) and that it was one attempt.
// (Memory is measured by client's BenchmarkGzipBomb; through the CLI's
// binary, /usr/bin/time showed a max RSS of 29 MB.)
func TestHostileBodiesEndAfterOneRequest(t *testing.T) {
	bomb, bombs, _ := hostile.GzipBomb(1024)
	var mismatches atomic.Int64
	mismatch := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mismatches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"object":"InvitationList","items":[{"object":"InvitationReceived","id":42}],"cursor":null}`)
	})
	for _, c := range []struct {
		name     string
		h        http.Handler
		requests func() int
		says     string
	}{
		{"gzip bomb", bomb, bombs.Requests, "response body too large"},
		{"type mismatch", mismatch, func() int { return int(mismatches.Load()) }, "at JSON pointer /items/0/id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.h)
			t.Cleanup(srv.Close)
			env := map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL, "POSTPRESS_ACCOUNT_ID": "acc"}
			before := c.requests()
			code, _, errOut := runPlain(t, env, "invitations", "received", "--format", "ndjson")
			if code != ExitFailure || c.requests()-before != 1 {
				t.Fatalf("exit %d after %d requests; want %d after 1\n%s", code, c.requests()-before, ExitFailure, errOut)
			}
			if !strings.Contains(errOut, c.says) || !strings.Contains(errOut, "1 attempt") {
				t.Errorf("stderr does not say %q and \"1 attempt\":\n%s", c.says, errOut)
			}
		})
	}
}
