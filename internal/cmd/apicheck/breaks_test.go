package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// oasdiffReport is `oasdiff breaking --format json` for a spec where the query
// parameter account_id became account_ident and invited_user was removed
// (trimmed to the fields apicheck reads), plus a WARN-level change.
const oasdiffReport = `[
 {"id":"new-required-request-parameter","text":"added the new required ` + "`query`" + ` request parameter ` + "`account_ident`" + `","level":3,"operation":"GET","operationId":"listInvitationsReceived","path":"/users/invite/received","section":"paths"},
 {"id":"request-parameter-removed","text":"deleted the ` + "`query`" + ` request parameter ` + "`account_id`" + `","level":3,"operation":"GET","path":"/users/invite/received"},
 {"id":"response-required-property-removed","text":"removed the required property ` + "`items/items/invited_user`" + ` from the response with the ` + "`200`" + ` status","level":3,"operation":"GET","path":"/users/invite/received"},
 {"id":"response-property-enum-value-added","text":"added the new ` + "`errors/x`" + ` enum value to the ` + "`type`" + ` response property for the response status ` + "`403`" + `","level":2,"operation":"GET","path":"/users/invite/received"},
 {"id":"api-path-removed-without-deprecation","text":"api path removed without deprecation","level":3,"operation":"GET","path":"/users/invite/sent"}
]`

// apidiffReport is `apidiff -m OLD NEW` output.
const apidiffReport = `Incompatible changes:
- ./client.(*Pager).Close: removed
- ./client.Probe.N: changed from int to string
- ./client.ProbeRemoved: removed
- ./client.Version: value changed from "0.1.0" to "0.2.0"
- ./gen.GetSwagger: removed
- package github.com/postpress/postpress-go/probe: removed
Compatible changes:
- ./client.ProbeAdded: added
- ./spec.GetSwagger: added
`

func subjects(bs []breakage) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.subject)
	}
	return out
}

func TestParseOasdiffSubjects(t *testing.T) {
	bs, err := parseOasdiff([]byte(oasdiffReport))
	if err != nil {
		t.Fatal(err)
	}
	// The WARN change is compatible; the parameter's location is skipped;
	// a change that names nothing is about its path.
	want := []string{"account_ident", "account_id", "items/items/invited_user", "/users/invite/sent"}
	if got := subjects(bs); !slices.Equal(got, want) {
		t.Errorf("subjects = %q, want %q", got, want)
	}
}

