package main

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Where the repository keeps what the checks read, relative to its root.
const (
	snapshotDir   = "api"               // one vX.Y.Z directory per release
	specFile      = "openapi.yaml"      // the spec, in the root and in each snapshot
	exportFile    = "go.api"            // apidiff's export data, in each snapshot
	versionFile   = "client/version.go" // const Version = "X.Y.Z"
	changelogFile = "CHANGELOG.md"      // Keep a Changelog
	goModFile     = "go.mod"            // the module path
	versionLineRe = `(?m)^const Version = "([^"]*)"$`
)

// version is a release version MAJOR.MINOR.PATCH.
type version struct{ major, minor, patch int }

var versionRe = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// parseVersion parses "X.Y.Z" (no "v", no pre-release).
func parseVersion(s string) (version, error) {
	m := versionRe.FindStringSubmatch(s)
	if m == nil {
		return version{}, fmt.Errorf("%q is not a release version X.Y.Z", s)
	}
	var v version
	for i, p := range []*int{&v.major, &v.minor, &v.patch} {
		n, err := strconv.Atoi(m[i+1])
		if err != nil {
			return version{}, fmt.Errorf("%q: %w", s, err)
		}
		*p = n
	}
	return v, nil
}

func (v version) String() string { return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch) }

// compare returns -1, 0 or +1 as v is older than, equal to or newer than w.
func (v version) compare(w version) int {
	for _, d := range [][2]int{{v.major, w.major}, {v.minor, w.minor}, {v.patch, w.patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// breakingBump reports whether next may break what prev offered: a new major
// version, or while 0.x a new minor one (0.1.x → 0.2.0, 0.9.x → 1.0.0).
func breakingBump(prev, next version) bool {
	part := func(v version) [2]int {
		if v.major == 0 {
			return [2]int{0, v.minor}
		}
		return [2]int{v.major, 0}
	}
	p, n := part(prev), part(next)
	return n[0] > p[0] || (n[0] == p[0] && n[1] > p[1])
}

// snapshots lists the release snapshots root/api/vX.Y.Z, newest first.
func snapshots(root string) ([]version, error) {
	ents, err := os.ReadDir(filepath.Join(root, snapshotDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var vs []version
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		name, ok := strings.CutPrefix(e.Name(), "v")
		v, err := parseVersion(name)
		if !ok || err != nil {
			return nil, fmt.Errorf("%s/%s: a snapshot directory is named vX.Y.Z", snapshotDir, e.Name())
		}
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b version) int { return b.compare(a) })
	return vs, nil
}

// snapshotPath is the directory of the snapshot of v, relative to the root.
func snapshotPath(v version) string { return snapshotDir + "/v" + v.String() }

// baseline returns the snapshot directory the checks compare against (relative
// to root): the one named by base ("vX.Y.Z") if given, else the newest.
func baseline(root, base string) (string, error) {
	vs, err := snapshots(root)
	if err != nil {
		return "", err
	}
	if base != "" {
		v, err := parseVersion(strings.TrimPrefix(base, "v"))
		if err != nil || !strings.HasPrefix(base, "v") {
			return "", fmt.Errorf("BASE=%s: want a release, vX.Y.Z", base)
		}
		if !slices.Contains(vs, v) {
			return "", fmt.Errorf("BASE=%s: there is no %s/ in this tree", base, snapshotPath(v))
		}
		return snapshotPath(v), nil
	}
	if len(vs) == 0 {
		return "", fmt.Errorf("no release snapshot under %s/: cut one with make release-snapshot VERSION=X.Y.Z", snapshotDir)
	}
	return snapshotPath(vs[0]), nil
}

// tree is what the version rule reads from a repository.
type tree struct {
	version   string    // client.Version as written
	changelog changelog // CHANGELOG.md
	snapshots []version // api/vX.Y.Z, newest first
	missing   []string  // files a snapshot lacks (api/vX.Y.Z/go.api, ...)
	module    string    // go.mod's module path
	headTags  []string  // tags on HEAD (none outside a git checkout)
}

// readTree reads root's version, changelog, snapshots and module path; the
// tags on HEAD are passed in by the caller.
func readTree(root string, headTags []string) (tree, error) {
	t := tree{headTags: headTags}
	src, err := os.ReadFile(filepath.Join(root, versionFile))
	if err != nil {
		return t, err
	}
	m := regexp.MustCompile(versionLineRe).FindSubmatch(src)
	if m == nil {
		return t, fmt.Errorf("%s: no line `const Version = \"X.Y.Z\"`", versionFile)
	}
	t.version = string(m[1])
	cl, err := os.ReadFile(filepath.Join(root, changelogFile))
	if err != nil {
		return t, err
	}
	if t.changelog, err = parseChangelog(string(cl)); err != nil {
		return t, fmt.Errorf("%s: %w", changelogFile, err)
	}
	if t.snapshots, err = snapshots(root); err != nil {
		return t, err
	}
	for _, v := range t.snapshots {
		for _, f := range []string{specFile, exportFile} {
			p := snapshotPath(v) + "/" + f
			if _, err := os.Stat(filepath.Join(root, p)); err != nil {
				t.missing = append(t.missing, p)
			}
		}
	}
	mod, err := os.ReadFile(filepath.Join(root, goModFile))
	if err != nil {
		return t, err
	}
	if m := regexp.MustCompile(`(?m)^module\s+(\S+)`).FindSubmatch(mod); m != nil {
		t.module = string(m[1])
	}
	return t, nil
}

// checkVersion applies the version rule and returns what breaks it:
//   - client.Version is X.Y.Z;
//   - CHANGELOG.md starts with "## [Unreleased]", and its released sections
//     "## [X.Y.Z] - date" go from newest to oldest;
//   - the newest released section, the newest snapshot api/vX.Y.Z and
//     client.Version are the same version (before the first release there is
//     neither, and client.Version is the version it will get);
//   - every snapshot is a released section of the changelog, and has both
//     openapi.yaml and go.api;
//   - a released section with "### Breaking" entries is a breaking bump over
//     the release before it (a new major version; minor while 0.x);
//   - from v2 on, the module path ends in /vMAJOR;
//   - a release tag on HEAD is "v" + client.Version.
func checkVersion(t tree) []string {
	var bad []string
	v, err := parseVersion(t.version)
	if err != nil {
		return []string{fmt.Sprintf("client.Version: %v", err)}
	}
	secs := t.changelog.sections
	if len(secs) == 0 || secs[0].name != unreleased {
		bad = append(bad, fmt.Sprintf("%s: the first section must be ## [%s]", changelogFile, unreleased))
	}
	rel := t.changelog.released()
	if len(secs)-len(rel) > 1 {
		bad = append(bad, fmt.Sprintf("%s: more than one ## [%s] section", changelogFile, unreleased))
	}
	for i := 1; i < len(rel); i++ {
		newer, older := rel[i-1], rel[i]
		if newer.version.compare(older.version) <= 0 {
			bad = append(bad, fmt.Sprintf("%s:%d: [%s] is listed above [%s] but is not newer", changelogFile, newer.line, newer.name, older.name))
			continue
		}
		if len(newer.breaking) > 0 && !breakingBump(older.version, newer.version) {
			bad = append(bad, fmt.Sprintf("%s:%d: [%s] lists ### Breaking but is not a breaking bump over %s (a new major version; minor while 0.x)", changelogFile, newer.line, newer.name, older.name))
		}
	}
	switch {
	case len(rel) > 0 && rel[0].version != v:
		bad = append(bad, fmt.Sprintf("the latest release in %s is %s, client.Version is %s", changelogFile, rel[0].name, v))
	case len(rel) == 0 && len(t.snapshots) > 0:
		bad = append(bad, fmt.Sprintf("%s has a snapshot but %s has no released section", snapshotPath(t.snapshots[0]), changelogFile))
	}
	if len(rel) > 0 && (len(t.snapshots) == 0 || t.snapshots[0] != v) {
		bad = append(bad, fmt.Sprintf("the latest release is %s but %s/ is missing (make release-snapshot writes it)", v, snapshotPath(v)))
	}
	for _, p := range t.missing {
		bad = append(bad, fmt.Sprintf("%s is missing (make release-snapshot writes it)", p))
	}
	for _, s := range t.snapshots {
		if t.changelog.find(s.String()) == nil {
			bad = append(bad, fmt.Sprintf("%s/ is not a released section of %s", snapshotPath(s), changelogFile))
		}
	}
	if v.major >= 2 && !strings.HasSuffix(t.module, "/v"+strconv.Itoa(v.major)) {
		bad = append(bad, fmt.Sprintf("client.Version is %s but the module path %s does not end in /v%d", v, t.module, v.major))
	}
	for _, tag := range t.headTags {
		if versionRe.MatchString(strings.TrimPrefix(tag, "v")) && strings.HasPrefix(tag, "v") && tag != "v"+v.String() {
			bad = append(bad, fmt.Sprintf("HEAD is tagged %s but client.Version is %s", tag, v))
		}
	}
	return bad
}

// planRelease checks that next can be released from t and returns why not:
// the tree passes the version rule, ## [Unreleased] has entries, next is newer
// than the latest release, and a breaking bump if ### Breaking lists entries.
func planRelease(t tree, next version) error {
	if bad := checkVersion(t); len(bad) > 0 {
		return fmt.Errorf("the tree does not pass the version rule first:\n  %s", strings.Join(bad, "\n  "))
	}
	u := t.changelog.sections[0]
	if u.items == 0 {
		return fmt.Errorf("## [%s] in %s has no entries: nothing to release", unreleased, changelogFile)
	}
	rel := t.changelog.released()
	if len(rel) == 0 {
		return nil
	}
	latest := rel[0].version
	if next.compare(latest) <= 0 {
		return fmt.Errorf("%s is not newer than the latest release %s", next, latest)
	}
	if len(u.breaking) > 0 && !breakingBump(latest, next) {
		return fmt.Errorf("## [%s] lists ### Breaking, so %s must be a breaking bump over %s (a new major version; minor while 0.x)", unreleased, next, latest)
	}
	return nil
}

// release writes the release of next into root: the snapshot api/vNEXT
// (openapi.yaml, and the non-internal packages of the apidiff export data in
// exportPath), client.Version, and ## [Unreleased] renamed to
// "## [NEXT] - date" under a new empty ## [Unreleased]. It checks with
// planRelease, and the tree as it will be with checkVersion, before it writes
// anything. Without exportPath it writes all but go.api: the tree from which
// the export data is then made, in a copy.
func release(root string, next version, date, exportPath string, headTags []string) error {
	t, err := readTree(root, headTags)
	if err != nil {
		return err
	}
	if err := planRelease(t, next); err != nil {
		return err
	}
	dir := filepath.Join(root, snapshotPath(next))
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("%s already exists", snapshotPath(next))
	}
	var export []byte
	if exportPath != "" {
		if export, err = os.ReadFile(exportPath); err != nil {
			return err
		}
		if export, err = publicExport(export); err != nil {
			return fmt.Errorf("%s: %w", exportPath, err)
		}
	}
	spec, err := os.ReadFile(filepath.Join(root, specFile))
	if err != nil {
		return err
	}
	cl, err := os.ReadFile(filepath.Join(root, changelogFile))
	if err != nil {
		return err
	}
	heading := "## [" + unreleased + "]"
	i := bytes.Index(cl, []byte("\n"+heading+"\n"))
	if i < 0 {
		return fmt.Errorf("%s: no line %q", changelogFile, heading)
	}
	cl = slices.Concat(cl[:i+1], []byte(heading+"\n\n## ["+next.String()+"] - "+date+"\n"), cl[i+1+len(heading)+1:])
	src, err := os.ReadFile(filepath.Join(root, versionFile))
	if err != nil {
		return err
	}
	src = regexp.MustCompile(versionLineRe).ReplaceAll(src, []byte(`const Version = "`+next.String()+`"`))

	// The tree as it will be, checked before anything is written.
	after := t
	after.version = next.String()
	if after.changelog, err = parseChangelog(string(cl)); err != nil {
		return err
	}
	after.snapshots = append([]version{next}, t.snapshots...)
	if bad := checkVersion(after); len(bad) > 0 {
		return fmt.Errorf("the release would break the version rule:\n  %s", strings.Join(bad, "\n  "))
	}

	files := []struct {
		path string
		data []byte
	}{
		{filepath.Join(dir, specFile), spec},
		{filepath.Join(root, versionFile), src},
		{filepath.Join(root, changelogFile), cl},
	}
	if exportPath != "" {
		files = append(files, struct {
			path string
			data []byte
		}{filepath.Join(dir, exportFile), export})
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(f.path, f.data, 0o644); err != nil { //nolint:gosec // files of the repository, read by everyone
			return err
		}
	}
	return nil
}

// publicExport returns apidiff's module export data (a zip archive: an entry
// "module", one "<package path>.x" per package) without the entries of
// internal packages, which are not part of the API. Each package's export
// data is self-contained, so the others read the same without them.
func publicExport(data []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not apidiff module export data: %w", err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	hasModule := false
	for _, f := range zr.File {
		if f.Name == "module" {
			hasModule = true
		} else if pkg, ok := strings.CutSuffix(f.Name, ".x"); !ok {
			return nil, fmt.Errorf("unexpected entry %q: not apidiff module export data", f.Name)
		} else if isInternal(pkg) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		w, err := zw.Create(f.Name)
		if err == nil {
			_, err = io.Copy(w, rc) //nolint:gosec // the export data apidiff just wrote, not an untrusted archive
		}
		if cerr := rc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
	}
	if !hasModule {
		return nil, errors.New("no \"module\" entry: not apidiff module export data")
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// isInternal reports whether a package path has an "internal" element.
func isInternal(pkg string) bool {
	return slices.Contains(strings.Split(pkg, "/"), "internal")
}
