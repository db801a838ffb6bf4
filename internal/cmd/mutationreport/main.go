// Command mutationreport sums the JSON reports of gremlins (one per package
// directory, `gremlins unleash -o FILE DIR`) for `make mutation`: it writes
// the mutants the tests did not kill to a survivors file, each with its
// position, kind and source line, and prints the counts and, as its last
// line, "mutation efficacy: NN.N%" (killed over killed plus lived, as
// gremlins computes it, over all the packages together).
//
// Usage:
//
//	mutationreport [-min 90] [-src DIR] [-survivors FILE] DIR=REPORT.json...
//
// DIR is the package directory gremlins ran on, relative to the module root
// (the report's file names are relative to it); -src is the tree the
// mutants were made in, read for the source lines. It exits 1 if the
// efficacy is below -min, after printing it.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// report is the part of gremlins' JSON output (-o) read here.
type report struct {
	Files []struct {
		Name      string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

// The statuses gremlins writes for a mutant that was run.
const (
	statusKilled     = "KILLED"
	statusLived      = "LIVED"
	statusTimedOut   = "TIMED OUT"
	statusNotViable  = "NOT VIABLE"
	statusNotCovered = "NOT COVERED"
)

// mutant is one mutation, its path relative to the module root.
type mutant struct {
	path         string
	line, column int
	kind, status string
}

// tally is the counts over all the reports.
type tally struct {
	byStatus map[string]int
	left     []mutant // lived or timed out, sorted by position
}

// efficacy is killed / (killed + lived) in percent, and false when no
// mutant was killed or lived (no test ran against any mutant).
func (t tally) efficacy() (float64, bool) {
	k, l := t.byStatus[statusKilled], t.byStatus[statusLived]
	if k+l == 0 {
		return 0, false
	}
	return 100 * float64(k) / float64(k+l), true
}

// add reads one gremlins report for the package directory dir.
func (t *tally) add(dir string, r io.Reader) error {
	var rep report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return fmt.Errorf("not a gremlins report: %w", err)
	}
	for _, f := range rep.Files {
		for _, m := range f.Mutations {
			if m.Status == "" || m.Type == "" {
				return fmt.Errorf("%s: a mutation without its type or status", f.Name)
			}
			t.byStatus[m.Status]++
			if m.Status == statusLived || m.Status == statusTimedOut {
				t.left = append(t.left, mutant{
					path: filepath.ToSlash(filepath.Join(dir, f.Name)), line: m.Line, column: m.Column,
					kind: m.Type, status: m.Status,
				})
			}
		}
	}
	sort.Slice(t.left, func(i, j int) bool {
		a, b := t.left[i], t.left[j]
		if a.path != b.path {
			return a.path < b.path
		}
		if a.line != b.line {
			return a.line < b.line
		}
		if a.column != b.column {
			return a.column < b.column
		}
		return a.kind < b.kind
	})
	return nil
}

// sourceLine returns line n (1-based) of the file, trimmed, or "" if it
// cannot be read.
func sourceLine(path string, n int) string {
	f, err := os.Open(path) //nolint:gosec // a file of the tree the mutants were made in
	if err != nil {
		return ""
	}
	defer func() { _ = f.Close() }()
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64*1024), 1024*1024)
	for i := 1; s.Scan(); i++ {
		if i == n {
			return strings.TrimSpace(s.Text())
		}
	}
	return ""
}

// writeSurvivors writes one line per mutant left alive:
// "path:line:col: STATUS KIND: source line".
func writeSurvivors(w io.Writer, src string, left []mutant) error {
	for _, m := range left {
		line := sourceLine(filepath.Join(src, filepath.FromSlash(m.path)), m.line)
		if _, err := fmt.Fprintf(w, "%s:%d:%d: %s %s: %s\n", m.path, m.line, m.column, m.status, m.kind, line); err != nil {
			return err
		}
	}
	return nil
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mutationreport", flag.ContinueOnError)
	fs.SetOutput(stderr)
	min := fs.Float64("min", 0, "exit 1 if the efficacy is below this percentage")
	src := fs.String("src", ".", "the module tree the mutants were made in (for the source lines)")
	survivors := fs.String("survivors", "", "write the mutants left alive to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("usage: mutationreport [-min N] [-src DIR] [-survivors FILE] DIR=REPORT.json [DIR=REPORT.json ...]")
	}
	t := tally{byStatus: map[string]int{}}
	for _, arg := range fs.Args() {
		dir, file, ok := strings.Cut(arg, "=")
		if !ok {
			return fmt.Errorf("%q: want DIR=REPORT.json", arg)
		}
		f, err := os.Open(file) //nolint:gosec // a report named on the command line
		if err != nil {
			return err
		}
		err = t.add(dir, f)
		_ = f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	if *survivors != "" {
		var b strings.Builder
		if err := writeSurvivors(&b, *src, t.left); err != nil {
			return err
		}
		if err := os.WriteFile(*survivors, []byte(b.String()), 0o600); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "survivors (%d): %s\n", len(t.left), *survivors)
	}
	fmt.Fprintf(stdout, "mutants: %d killed, %d lived, %d timed out, %d not viable, %d not covered\n",
		t.byStatus[statusKilled], t.byStatus[statusLived], t.byStatus[statusTimedOut],
		t.byStatus[statusNotViable], t.byStatus[statusNotCovered])
	eff, ok := t.efficacy()
	if !ok {
		return errors.New("no mutant was killed or lived: did gremlins run any test?")
	}
	if eff < *min {
		fmt.Fprintf(stderr, "mutation efficacy is below %.1f%%: kill the survivors or list them in CONTRIBUTING.md\n", *min)
	}
	// Last line, whatever the outcome.
	fmt.Fprintf(stdout, "mutation efficacy: %.1f%%\n", eff)
	if eff < *min {
		return errBelow
	}
	return nil
}

// errBelow is returned when the efficacy is below -min (already reported).
var errBelow = errors.New("below minimum")

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, errBelow) {
			fmt.Fprintln(os.Stderr, "mutationreport:", err)
		}
		os.Exit(1)
	}
}
