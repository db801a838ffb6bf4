// Command mutationrun helps `make mutation` run gremlins faster, in three
// roles:
//
//	mutationrun key [-salt S] DIR...
//
// prints a hash of everything the mutants of the package directories DIR
// (each with its subpackages) and their tests depend on in the module: the
// files of every module package they import, tests included, with their
// testdata, this command's sources, and go.mod and go.sum (plus S: the
// gremlins version and flags).
// `make mutation` stores each directory's report under that hash and reuses
// it while the hash is the same.
//
//	mutationrun map -o MAP.json [-workers N] DIR...
//
// runs each test, example and fuzz target of the packages under DIR alone,
// with coverage, and writes which of them cover each line:
// {"lines": {"import/path/file.go:LINE": ["TestA", "ExampleB"]},
// "seconds": {"import/path TestA": 0.1}}.
//
// Installed (or linked) under the name go, first on gremlins' PATH, it is
// the go command gremlins runs for each mutant: `go test … -failfast PKG`
// gets -run with the tests MUTATION_MAP lists for the mutated line (found by
// comparing PKG's files with the pristine tree MUTATION_SRC), so a mutant
// runs only the tests that reach it: those under half a second alone
// first, the slower ones only when those all passed, its examples last. It builds the mutant's
// test binary once (go test -c, without vet and DWARF) and runs it for each
// round, and with MUTATION_TRACE set appends a line a mutant to that file:
// the mutated line, rounds run/selected, exit code, wall and CPU seconds.
// Any other go command, a mutant whose line the map lacks, or a missing
// MUTATION_MAP, runs as asked; the real go command is MUTATION_GO (a path,
// required).
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if filepath.Base(os.Args[0]) == "go" {
		os.Exit(wrapGo(os.Args[1:]))
	}
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: mutationrun key|map ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "key":
		err = keyCmd(os.Args[2:])
	case "map":
		err = mapCmd(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutationrun:", err)
		os.Exit(1)
	}
}

// goCommand is the go command key and map run.
func goCommand() string {
	if g := os.Getenv("MUTATION_GO"); g != "" {
		return g
	}
	return "go"
}

