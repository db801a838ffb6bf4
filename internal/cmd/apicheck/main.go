// Command apicheck holds the rules of the compatibility checks: which
// release snapshot they compare against, which breaking changes CHANGELOG.md
// records, and how the version moves. The scripts in .ci/ run the pinned
// tools (oasdiff, apidiff) and hand their reports to it.
//
// Usage (run from the repository root, or pass -root):
//
//	apicheck baseline [-base vX.Y.Z]
//	    print the snapshot directory to compare against: api/vX.Y.Z of -base,
//	    else the newest one
//	apicheck breaks -label NAME (-oasdiff FILE | -apidiff FILE) [-changelog FILE]
//	    fail (exit 3) for each breaking change in the report (oasdiff breaking
//	    --format json; apidiff -m text) that no entry of ## [Unreleased] /
//	    ### Breaking names, listing those with suggested entries
//	apicheck version
//	    the version rule: client.Version, CHANGELOG.md, api/ and the tags on
//	    HEAD agree (exit 1 if not)
//	apicheck release -version X.Y.Z [-date YYYY-MM-DD] [-export FILE]
//	    write the release: api/vX.Y.Z (openapi.yaml and the public part of the
//	    apidiff export data in FILE), client.Version, the changelog heading
//
// Exit status 2 is a usage error or a report it cannot read.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one subcommand and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: apicheck baseline|breaks|version|release [flags] (see go doc ./internal/cmd/apicheck)")
		return 2
	}
	fs := flag.NewFlagSet("apicheck "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", ".", "the repository root")
	fail := func(err error) int {
		fmt.Fprintf(stderr, "apicheck %s: %v\n", args[0], err)
		return 2
	}
	switch args[0] {
	case "baseline":
		base := fs.String("base", "", "the release to compare against, vX.Y.Z (default: the newest snapshot)")
		if fs.Parse(args[1:]) != nil {
			return 2
		}
		dir, err := baseline(*root, *base)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintln(stdout, dir)
		return 0

	case "breaks":
		label := fs.String("label", "apicheck", "the name of the check, for its messages")
		oas := fs.String("oasdiff", "", "the JSON of `oasdiff breaking --format json`")
		api := fs.String("apidiff", "", "the text of `apidiff -m OLD NEW`")
		clPath := fs.String("changelog", changelogFile, "the changelog")
		if fs.Parse(args[1:]) != nil {
			return 2
		}
		if (*oas == "") == (*api == "") {
			return fail(fmt.Errorf("give one of -oasdiff and -apidiff"))
		}
		var breaks []breakage
		if *oas != "" {
			data, err := os.ReadFile(*oas)
			if err != nil {
				return fail(err)
			}
			if breaks, err = parseOasdiff(data); err != nil {
				return fail(err)
			}
		} else {
			data, err := os.ReadFile(*api)
			if err != nil {
				return fail(err)
			}
			if breaks, err = parseApidiff(bytes.NewReader(data)); err != nil {
				return fail(err)
			}
		}
		text, err := os.ReadFile(*clPath)
		if err != nil {
			return fail(err)
		}
		cl, err := parseChangelog(string(text))
		if err != nil {
			return fail(fmt.Errorf("%s: %w", *clPath, err))
		}
		var entries []entry
		if u := cl.find(unreleased); u != nil {
			entries = u.breaking
		}
		v := match(entries, breaks)
		v.report(stdout, *label, *clPath)
		if len(v.unrecorded) > 0 {
			return 3
		}
		return 0

	case "version":
		if fs.Parse(args[1:]) != nil {
			return 2
		}
		t, err := readTree(*root, headTags(*root))
		if err != nil {
			return fail(err)
		}
		if bad := checkVersion(t); len(bad) > 0 {
			for _, b := range bad {
				fmt.Fprintf(stderr, "version-check: FAIL: %s\n", b)
			}
			return 1
		}
		fmt.Fprintf(stdout, "version-check: OK: client.Version %s", t.version)
		if len(t.snapshots) > 0 {
			fmt.Fprintf(stdout, ", snapshot %s/", snapshotPath(t.snapshots[0]))
		}
		fmt.Fprintln(stdout, ".")
		return 0

	case "release":
		ver := fs.String("version", "", "the version to release, X.Y.Z")
		date := fs.String("date", time.Now().Format(time.DateOnly), "the release date, YYYY-MM-DD")
		export := fs.String("export", "", "apidiff's module export data of the tree (apidiff -m -w FILE MODULE); without it, go.api is not written")
		if fs.Parse(args[1:]) != nil {
			return 2
		}
		next, err := parseVersion(*ver)
		if err != nil {
			return fail(fmt.Errorf("-version: %w", err))
		}
		if _, err := time.Parse(time.DateOnly, *date); err != nil {
			return fail(fmt.Errorf("-date: %w", err))
		}
		if err := release(*root, next, *date, *export, headTags(*root)); err != nil {
			fmt.Fprintf(stderr, "release-snapshot: FAIL: %v\n", err)
			return 1
		}
		if *export != "" {
			fmt.Fprintf(stdout, "release-snapshot: wrote %s/, %s and %s for %s. Review, then:\n", snapshotPath(next), versionFile, changelogFile, next)
			fmt.Fprintf(stdout, "  git add %s %s %s && git commit -m 'Release v%s' && git tag v%s\n", snapshotPath(next), versionFile, changelogFile, next, next)
		}
		return 0
	}
	fmt.Fprintf(stderr, "apicheck: unknown command %q\n", args[0])
	return 2
}

// headTags lists the tags on HEAD of the git checkout at root; none if root
// is not the top of one (the tests' trees) or git cannot tell.
func headTags(root string) []string {
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		return nil
	}
	out, err := exec.Command("git", "-C", root, "tag", "--points-at", "HEAD").Output()
	if err != nil {
		return nil
	}
	return strings.Fields(string(out))
}
