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
	for _, d := range []string{"client", "internal/cli", "internal/errtable", "postpresstest", "gen"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The fake's methods are generated from gen as oapi-codegen wrote it.
	genSrc, err := os.ReadFile("../../gen/gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gen/gen.go"), genSrc, 0o600); err != nil {
		t.Fatal(err)
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
	src, err := os.ReadFile(filepath.Join(dir, "internal/cli/listops_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	// In this order (other properties, the spec's own or added later, may
	// come between them).
	want := []string{`"invitation_text",`, `"specifics",`, `"specifics.provider",`, `"specifics.shared_secret",`,
		`"inviter",`, `"inviter.inviter_name",`, `"inviter.inviter_id",`, `"inviter.inviter_public_identifier",`, `"inviter.inviter_description",`}
	rest := string(src)
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("listops_gen.go lacks %s after the columns before it, in the order %v:\n%s", w, want, src)
		}
		rest = rest[i+len(w):]
	}
}

// TestFailsWithTheSchemaPath: what the generator cannot turn into code
// stops go generate, naming where in the spec; nothing is skipped.
func TestFailsWithTheSchemaPath(t *testing.T) {
	for name, tc := range map[string]struct{ old, new, want string }{
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
		"a query parameter that is not a scalar": {
			"      schema:\n        type: string\n        minLength: 1\n      example: eyJvIjoxMH0\n",
			"      schema:\n        type: array\n        items:\n          type: string\n      example: [eyJvIjoxMH0]\n",
			`x-speakeasy-pagination: input "cursor": the cursor parameter must be a string`,
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

// TestRetryDecisionComesFromTheSpec: the error table's decision is the
// status's (x-retryable-statuses) unless x-retryable says otherwise, and a
// decision the generator cannot read fails the run with its place.
func TestRetryDecisionComesFromTheSpec(t *testing.T) {
	const statuses = "x-retryable-statuses: [429, 500, 502, 503, 504]"
	const override = "        errors/authentication_intent_error: false\n"
	dir, err := runIn(t, statuses, "x-retryable-statuses: [401, 429, 500, 502, 503, 504]")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, "internal/errtable/errtable_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`{Value: "errors/expired_credentials", Status: 401, Description: "Credentials have expired. Reconnect the account.", Retryable: true}`,
		`Status: 500, Description: "The current authentication intent was killed after failure.", Retryable: false}`,
		"var RetryableStatuses = []int{401, 429, 500, 502, 503, 504}",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("errtable_gen.go lacks %s", want)
		}
	}
	for _, c := range []struct{ old, new, says string }{
		{statuses, "x-no-retry-statuses: []", "#/x-retryable-statuses"},
		{statuses, "x-retryable-statuses: [429, fast]", "#/x-retryable-statuses"},
		{override, "        errors/not_listed: false\n", "x-retryable names errors/not_listed"},
		{override, "        errors/authentication_intent_error: never\n", "must be true or false"},
	} {
		if err := runOn(t, c.old, c.new); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%q: err %v, want one saying %q", c.new, err, c.says)
		}
	}
}

// TestCLIFlagsFromTheSpec: each query parameter gets a flag, named by its
// x-cli-flag or else by its name with dashes.
func TestCLIFlagsFromTheSpec(t *testing.T) {
	dir, err := runIn(t, "      x-cli-flag: page-size\n", "      x-cli-flag: per-page\n")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, "internal/cli/params_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`{param: "limit", flag: "per-page"`, `{param: "account_id", flag: "account-id"`, `{param: "cursor", flag: "cursor"`} {
		if !strings.Contains(string(src), want) {
			t.Errorf("params_gen.go lacks %s:\n%s", want, src)
		}
	}
}
