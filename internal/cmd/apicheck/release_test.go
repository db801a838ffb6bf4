package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBreakingBump(t *testing.T) {
	for _, tc := range []struct {
		prev, next string
		want       bool
	}{
		{"0.1.0", "0.2.0", true},
		{"0.1.0", "0.1.1", false},
		{"0.9.3", "1.0.0", true},
		{"1.2.0", "1.3.0", false},
		{"1.2.0", "2.0.0", true},
		{"2.0.0", "2.0.1", false},
	} {
		p, _ := parseVersion(tc.prev)
		n, _ := parseVersion(tc.next)
		if got := breakingBump(p, n); got != tc.want {
			t.Errorf("breakingBump(%s, %s) = %v, want %v", tc.prev, tc.next, got, tc.want)
		}
	}
}

func TestParseChangelogErrors(t *testing.T) {
	for _, text := range []string{
		"## Unreleased\n",
		"## [Unreleased] - 2026-01-01\n",
		"## [0.1.0]\n",
		"## [v0.1.0] - 2026-01-01\n",
		"## [0.1] - 2026-01-01\n",
	} {
		if _, err := parseChangelog(text); err == nil {
			t.Errorf("parseChangelog(%q) accepted it", text)
		}
	}
}

// TestCheckVersion is the version rule on trees of version, changelog,
// snapshots, module path and HEAD's tags.
func TestCheckVersion(t *testing.T) {
	const mod = "github.com/postpress/postpress-go"
	for _, tc := range []struct {
		name      string
		version   string
		changelog string
		snapshots []string
		module    string
		tags      []string
		want      string // a fragment of the first problem; "" for none
	}{
		{"before the first release", "0.1.0", "## [Unreleased]\n### Added\n- x\n", nil, mod, nil, ""},
		{"released", "0.1.0", "## [Unreleased]\n## [0.1.0] - 2026-01-01\n- x\n", []string{"0.1.0"}, mod, []string{"v0.1.0", "other"}, ""},
		{"not X.Y.Z", "0.1", "## [Unreleased]\n", nil, mod, nil, "not a release version"},
		{"Unreleased not first", "0.1.0", "## [0.1.0] - 2026-01-01\n## [Unreleased]\n", []string{"0.1.0"}, mod, nil, "first section"},
		{"changelog ahead of the constant", "0.1.0", "## [Unreleased]\n## [0.2.0] - 2026-02-01\n## [0.1.0] - 2026-01-01\n", []string{"0.1.0", "0.2.0"}, mod, nil, "the latest release in CHANGELOG.md is 0.2.0"},
		{"snapshot missing", "0.1.0", "## [Unreleased]\n## [0.1.0] - 2026-01-01\n", nil, mod, nil, "api/v0.1.0/ is missing"},
		{"snapshot without a release", "0.1.0", "## [Unreleased]\n", []string{"0.1.0"}, mod, nil, "no released section"},
		{"stray snapshot", "0.2.0", "## [Unreleased]\n## [0.2.0] - 2026-02-01\n", []string{"0.2.0", "0.1.5"}, mod, nil, "api/v0.1.5/ is not a released section"},
		{"breaking needs a bump", "0.1.1", "## [Unreleased]\n## [0.1.1] - 2026-02-01\n### Breaking\n- x\n## [0.1.0] - 2026-01-01\n", []string{"0.1.1", "0.1.0"}, mod, nil, "not a breaking bump over 0.1.0"},
		{"breaking bumped", "0.2.0", "## [Unreleased]\n## [0.2.0] - 2026-02-01\n### Breaking\n- x\n## [0.1.0] - 2026-01-01\n", []string{"0.2.0", "0.1.0"}, mod, nil, ""},
		{"releases out of order", "0.1.0", "## [Unreleased]\n## [0.1.0] - 2026-02-01\n## [0.2.0] - 2026-01-01\n", []string{"0.1.0", "0.2.0"}, mod, nil, "not newer"},
		{"v2 needs the module suffix", "2.0.0", "## [Unreleased]\n## [2.0.0] - 2026-02-01\n### Breaking\n- x\n## [1.0.0] - 2026-01-01\n", []string{"2.0.0", "1.0.0"}, mod, nil, "does not end in /v2"},
		{"v2 with the module suffix", "2.0.0", "## [Unreleased]\n## [2.0.0] - 2026-02-01\n### Breaking\n- x\n## [1.0.0] - 2026-01-01\n", []string{"2.0.0", "1.0.0"}, mod + "/v2", nil, ""},
		{"tag on HEAD disagrees", "0.1.0", "## [Unreleased]\n## [0.1.0] - 2026-01-01\n", []string{"0.1.0"}, mod, []string{"v0.2.0"}, "HEAD is tagged v0.2.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, err := parseChangelog(tc.changelog)
			if err != nil {
				t.Fatal(err)
			}
			tr := tree{version: tc.version, changelog: cl, module: tc.module, headTags: tc.tags}
			for _, s := range tc.snapshots {
				v, _ := parseVersion(s)
				tr.snapshots = append(tr.snapshots, v)
			}
			slices.SortFunc(tr.snapshots, func(a, b version) int { return b.compare(a) })
			bad := checkVersion(tr)
			switch {
			case tc.want == "" && len(bad) > 0:
				t.Errorf("problems %q, want none", bad)
			case tc.want != "" && (len(bad) == 0 || !strings.Contains(bad[0], tc.want)):
				t.Errorf("problems %q, want first one with %q", bad, tc.want)
			}
		})
	}
}

