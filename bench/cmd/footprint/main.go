// Command footprint measures what importing the SDK costs a program: it
// builds the two programs of bench/footprint (the same listing with the
// client package, and with net/http + encoding/json alone) and the
// postpress CLI, then reports each binary's size and its package
// initialisation (GODEBUG=inittrace=1: the sum of every package's init
// clock time and heap bytes but the runtime's, median of -runs runs).
//
// Run it from bench/ (make footprint). No request leaves the machine: the
// programs are started without an account id or against 127.0.0.1:1, and
// init is over before main runs.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

type program struct {
	name, dir, pkg string // built in dir (relative to bench/)
	args           []string
}

var programs = []program{
	{"stdlib (net/http + encoding/json)", ".", "./footprint/stdlib", nil},
	{"sdk (client package)", ".", "./footprint/sdk", nil},
	// The CLI is built in its own module, with the SDK's go.mod.
	{"postpress CLI", "..", "./cmd/postpress", []string{"version"}},
}

func main() {
	runs := flag.Int("runs", 9, "runs of each program; the median is reported")
	flag.Parse()
	dir, err := os.MkdirTemp("", "footprint")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	fmt.Printf("%-36s %12s %14s %14s\n", "program", "binary bytes", "init ms (med)", "init bytes")
	var base size
	for i, p := range programs {
		bin := filepath.Join(dir, fmt.Sprint(i))
		if out, err := exec.Command("go", "build", "-C", p.dir, "-o", bin, p.pkg).CombinedOutput(); err != nil {
			fail(fmt.Errorf("build %s: %v\n%s", p.pkg, err, out))
		}
		st, err := os.Stat(bin)
		if err != nil {
			fail(err)
		}
		var ms, heap []float64
		for range *runs {
			m, b, err := initCost(bin, p.args)
			if err != nil {
				fail(fmt.Errorf("%s: %w", p.name, err))
			}
			ms, heap = append(ms, m), append(heap, b)
		}
		s := size{st.Size(), median(ms), median(heap)}
		fmt.Printf("%-36s %12d %14.3f %14.0f", p.name, s.bin, s.ms, s.bytes)
		if i == 0 {
			base = s
		} else {
			fmt.Printf("   (%+.2f MB, %+.3f ms against stdlib)", float64(s.bin-base.bin)/1e6, s.ms-base.ms)
		}
		fmt.Println()
	}
}

type size struct {
	bin       int64
	ms, bytes float64
}

// initCost runs bin once and sums the init lines GODEBUG=inittrace=1
// prints ("init pkg @t ms, C ms clock, B bytes, A allocs"), except the
// runtime's own: every Go program runs the same runtime init, and its time
// (a few ms, varying run to run with the machine's load) would only add
// noise to a comparison of what the programs import.
func initCost(bin string, args []string) (ms, heap float64, err error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1", "POSTPRESS_ACCOUNT_ID=",
		"POSTPRESS_API_KEY=footprint", "POSTPRESS_BASE_URL=http://127.0.0.1:1/api/v1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	_ = cmd.Run() // the programs fail without an account: init has run by then
	sc := bufio.NewScanner(&stderr)
	n := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 9 || f[0] != "init" || f[1] == "runtime" {
			continue
		}
		c, err1 := strconv.ParseFloat(f[4], 64)
		b, err2 := strconv.ParseFloat(f[7], 64)
		if err1 != nil || err2 != nil {
			return 0, 0, fmt.Errorf("unexpected inittrace line %q", sc.Text())
		}
		ms, heap, n = ms+c, heap+b, n+1
	}
	if n == 0 {
		return 0, 0, fmt.Errorf("no inittrace lines")
	}
	return ms, heap, nil
}

func median(v []float64) float64 {
	slices.Sort(v)
	return v[len(v)/2]
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "footprint:", err)
	os.Exit(1)
}
