package cli

import (
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
)

// TestEveryParameterHasAFlag: each query parameter of each list
// operation's parameters has a flag on its listing command (generated from
// the spec, or --account-id's own), each generated flag sets a field, and
// a parameter has one flag whatever the operations that share it.
func TestEveryParameterHasAFlag(t *testing.T) {
	seen := map[string]bool{}
	for _, pf := range paramFlags {
		if seen[pf.param] {
			t.Errorf("parameter %s has two flags in paramFlags", pf.param)
		}
		seen[pf.param] = true
	}
	for _, op := range listOps {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var a accountFlags
		a.register(fs)
		p := op.newParams()
		registerParams(fs, op, p, func(string) bool { return false })
		for _, f := range reflect.VisibleFields(reflect.TypeOf(p).Elem()) {
			name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
			found := false
			for _, pf := range paramFlags {
				if _, ok := paramField(p, pf.param); ok && pf.param == name {
					found = fs.Lookup(pf.flag) != nil
				}
			}
			if !found {
				t.Errorf("%s: parameter %s (%s) has no flag", op.operationID, f.Name, name)
			}
		}
	}
}