func TestPlanRelease(t *testing.T) {
	for _, tc := range []struct {
		name, changelog, next, want string
	}{
		{"first release", "## [Unreleased]\n### Added\n- x\n", "0.1.0", ""},
		{"nothing to release", "## [Unreleased]\n## [0.1.0] - 2026-01-01\n- x\n", "0.1.1", "no entries"},
		{"not newer", "## [Unreleased]\n- y\n## [0.1.0] - 2026-01-01\n- x\n", "0.1.0", "not newer"},
		{"breaking needs a bump", "## [Unreleased]\n### Breaking\n- `a` went\n## [0.1.0] - 2026-01-01\n- x\n", "0.1.1", "must be a breaking bump"},
		{"breaking bumped", "## [Unreleased]\n### Breaking\n- `a` went\n## [0.1.0] - 2026-01-01\n- x\n", "0.2.0", ""},
		{"compatible patch", "## [Unreleased]\n### Fixed\n- y\n## [0.1.0] - 2026-01-01\n- x\n", "0.1.1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, err := parseChangelog(tc.changelog)
			if err != nil {
				t.Fatal(err)
			}
			tr := tree{version: "0.1.0", changelog: cl}
			if len(cl.released()) > 0 {
				tr.snapshots = []version{{0, 1, 0}}
			}
			next, _ := parseVersion(tc.next)
			err = planRelease(tr, next)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}

// exportZip is module export data in apidiff's layout.
func exportZip(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("data of " + n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipNames(t *testing.T, data []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	return names
}

// TestRelease cuts a release in a tree: snapshot, version, changelog; then
// the version rule passes and the baseline is the new snapshot.
func TestRelease(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "go.mod", "module example.com/m\n\ngo 1.26\n")
	writeFile(t, root, "openapi.yaml", "openapi: 3.0.3\n")
	writeFile(t, root, versionFile, "package client\n\n// Version is it.\nconst Version = \"0.1.0\"\n")
	writeFile(t, root, "CHANGELOG.md", "# Changelog\n\nPreamble.\n\n## [Unreleased]\n\n### Breaking\n\n- `a` went\n\n## [0.1.0] - 2026-01-01\n\n- x\n")
	writeFile(t, root, "api/v0.1.0/openapi.yaml", "old\n")
	writeFile(t, root, "api/v0.1.0/go.api", "old\n")
	export := filepath.Join(root, "export.zip")
	if err := os.WriteFile(export, exportZip(t, "module", "example.com/m/client.x", "example.com/m/internal/x.x", "example.com/m/gen.x"), 0o600); err != nil {
		t.Fatal(err)
	}

	if err := release(root, version{0, 1, 1}, "2026-02-01", export, nil); err == nil || !strings.Contains(err.Error(), "breaking bump") {
		t.Fatalf("release 0.1.1 over a Breaking entry: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "api/v0.1.1")); err == nil {
		t.Fatal("a refused release wrote its snapshot")
	}
	before, _ := os.ReadFile(filepath.Join(root, "CHANGELOG.md"))
	if err := release(root, version{2, 0, 0}, "2026-02-01", export, nil); err == nil || !strings.Contains(err.Error(), "does not end in /v2") {
		t.Fatalf("release 2.0.0 without /v2: %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(root, "CHANGELOG.md")); !bytes.Equal(before, after) {
		t.Fatal("a refused release rewrote CHANGELOG.md")
	}
	if err := release(root, version{0, 2, 0}, "2026-02-01", export, nil); err != nil {
		t.Fatal(err)
	}

	cl, _ := os.ReadFile(filepath.Join(root, "CHANGELOG.md"))
	if want := "Preamble.\n\n## [Unreleased]\n\n## [0.2.0] - 2026-02-01\n\n### Breaking\n\n- `a` went\n\n## [0.1.0]"; !strings.Contains(string(cl), want) {
		t.Errorf("CHANGELOG.md:\n%s\nwant it to contain:\n%s", cl, want)
	}
	src, _ := os.ReadFile(filepath.Join(root, versionFile))
	if !strings.Contains(string(src), "const Version = \"0.2.0\"\n") || !strings.Contains(string(src), "// Version is it.") {
		t.Errorf("version.go:\n%s", src)
	}
	spec, _ := os.ReadFile(filepath.Join(root, "api/v0.2.0/openapi.yaml"))
	if string(spec) != "openapi: 3.0.3\n" {
		t.Errorf("snapshot spec %q", spec)
	}
	data, err := os.ReadFile(filepath.Join(root, "api/v0.2.0/go.api"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := zipNames(t, data), []string{"module", "example.com/m/client.x", "example.com/m/gen.x"}; !slices.Equal(got, want) {
		t.Errorf("snapshot export entries %q, want %q (no internal package)", got, want)
	}
	if dir, err := baseline(root, ""); err != nil || dir != "api/v0.2.0" {
		t.Errorf("baseline = %q, %v; want api/v0.2.0", dir, err)
	}
	if dir, err := baseline(root, "v0.1.0"); err != nil || dir != "api/v0.1.0" {
		t.Errorf("baseline v0.1.0 = %q, %v", dir, err)
	}
	if _, err := baseline(root, "v0.3.0"); err == nil {
		t.Error("baseline v0.3.0 (no snapshot) accepted")
	}
	var out, errOut bytes.Buffer
	if rc := run([]string{"version", "-root", root}, &out, &errOut); rc != 0 {
		t.Errorf("version after release: exit %d\n%s%s", rc, out.String(), errOut.String())
	}
}

func TestPublicExportRefusesOtherArchives(t *testing.T) {
	if _, err := publicExport([]byte("not a zip")); err == nil {
		t.Error("accepted a non-zip")
	}
	if _, err := publicExport(exportZip(t, "example.com/m/client.x")); err == nil {
		t.Error("accepted a zip without the module entry")
	}
	if _, err := publicExport(exportZip(t, "module", "README")); err == nil {
		t.Error("accepted an unexpected entry")
	}
}