func TestOasdiffSubject(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"the response property `cursor` became not nullable for the status `200`", "cursor"},
		{"removed the `errors/resource_access_restricted` enum value from the `type` response property for the response status `403`", "errors/resource_access_restricted"},
		{"for the `query` request parameter `limit`, the type was changed from `integer` to `string`", "limit"},
		{"the `path` request parameter `id` became required", "id"},
		{"removed the success response with the status `200`", "200"},
		// A property called "path" is a subject, not a location.
		{"the response property `path` became not nullable for the status `200`", "path"},
		{"api path removed without deprecation", ""},
	} {
		if got := oasdiffSubject(tc.text); got != tc.want {
			t.Errorf("oasdiffSubject(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestParseApidiff(t *testing.T) {
	bs, err := parseApidiff(strings.NewReader(apidiffReport))
	if err != nil {
		t.Fatal(err)
	}
	// client.Version's value is the release itself; compatible changes are
	// not breaks.
	want := []string{"client.Pager.Close", "client.Probe.N", "client.ProbeRemoved", "gen.GetSwagger", "github.com/postpress/postpress-go/probe"}
	if got := subjects(bs); !slices.Equal(got, want) {
		t.Errorf("subjects = %q, want %q", got, want)
	}
}

func TestReportsThatAreNotReports(t *testing.T) {
	if _, err := parseApidiff(strings.NewReader("- ./client.X: removed\n")); err == nil {
		t.Error("apidiff: a change line before any header was accepted")
	}
	if _, err := parseApidiff(strings.NewReader("Incompatible changes:\nerror: cannot load\n")); err == nil {
		t.Error("apidiff: a line that is not a change was accepted")
	}
	if _, err := parseOasdiff([]byte(`{"error":"x"}`)); err == nil {
		t.Error("oasdiff: an object was accepted")
	}
	if _, err := parseOasdiff([]byte(`[{"text":"no id or level"}]`)); err == nil {
		t.Error("oasdiff: a change without id and level was accepted")
	}
	if bs, err := parseOasdiff([]byte("[]\n")); err != nil || len(bs) != 0 {
		t.Errorf("oasdiff: no changes: %v, %v", bs, err)
	}
	if bs, err := parseApidiff(strings.NewReader("")); err != nil || len(bs) != 0 {
		t.Errorf("apidiff: no changes: %v, %v", bs, err)
	}
}

// TestMatch is the matching rule: an entry admits the breaks it names, and
// only those.
func TestMatch(t *testing.T) {
	oas, err := parseOasdiff([]byte(oasdiffReport))
	if err != nil {
		t.Fatal(err)
	}
	api, err := parseApidiff(strings.NewReader(apidiffReport))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		entries    []string
		breaks     []breakage
		unrecorded []string
	}{
		{"no entry", nil, oas, []string{"account_ident", "account_id", "items/items/invited_user", "/users/invite/sent"}},
		{"an entry naming A does not admit B", []string{"`cursor` is no longer nullable"}, oas[1:2], []string{"account_id"}},
		{"an entry naming B admits B", []string{"the query parameter `account_id` is gone"}, oas[1:2], nil},
		{"unnamed words do not count", []string{"account_id is gone (not in backticks)"}, oas[1:2], []string{"account_id"}},
		{"a rename needs both names", []string{"`account_id` is renamed"}, oas[:2], []string{"account_ident"}},
		{"a rename entry naming both", []string{"query parameter `account_id` is now `account_ident`"}, oas[:2], nil},
		{"a location alone names no parameter", []string{"a `query` parameter changed"}, oas[:2], []string{"account_ident", "account_id"}},
		{"a property by its last part", []string{"`invited_user` is gone"}, oas[2:3], nil},
		{"a property by its full path", []string{"`items/items/invited_user` is gone"}, oas[2:3], nil},
		{"a status admits no property", []string{"the `200` response changed"}, oas[2:3], []string{"items/items/invited_user"}},
		{"a path by its path", []string{"`/users/invite/sent` is gone"}, oas[3:], nil},
		{"a path by its operation", []string{"`GET /users/invite/sent` is gone"}, oas[3:], nil},
		{"another path does not admit it", []string{"`/users/invite/received` changed"}, oas[3:], []string{"/users/invite/sent"}},

		{"a moved Go identifier", []string{"`gen.GetSwagger` moved to package `spec`; call `spec.GetSwagger`."}, api[3:4], nil},
		{"the package alone admits no identifier", []string{"package `gen` lost its spec"}, api[3:4], []string{"gen.GetSwagger"}},
		{"a type admits its fields", []string{"`client.Probe` is now a string"}, api[1:2], nil},
		{"a name admits no longer name it prefixes", []string{"`client.Probe` changed"}, api[2:3], []string{"client.ProbeRemoved"}},
		{"a field does not admit its sibling", []string{"`client.Probe.M` changed"}, api[1:2], []string{"client.Probe.N"}},
		{"a method, written with its receiver", []string{"`(*client.Pager).Close` is gone"}, api[0:1], nil},
		{"a method, as apidiff writes it", []string{"`./client.(*Pager).Close` is gone"}, api[0:1], nil},
		{"a removed package by its path", []string{"package `probe` is gone"}, api[4:], nil},
		{"a removed package by its import path", []string{"`github.com/postpress/postpress-go/probe` is gone"}, api[4:], nil},
		{"a package name that is not its last element", []string{"`postpress-go` is gone"}, api[4:], []string{"github.com/postpress/postpress-go/probe"}},
		{"a compatible change needs no entry", nil, nil, nil},
		{"entries continue over lines", []string{"`client.ProbeRemoved` and\n  `gen.GetSwagger` went"}, api[2:4], nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := "## [Unreleased]\n\n### Breaking\n\n"
			for _, e := range tc.entries {
				text += "- " + e + "\n"
			}
			cl, err := parseChangelog(text)
			if err != nil {
				t.Fatal(err)
			}
			v := match(cl.find(unreleased).breaking, tc.breaks)
			if got := subjects(v.unrecorded); !slices.Equal(got, tc.unrecorded) {
				t.Errorf("unrecorded = %q, want %q", got, tc.unrecorded)
			}
			if len(v.admitted)+len(v.unrecorded) != len(tc.breaks) {
				t.Errorf("%d admitted + %d unrecorded, want %d breaks", len(v.admitted), len(v.unrecorded), len(tc.breaks))
			}
		})
	}
}

// TestOnlyUnreleasedBreakingEntriesCount runs the whole command: entries
// outside ## [Unreleased] / ### Breaking admit nothing.
func TestOnlyUnreleasedBreakingEntriesCount(t *testing.T) {
	dir := t.TempDir()
	report := writeFile(t, dir, "report.json", `[{"id":"request-parameter-removed","text":"deleted the `+"`query`"+` request parameter `+"`account_id`"+`","level":3,"operation":"GET","path":"/p"}]`)
	for _, tc := range []struct {
		name, changelog string
		want            int
	}{
		{"recorded", "## [Unreleased]\n### Breaking\n- `account_id` is gone\n## [0.1.0] - 2026-01-01\n", 0},
		{"under Changed", "## [Unreleased]\n### Changed\n- `account_id` is gone\n", 3},
		{"an empty Breaking", "## [Unreleased]\n### Breaking\n### Added\n- `account_id` is gone\n", 3},
		{"released already", "## [Unreleased]\n### Added\n- x\n## [0.1.0] - 2026-01-01\n### Breaking\n- `account_id` is gone\n", 3},
		{"in the preamble", "# Changelog\n- `account_id` is gone\n## [Unreleased]\n### Breaking\n- `limit` changed\n", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := writeFile(t, dir, "CHANGELOG.md", tc.changelog)
			var out, errOut bytes.Buffer
			got := run([]string{"breaks", "-label", "spec-diff", "-oasdiff", report, "-changelog", cl}, &out, &errOut)
			if got != tc.want {
				t.Errorf("exit %d, want %d\n%s%s", got, tc.want, out.String(), errOut.String())
			}
			if tc.want == 3 && !strings.Contains(out.String(), "- `account_id`: deleted the `query` request parameter `account_id` (GET /p)") {
				t.Errorf("no suggested entry naming account_id:\n%s", out.String())
			}
		})
	}
}
