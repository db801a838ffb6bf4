package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const tableDate = "        - {path: date, header: DATE, width: 18}\n"

// TestCLIListOpsFromTheSpec: each list operation gets its command entry,
// with its command words, parameter roles, pager and table columns.
func TestCLIListOpsFromTheSpec(t *testing.T) {
	dir, err := runIn(t, tableDate, "        - date\n        - {path: specifics.provider, width: 9}\n")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, "internal/cli/listops_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`operationID:  "listInvitationsReceived"`,
		`command:      []string{"invitations", "received"}`,
		`cursorParam:  "cursor"`,
		`limitParam:   "limit"`,
		`newParams:    func() any { return new(client.ListParams) }`,
		`return pagerOf(c.InvitationPager(*p.(*client.ListParams), opts...))`,
		`item: reflect.TypeFor[client.Invitation]()`,
		`{path: "date", header: "DATE", width: 0}`,
		`{path: "specifics.provider", header: "PROVIDER", width: 9}`,
		`{path: "inviter.inviter_name", header: "FROM", width: 24}`,
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("listops_gen.go lacks %s:\n%s", want, src)
		}
	}
}

// TestCLITableIsOptional: without x-cli-table the entry has no table
// columns (the CLI then shows the first scalar columns).
func TestCLITableIsOptional(t *testing.T) {
	raw, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(raw), "      x-cli-table:\n")
	j := strings.Index(string(raw), "      summary: List all invitations received")
	if i < 0 || j < i {
		t.Fatal("openapi.yaml no longer holds the received listing's x-cli-table before its summary")
	}
	dir, err := runIn(t, string(raw[i:j]), "")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, "internal/cli/listops_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), "table:") {
		t.Errorf("listops_gen.go has table columns the spec does not give:\n%s", src)
	}
}

// TestCLITableFailsWithItsPlace: a table column the generator cannot
// place stops the run, naming the operation's x-cli-table.
func TestCLITableFailsWithItsPlace(t *testing.T) {
	for _, c := range []struct{ new, says string }{
		{"        - {path: when}\n", `"when" is not a property path of the item schema`},
		{"        - inviter\n", `"inviter" is an object`},
		{"        - {path: date, wide: 3}\n", `unknown key "wide"`},
		{"        - {path: date, width: 1}\n", "width 1 is not a whole number of 2 or more"},
		{"        - 7\n", "want a property path or a map"},
	} {
		err := runOn(t, tableDate, c.new)
		if err == nil || !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), "#/paths/~1users~1invite~1received/get/x-cli-table") {
			t.Errorf("%q: err %v, want one saying %q at the operation's x-cli-table", c.new, err, c.says)
		}
	}
}
