package cli

import (
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