// listPackages runs `go list` with format on the patterns, in the current
// directory, and returns its lines.
func listPackages(format string, extra []string, patterns ...string) ([]string, error) {
	args := append(append([]string{"list"}, extra...), append([]string{"-f", format}, patterns...)...)
	cmd := exec.Command(goCommand(), args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %v: %w", patterns, err)
	}
	var lines []string
	for l := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// patterns turns package directories into `go list` patterns with their
// subpackages.
func patterns(dirs []string) []string {
	var ps []string
	for _, d := range dirs {
		ps = append(ps, "./"+strings.TrimPrefix(filepath.ToSlash(filepath.Clean(d)), "./")+"/...")
	}
	return ps
}

func keyCmd(args []string) error {
	fl := flag.NewFlagSet("key", flag.ContinueOnError)
	salt := fl.String("salt", "", "extra text the hash covers (tool versions, flags)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	dirs, err := listPackages("{{.Dir}}", []string{"-deps", "-test"}, patterns(fl.Args())...)
	if err != nil {
		return err
	}
	// This command's own sources choose each mutant's tests: a change of
	// them is a change of the report.
	key, err := hashTree(root, append(dirs, filepath.Join(root, "internal", "cmd", "mutationrun")), *salt)
	if err != nil {
		return err
	}
	fmt.Println(key)
	return nil
}

// hashTree hashes go.mod, go.sum, salt and the files of each directory of
// dirs inside root (not those of its subdirectories, but for testdata), in
// a fixed order.
func hashTree(root string, dirs []string, salt string) (string, error) {
	files := []string{"go.mod", "go.sum"}
	seen := map[string]bool{}
	for _, d := range dirs {
		rel, err := filepath.Rel(root, d)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || seen[rel] {
			continue // outside the module (the standard library, a dependency)
		}
		seen[rel] = true
		entries, err := os.ReadDir(d)
		if err != nil {
			return "", err
		}
		for _, e := range entries {
			p := filepath.Join(rel, e.Name())
			switch {
			case e.Type().IsRegular():
				files = append(files, p)
			case e.IsDir() && e.Name() == "testdata":
				err := filepath.WalkDir(filepath.Join(root, p), func(path string, de fs.DirEntry, err error) error {
					if err == nil && de.Type().IsRegular() {
						r, _ := filepath.Rel(root, path)
						files = append(files, r)
					}
					return err
				})
				if err != nil {
					return "", err
				}
			}
		}
	}
	slices.Sort(files)
	h := sha256.New()
	fmt.Fprintf(h, "salt %q\n", salt)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(f), len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// testMap is what `mutationrun map` writes.
type testMap struct {
	// Lines lists the tests that run each line, "import/path/file.go:LINE".
	Lines map[string][]string `json:"lines"`
	// Seconds is each test's time alone (process start included), by
	// "import/path TestName".
	Seconds map[string]float64 `json:"seconds"`
}

// slowTest is the time alone from which a test runs in a mutant's second
// round: only when the faster tests of its line all passed.
const slowTest = 0.5

func mapCmd(args []string) error {
	fl := flag.NewFlagSet("map", flag.ContinueOnError)
	out := fl.String("o", "", "the map file to write")
	workers := fl.Int("workers", 2, "tests run at once")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("map: -o is required")
	}
	pkgs, err := listPackages("{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}}{{end}}", nil, patterns(fl.Args())...)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "mutationrun-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	tm := testMap{Lines: map[string][]string{}, Seconds: map[string]float64{}}
	var mu sync.Mutex
	for i, p := range pkgs {
		importPath, dir, _ := strings.Cut(p, " ")
		bin := filepath.Join(tmp, fmt.Sprintf("pkg%d.test", i))
		build := exec.Command(goCommand(), "test", "-c", "-cover", "-covermode=set", "-o", bin, importPath)
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building %s's tests: %w", importPath, err)
		}
		tests, err := testNames(bin, dir)
		if err != nil {
			return fmt.Errorf("%s: %w", importPath, err)
		}
		jobs := make(chan int)
		var wg sync.WaitGroup
		for range max(*workers, 1) {
			wg.Go(func() {
				for j := range jobs {
					start := time.Now()
					lines, err := coveredLines(bin, dir, tests[j], filepath.Join(tmp, fmt.Sprintf("pkg%d-%d.cover", i, j)))
					took := time.Since(start).Seconds()
					if err != nil {
						// The test failed alone or its profile is unreadable:
						// no line lists it, so a mutant there runs every test.
						fmt.Fprintf(os.Stderr, "mutationrun: %s %s: %v\n", importPath, tests[j], err)
						continue
					}
					mu.Lock()
					for _, l := range lines {
						tm.Lines[l] = append(tm.Lines[l], tests[j])
					}
					tm.Seconds[importPath+" "+tests[j]] = took
					mu.Unlock()
				}
			})
		}
		for j := range tests {
			jobs <- j
		}
		close(jobs)
		wg.Wait()
		fmt.Fprintf(os.Stderr, "mutationrun: %s: %d tests mapped\n", importPath, len(tests))
	}
	for _, ts := range tm.Lines {
		slices.Sort(ts)
	}
	data, err := json.Marshal(tm)
	if err != nil {
		return err
	}
	return os.WriteFile(*out, data, 0o644)
}

// testNames lists the tests, examples and fuzz targets of the test binary.
func testNames(bin, dir string) ([]string, error) {
	cmd := exec.Command(bin, "-test.list", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOCOVERDIR="+filepath.Dir(bin)) // where a cover binary writes when it has no profile
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing tests: %w", err)
	}
	var names []string
	for l := range strings.SplitSeq(string(out), "\n") {
		if strings.HasPrefix(l, "Test") || strings.HasPrefix(l, "Example") || strings.HasPrefix(l, "Fuzz") {
			names = append(names, l)
		}
	}
	return names, nil
}

// coveredLines runs one test of bin, in dir, and returns the lines it
// covers, as "import/path/file.go:LINE".
func coveredLines(bin, dir, test, profile string) ([]string, error) {
	cmd := exec.Command(bin, "-test.run", "^"+regexp.QuoteMeta(test)+"$", "-test.count=1", "-test.timeout=10m", "-test.coverprofile="+profile)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%w: %s", err, lastLines(stderr.String(), 5))
	}
	f, err := os.Open(profile)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	return parseProfile(bufio.NewScanner(f))
}

