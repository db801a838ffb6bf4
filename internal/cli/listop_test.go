package cli

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/gen/spec"
)

// receivedOp is the received invitations' listing, which most tests run.
func receivedOp(t *testing.T) *listOp {
	t.Helper()
	op := findOp("listInvitationsReceived")
	if op == nil {
		t.Fatal("no listInvitationsReceived in listOps: run go generate ./...")
	}
	return op
}

// TestEveryListOperationHasACommand: each operation of the embedded spec
// that carries x-speakeasy-pagination has an entry in listOps, and so a
// command of its x-cli-command words that answers -h; listOps holds no
// operation the spec lacks. A list operation added to openapi.yaml fails
// here until `go generate ./...` gives it its command.
func TestEveryListOperationHasACommand(t *testing.T) {
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for path, item := range doc.Paths.Map() {
		for method, o := range item.Operations() {
			if _, ok := o.Extensions["x-speakeasy-pagination"]; !ok {
				continue
			}
			n++
			op := findOp(o.OperationID)
			if op == nil {
				t.Errorf("%s %s (%s) has no entry in listOps: run go generate ./...", method, path, o.OperationID)
				continue
			}
			if op.path != path {
				t.Errorf("%s: path %s, the spec's is %s", o.OperationID, op.path, path)
			}
			if words, ok := o.Extensions["x-cli-command"].(string); ok && op.name() != strings.Join(strings.Fields(words), " ") {
				t.Errorf("%s: command %q, x-cli-command is %q", o.OperationID, op.name(), words)
			}
			var out, errOut bytes.Buffer
			code := Run(context.Background(), Env{Args: append(slices.Clone(op.command), "-h"), Stdout: &out, Stderr: &errOut})
			if code != ExitOK || !strings.Contains(errOut.String(), "Usage: postpress "+op.name()+" [flags]") {
				t.Errorf("postpress %s -h: exit %d\n%s", op.name(), code, errOut.String())
			}
			if !strings.Contains(usage(), "postpress "+op.name()+" ") {
				t.Errorf("the usage does not list postpress %s", op.name())
			}
		}
	}
	if n != len(listOps) {
		t.Errorf("the spec has %d list operations, listOps %d: run go generate ./...", n, len(listOps))
	}
}

// TestOperationsAreFoundByIDAndWords: --operation names an operation by
// its operationId or its command's words.
func TestOperationsAreFoundByIDAndWords(t *testing.T) {
	for _, op := range listOps {
		if findOp(op.operationID) != op || findOp(op.name()) != op || findOp(" "+strings.Join(op.command, "  ")) != op {
			t.Errorf("%s is not found by its id and its words %q", op.operationID, op.name())
		}
		if got, rest := opOf(append(slices.Clone(op.command), "--x")); got != op || !slices.Equal(rest, []string{"--x"}) {
			t.Errorf("opOf(%v) = %v, %v", op.command, got, rest)
		}
	}
	if findOp("nothing") != nil {
		t.Error("findOp found an operation for a name that is none")
	}
}

// TestTableFallsBackToTheFirstScalarColumns: an operation without
// x-cli-table shows its first scalar columns, headed by their names in
// capitals.
func TestTableFallsBackToTheFirstScalarColumns(t *testing.T) {
	op := *receivedOp(t)
	op.table = nil
	cols := op.tableColumns()
	if len(cols) != fallbackColumns {
		t.Fatalf("%d columns, want %d", len(cols), fallbackColumns)
	}
	var want []string
	for _, c := range op.columns()[:fallbackColumns] {
		want = append(want, c.path)
	}
	for i, c := range cols {
		if c.path != want[i] || c.header != strings.ToUpper(op.columns()[i].name) {
			t.Errorf("column %d = %+v, want %s", i, c, want[i])
		}
	}
}

// minPageSize is the received listing's smallest page size (its limit's
// minimum).
func minPageSize(t *testing.T) int {
	t.Helper()
	op := receivedOp(t)
	r := op.rules[op.limitParam]
	if r.Min == nil {
		t.Fatal("the received listing's page size has no minimum")
	}
	return int(*r.Min)
}
