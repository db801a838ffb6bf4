package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/postpresstest"
)

// --scenarios prints every scenario of the list, with its status, and
// exits without serving.
func TestSandboxPrintsTheScenarios(t *testing.T) {
	code, out, errOut := run(t, nil, "sandbox", "--scenarios")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	list := postpresstest.Scenarios()
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != len(list)+1 {
		t.Fatalf("%d lines for %d scenarios:\n%s", len(lines), len(list), out)
	}
	for _, sc := range list {
		if !strings.Contains(out, sc.Account) || (sc.Type != "" && !strings.Contains(out, sc.Type)) {
			t.Errorf("%s (%s) missing:\n%s", sc.Account, sc.Type, out)
		}
	}
}

// A live-shaped sandbox: an ndjson export keeps the members the docs do
// not list, and contract check names each of them.
func TestLiveShapedSandboxExportAndContractCheck(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, Env{Args: []string{"sandbox", "--addr", "127.0.0.1:0", "--items", "12", "--live-shaped"},
			Stdout: &out, Stderr: &errOut, Ready: func(u string) { ready <- u }})
	}()
	var base string
	select {
	case base = <-ready:
	case code := <-done:
		t.Fatalf("sandbox exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), postpresstest.ScenariosPath) || !strings.Contains(out.String(), "--scenarios") {
		t.Errorf("the sandbox does not say where its scenarios are:\n%s", out.String())
	}
	vars := map[string]string{"POSTPRESS_BASE_URL": base, "POSTPRESS_API_KEY": sandboxKey, "POSTPRESS_ACCOUNT_ID": sandboxAccount}
	code, rows, stderr := runWith(t, nil, vars, "invitations", "received", "--format", "ndjson")
	if code != ExitOK || strings.Count(rows, "\n") != 12 {
		t.Fatalf("export: exit %d, %d rows, %s", code, strings.Count(rows, "\n"), stderr)
	}
	members := postpresstest.LiveExtraMembers()
	for _, m := range members {
		if strings.Count(rows, `"`+m+`":`) != 12 {
			t.Errorf("export: %d rows carry %s, want 12", strings.Count(rows, `"`+m+`":`), m)
		}
	}
	code, report, stderr := runWith(t, nil, vars, "contract", "check", "--account-id", sandboxAccount, "--pages", "1")
	if code == ExitUsage {
		t.Fatalf("contract check: exit %d: %s", code, stderr)
	}
	for _, m := range members {
		if !strings.Contains(report+stderr, m) {
			t.Errorf("contract check does not name %s:\n%s\n%s", m, report, stderr)
		}
	}
	cancel()
	<-done
}
