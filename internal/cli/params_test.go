package cli

import (
	"flag"
	"io"
	"reflect"
	"strings"
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
	registerParams(fs, receivedOp(t), &p, func(string) bool { return false })
	fields := reflect.VisibleFields(reflect.TypeFor[client.ListParams]())
	if len(paramFlags) != len(fields) {
		t.Fatalf("%d generated flags for %d parameters", len(paramFlags), len(fields))
	}
	for _, f := range fields {
		name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
		found := false
		for _, pf := range paramFlags {
			if _, ok := paramField(&p, pf.param); ok && pf.param == name {
				found = fs.Lookup(pf.flag) != nil
			}
		}
		if !found {
			t.Errorf("ListParams.%s (%s) has no flag", f.Name, name)
		}
	}
}
