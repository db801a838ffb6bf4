package scenariodoc

import (
	"os"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/postpresstest"
)

// README.md's scenario table is the one go generate writes.
func TestReadmeScenarioTableIsCurrent(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Update(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	if want != string(raw) {
		t.Error("README.md's scenario table is not postpresstest.Scenarios: run go generate ./...")
	}
}

// The table has a row for each scenario, naming its account and type.
func TestTableHasEveryScenario(t *testing.T) {
	list := postpresstest.Scenarios()
	table := Table(list)
	if n := strings.Count(table, "\n"); n != len(list)+2 {
		t.Errorf("%d lines for %d scenarios", n, len(list))
	}
	for _, sc := range list {
		if !strings.Contains(table, "| `"+sc.Account+"` |") || !strings.Contains(table, sc.Type) {
			t.Errorf("no row for %s", sc.Account)
		}
	}
	if _, err := Update("no markers"); err == nil {
		t.Error("Update of a README without the markers: no error")
	}
}
