package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseProfileListsTheLinesOfBlocksThatRan(t *testing.T) {
	profile := `mode: set
example.com/m/p/a.go:3.10,5.2 2 1
example.com/m/p/a.go:7.1,7.20 1 0
example.com/m/p/a.go:5.2,6.3 1 1
`
	got, err := parseProfile(bufio.NewScanner(strings.NewReader(profile)))
	want := []string{"example.com/m/p/a.go:3", "example.com/m/p/a.go:4", "example.com/m/p/a.go:5", "example.com/m/p/a.go:6"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("parseProfile = %v, %v; want %v", got, err, want)
	}
	if _, err := parseProfile(bufio.NewScanner(strings.NewReader("mode: set\nbroken\n"))); err == nil {
		t.Error("a broken profile line was accepted")
	}
}

// TestFirstDifferenceIsTheMutatedLine: the line of the first token that
// differs, whatever the spacing of either file.
func TestFirstDifferenceIsTheMutatedLine(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"x\ny\n", "x\ny\n", 0},
		{"a <= b\n", "a < b\n", 1},
		{"one\ntwo\nif a != b {\n", "one\ntwo\nif a == b {\n", 3},
		{"x := y\n", "x := -y\n", 1},
		{"type t struct {\n\ta\tint\t// c\n\tbb\tint\n}\nf(x + 1)\n", "type t struct {\n\ta  int // c\n\tbb int\n}\nf(x - 1)\n", 5},
		{"one\n", "one\ntwo\n", 2},
	} {
		if got := firstDifference([]byte(c.a), []byte(c.b)); got != c.want {
			t.Errorf("firstDifference(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestSelectTestsRunsTheTestsOfTheMutatedLine: a mutant's go test gets
// -run with the tests the map lists for the line that differs from the
// pristine tree, the fast ones in a first round and the examples last, and
// every test when the map has no entry for it.
func TestSelectTestsRunsTheTestsOfTheMutatedLine(t *testing.T) {
	dir := t.TempDir()
	work, src := filepath.Join(dir, "work"), filepath.Join(dir, "src")
	for _, root := range []string{work, src} {
		writeFile(t, filepath.Join(root, "go.mod"), "module example.com/m\n")
		writeFile(t, filepath.Join(root, "p", "p_test.go"), "package p\n")
	}
	writeFile(t, filepath.Join(src, "p", "a.go"), "package p\n\nfunc f(a, b int) bool { return a < b }\n")
	writeFile(t, filepath.Join(work, "p", "a.go"), "package p\n\nfunc f(a, b int) bool { return a <= b }\n")
	mapFile := filepath.Join(dir, "map.json")
	writeFile(t, mapFile, `{"lines": {"example.com/m/p/a.go:3": ["TestF", "ExampleF", "TestSlow"]}, "seconds": {"example.com/m/p TestSlow": 3, "example.com/m/p TestF": 0.1}}`)
	t.Setenv("MUTATION_MAP", mapFile)
	t.Setenv("MUTATION_SRC", src)
	t.Chdir(filepath.Join(work, "p"))
	args := []string{"test", "-timeout", "12s", "-failfast", "example.com/m/p"}
	if m := selectTests(args); !slices.Equal(m.rounds, []string{"^(TestF)$", "^(TestSlow)$", "^(ExampleF)$"}) || m.where != "example.com/m/p/a.go:3" || m.dir != filepath.Join(work, "p") {
		t.Errorf("selectTests = %+v; want the fast, the slow and the examples round of example.com/m/p/a.go:3, in %s", m, filepath.Join(work, "p"))
	}
	if got := selectTests([]string{"test", "-cover", "./..."}).rounds; got != nil {
		t.Errorf("a coverage run got -run %q", got)
	}
	writeFile(t, mapFile, `{"lines": {"example.com/m/p/a.go:2": ["TestF"]}}`)
	if got := selectTests(args).rounds; got != nil {
		t.Errorf("a line the map lacks got -run %q, want every test", got)
	}
}

// TestWrapGoRunsTheSelectedTestsOfAMutant: as gremlins' go command,
// mutationrun builds the mutant's test binary once and exits 1 when a
// selected test fails on it, 0 when they all pass, and with go test's own
// exit code when the mutant does not compile (not run here: go test then
// replaces the process).
func TestWrapGoRunsTheSelectedTestsOfAMutant(t *testing.T) {
	real, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH:", err)
	}
	dir := t.TempDir()
	work, src := filepath.Join(dir, "work"), filepath.Join(dir, "src")
	test := "package p\n\nimport \"testing\"\n\nfunc TestLess(t *testing.T) {\n\tif f(1, 1) {\n\t\tt.Fatal(\"1 < 1\")\n\t}\n}\n\nfunc TestOther(t *testing.T) { t.Fatal(\"not selected\") }\n"
	for _, root := range []string{work, src} {
		writeFile(t, filepath.Join(root, "go.mod"), "module example.com/m\n\ngo 1.22\n")
		writeFile(t, filepath.Join(root, "p", "p_test.go"), test)
	}
	writeFile(t, filepath.Join(src, "p", "a.go"), "package p\n\nfunc f(a, b int) bool { return a < b }\n")
	mapFile := filepath.Join(dir, "map.json")
	writeFile(t, mapFile, `{"lines": {"example.com/m/p/a.go:3": ["TestLess"]}}`)
	t.Setenv("MUTATION_MAP", mapFile)
	t.Setenv("MUTATION_SRC", src)
	t.Setenv("MUTATION_GO", real)
	t.Setenv("MUTATION_TRACE", filepath.Join(dir, "trace.tsv"))
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Chdir(filepath.Join(work, "p"))
	args := []string{"test", "-timeout", "1m", "-failfast", "example.com/m/p"}
	for _, c := range []struct {
		code string
		want int
	}{
		{"return a <= b", 1},
		{"return a < b || a > b", 0},
	} {
		writeFile(t, filepath.Join(work, "p", "a.go"), "package p\n\nfunc f(a, b int) bool { "+c.code+" }\n")
		if got := wrapGo(args); got != c.want {
			t.Errorf("%s: exit %d, want %d", c.code, got, c.want)
		}
	}
	trace, err := os.ReadFile(filepath.Join(dir, "trace.tsv"))
	if err != nil || strings.Count(string(trace), "example.com/m/p/a.go:3\t1/1\t") != 2 {
		t.Errorf("trace = %q, %v; want a line for each mutant", trace, err)
	}
}

// writeFile writes s to path, making its directory.
func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
