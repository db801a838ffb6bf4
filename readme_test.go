package postpress_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postpress/postpress-go/postpresstest"
)

// The README's program, run as a user would after pasting `postpress
// sandbox`'s export lines, prints each invitation's date and its sender:
// different senders, not the account's owner on every row.
func TestReadmeProgramPrintsTheInviters(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```go\npackage main\n")
	program, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no ```go block with package main")
	}
	dir, err := os.MkdirTemp(".", ".readme-program-") // inside the module, for its imports
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"+program), 0o600); err != nil {
		t.Fatal(err)
	}

	fake := postpresstest.NewFake(postpresstest.WithAnyAPIKey(), postpresstest.WithAnyAccount(25), postpresstest.WithLenientCursors())
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "./"+filepath.Base(dir))
	cmd.Env = append(os.Environ(), "GOFLAGS=",
		"POSTPRESS_BASE_URL="+srv.URL+postpresstest.BasePath, "POSTPRESS_API_KEY=pp_sandbox", "POSTPRESS_ACCOUNT_ID=acc_sandbox")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run of the README's program: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	items := fake.Items("acc_sandbox")
	if len(lines) != len(items) {
		t.Fatalf("%d lines for %d invitations:\n%s", len(lines), len(items), out)
	}
	senders := map[string]bool{}
	for i, line := range lines {
		inv := items[i]
		if want := inv.Date + " " + inv.Inviter.InviterName; line != want {
			t.Errorf("line %d: %q, want %q", i, line, want)
		}
		senders[inv.Inviter.InviterName] = true
		if inv.InvitedUser != inv.Inviter.InviterName && strings.Contains(line, inv.InvitedUser) {
			t.Errorf("line %d shows the account's owner %q", i, inv.InvitedUser)
		}
	}
	if len(senders) < 2 {
		t.Errorf("one sender on every line: %v", senders)
	}
}
