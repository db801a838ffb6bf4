package cli

import (
	"flag"
	"io"
	"testing"

	"github.com/postpress/postpress-go/client"
)

// TestEveryParameterHasAFlag: each query parameter of the generated
// ListParams has a flag on `invitations received` (generated from the
// spec, or --account-id's own), and each generated flag sets a field.
func TestEveryParameterHasAFlag(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var a accountFlags
	a.register(fs)
	var p client.ListParams
	vals := registerParams(fs, &p)
	names, fields := client.ParamFields()
	if len(paramFlags) != len(names) {
		t.Fatalf("%d generated flags for %d parameters %v", len(paramFlags), len(names), names)
	}
	for i, name := range names {
		found := false
		for _, pf := range paramFlags {
			if pf.param == name {
				found = fs.Lookup(pf.flag) != nil
			}
		}
		if !found {
			t.Errorf("ListParams.%s (%s) has no flag", fields[i], name)
		}
	}
	for _, v := range vals {
		if !v.field.IsValid() || !v.field.CanSet() {
			t.Errorf("--%s sets no field of ListParams", v.flag)
		}
	}
}