// parseProfile reads a coverage profile and returns each line of a block
// that ran, as "file:LINE", once.
func parseProfile(sc *bufio.Scanner) ([]string, error) {
	seen := map[string]bool{}
	var lines []string
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "mode:") || l == "" {
			continue
		}
		// file.go:12.3,14.5 2 1
		file, rest, ok := strings.Cut(l, ":")
		fields := strings.Fields(rest)
		if !ok || len(fields) != 3 {
			return nil, fmt.Errorf("bad profile line %q", l)
		}
		if fields[2] == "0" {
			continue
		}
		from, to, _ := strings.Cut(fields[0], ",")
		start, err1 := strconv.Atoi(strings.Split(from, ".")[0])
		end, err2 := strconv.Atoi(strings.Split(to, ".")[0])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad profile line %q", l)
		}
		for n := start; n <= end; n++ {
			k := file + ":" + strconv.Itoa(n)
			if !seen[k] {
				seen[k] = true
				lines = append(lines, k)
			}
		}
	}
	return lines, sc.Err()
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(ls[max(0, len(ls)-n):], "\n")
}

// wrapGo runs the real go command with args, adding -run to a mutant's
// test run (see the package comment).
func wrapGo(args []string) int {
	real := os.Getenv("MUTATION_GO")
	if real == "" || filepath.Base(real) == real {
		fmt.Fprintln(os.Stderr, "mutationrun: set MUTATION_GO to the real go command's path")
		return 2
	}
	m := selectTests(args)
	if len(m.rounds) == 0 {
		err := syscall.Exec(real, append([]string{"go"}, args...), os.Environ())
		fmt.Fprintln(os.Stderr, "mutationrun:", err)
		return 2
	}
	// The commands below die with this process (gremlins kills it at the
	// mutant's deadline); Pdeathsig is per thread, so keep to one.
	runtime.LockOSThread()
	start := time.Now()
	bin, err := buildTest(real, args[len(args)-1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutationrun:", err)
		return 2
	}
	if bin == "" {
		// The mutant does not build: go test says so with its own exit code.
		err := syscall.Exec(real, append([]string{"go"}, args...), os.Environ())
		fmt.Fprintln(os.Stderr, "mutationrun:", err)
		return 2
	}
	defer os.RemoveAll(filepath.Dir(bin))
	code, ran := 0, 0
	for _, run := range m.rounds {
		cmd := exec.Command(bin, "-test.run", run, "-test.failfast", "-test.timeout", flagValue(args, "-timeout", "10m"))
		cmd.Dir = m.dir
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		ran++
		if err := cmd.Run(); err != nil {
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() <= 0 {
				fmt.Fprintln(os.Stderr, "mutationrun:", err)
				return 2
			}
			code = 1
			break
		}
	}
	trace(m.where, ran, len(m.rounds), code, time.Since(start))
	return code
}

// buildTest builds the test binary of a mutant's package pkg once, for
// every round, without vet and DWARF (neither changes what a test sees).
// It returns "" when the mutant does not compile.
func buildTest(real, pkg string) (bin string, err error) {
	tmp, err := os.MkdirTemp(os.Getenv("GOTMPDIR"), "mutant-")
	if err != nil {
		return "", err
	}
	bin = filepath.Join(tmp, "pkg.test")
	cmd := exec.Command(real, "test", "-c", "-o", bin, "-vet=off", "-ldflags=-w", pkg)
	cmd.Args[0] = "go"
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Run(); err != nil {
		_ = os.RemoveAll(tmp)
		return "", nil
	}
	if _, err := os.Stat(bin); err != nil {
		// A package without test files: go test -c writes nothing.
		_ = os.RemoveAll(tmp)
		return "", nil
	}
	return bin, nil
}

// flagValue is the value of a `-name value` or `-name=value` flag in args.
func flagValue(args []string, name, def string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return def
}

// trace appends one line about a mutant's run to MUTATION_TRACE, when set:
// the mutated package, file and line, the rounds run of those selected,
// the exit code, and the wall and CPU seconds of the build and tests.
func trace(where string, ran, rounds, code int, wall time.Duration) {
	path := os.Getenv("MUTATION_TRACE")
	if path == "" {
		return
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s\t%d/%d\t%d\t%.2f\t%.2f\n", where, ran, rounds, code, wall.Seconds(), cpu.Seconds())
}

// mutant is what selectTests finds of a mutant's `go test`.
type mutant struct {
	// rounds are the -run patterns, one a round; none means every test,
	// in one run.
	rounds []string
	// where is the mutated line, import/path/file.go:LINE.
	where string
	// dir is the mutated package's directory, where its tests run.
	dir string
}

// selectTests finds the mutant of a `go test … -failfast PKG` (run in the
// mutated copy of the module) and the -run patterns of its line, one a
// round: the tests faster than slowTest, then the slower ones, then its
// examples (a round without tests is left out).
func selectTests(args []string) mutant {
	mapFile, src := os.Getenv("MUTATION_MAP"), os.Getenv("MUTATION_SRC")
	if len(args) < 2 || args[0] != "test" || !slices.Contains(args, "-failfast") || slices.Contains(args, "-run") || mapFile == "" || src == "" {
		return mutant{}
	}
	var tm testMap
	data, err := os.ReadFile(mapFile)
	if err != nil || json.Unmarshal(data, &tm) != nil {
		return mutant{}
	}
	cwd, err := os.Getwd()
	if err != nil {
		return mutant{}
	}
	root, module := moduleOf(cwd)
	pkg := args[len(args)-1]
	if root == "" || (pkg != module && !strings.HasPrefix(pkg, module+"/")) {
		return mutant{}
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
	file, line := mutatedLine(filepath.Join(root, rel), filepath.Join(src, rel))
	if file == "" {
		return mutant{}
	}
	// Examples go last: the test binary runs them even after -failfast
	// stopped at a failed test, and one that hangs would hold up a killed
	// mutant until its deadline.
	var fast, slow, examples []string
	for _, t := range tm.Lines[pkg+"/"+file+":"+strconv.Itoa(line)] {
		switch {
		case strings.HasPrefix(t, "Example"):
			examples = append(examples, regexp.QuoteMeta(t))
		case tm.Seconds[pkg+" "+t] < slowTest:
			fast = append(fast, regexp.QuoteMeta(t))
		default:
			slow = append(slow, regexp.QuoteMeta(t))
		}
	}
	var rounds []string
	for _, r := range [][]string{fast, slow, examples} {
		if len(r) > 0 {
			rounds = append(rounds, "^("+strings.Join(r, "|")+")$")
		}
	}
	return mutant{rounds: rounds, where: pkg + "/" + file + ":" + strconv.Itoa(line), dir: filepath.Join(root, rel)}
}

// moduleOf finds the module root at or above dir and its module path.
func moduleOf(dir string) (root, module string) {
	for d := dir; ; d = filepath.Dir(d) {
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			for l := range strings.SplitSeq(string(data), "\n") {
				if m, ok := strings.CutPrefix(strings.TrimSpace(l), "module "); ok {
					return d, strings.Trim(strings.TrimSpace(m), `"`)
				}
			}
			return "", ""
		}
		if filepath.Dir(d) == d {
			return "", ""
		}
	}
}

// mutatedLine compares the Go files (not the tests) of dir with those of
// pristine and returns the first that differs and the line, in pristine,
// of its first difference, or "" when none does.
func mutatedLine(dir, pristine string) (string, int) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", 0
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		got, err1 := os.ReadFile(filepath.Join(dir, name))
		want, err2 := os.ReadFile(filepath.Join(pristine, name))
		if err1 != nil || err2 != nil {
			continue
		}
		if line := firstDifference(got, want); line > 0 {
			return name, line
		}
	}
	return "", 0
}

// firstDifference is the line, in b, of the first token where the Go
// sources a (mutated) and b (pristine) differ, or 0 when their tokens are
// the same. Tokens, not bytes: gremlins prints the mutated file anew, which
// can change its spacing anywhere.
func firstDifference(a, b []byte) int {
	var sa, sb scanner.Scanner
	fa, fb := token.NewFileSet(), token.NewFileSet()
	sa.Init(fa.AddFile("a", -1, len(a)), a, nil, 0)
	sb.Init(fb.AddFile("b", -1, len(b)), b, nil, 0)
	for {
		_, ta, la := sa.Scan()
		pb, tb, lb := sb.Scan()
		if ta != tb || la != lb {
			if tb == token.EOF {
				return fb.Position(pb).Line + 1
			}
			return fb.Position(pb).Line
		}
		if ta == token.EOF {
			return 0
		}
	}
}
