package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runOn runs the generator on openapi.yaml with edit applied (old replaced
// by new, which must occur), writing into a scratch tree, and returns its
// error.
func runOn(t *testing.T, old, new string) error {
	t.Helper()
	_, err := runIn(t, old, new)
	return err
}

// runIn is runOn that also returns the scratch tree.
func runIn(t *testing.T, old, new string) (string, error) {
	t.Helper()
	raw, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), old) {
		t.Fatalf("openapi.yaml no longer holds %q", old)
	}
	dir := t.TempDir()
	for _, d := range []string{"client", "internal/cli"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	spec := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(spec, []byte(strings.Replace(string(raw), old, new, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, run(spec, dir)
}

func TestGeneratesFromTheSpec(t *testing.T) {
	if err := runOn(t, "openapi: 3.0.3", "openapi: 3.0.3"); err != nil {
		t.Fatal(err)
	}
}

// TestColumnsFollowTheSpecsOrder: the CSV column order is the order
// openapi.yaml declares the properties in, a nested object's properties
// right after the object.
func TestColumnsFollowTheSpecsOrder(t *testing.T) {
	const inviter = "        inviter:\n          $ref: '#/components/schemas/Inviter'\n"
	const specifics = "        specifics:\n          $ref: '#/components/schemas/Specifics'\n"
	dir, err := runIn(t, inviter+specifics, specifics+inviter)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, "internal/cli/columns_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	want := `	"invitation_text",
	"specifics",
	"specifics.provider",
	"specifics.shared_secret",
	"inviter",
	"inviter.inviter_name",
	"inviter.inviter_id",
	"inviter.inviter_public_identifier",
	"inviter.inviter_description",
}`
	if !strings.Contains(string(src), want) {
		t.Errorf("columns_gen.go does not end with\n%s\ngot:\n%s", want, src)
	}
}

// TestFailsWithTheSchemaPath: what the generator cannot turn into code
// stops go generate, naming where in the spec; nothing is skipped.
func TestFailsWithTheSchemaPath(t *testing.T) {
	for name, tc := range map[string]struct{ old, new, want string }{
		"a property gen has no field for (spec edited, gen not regenerated)": {
			"      properties:\n        inviter_name:\n",
			"      properties:\n        extra:\n          type: string\n        inviter_name:\n",
			"#/components/schemas/Inviter/properties/extra has no field in gen.Inviter",
		},
		"an error type without a description": {
			`        errors/no_channel: "No channel to client session."` + "\n",
			"",
			"x-enumDescriptions has no description for errors/no_channel",
		},
		"x-enum-varnames that do not name every value": {
			"        - MissingCredentials\n",
			"",
			"x-enum-varnames must name each of the 13 enum values",
		},
		"a limit without a default": {
			"        default: 10\n",
			"",
			"`limit` needs minimum, maximum and default",
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := runOn(t, tc.old, tc.new)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %q", err, tc.want)
			}
		})
	}
}
