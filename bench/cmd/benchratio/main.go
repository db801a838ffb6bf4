// Command benchratio reads `go test -bench` output (several rounds of the
// bench module's and the client package's benchmarks, concatenated) and
// prints the ratios of the client to the other implementations, from the
// median of each benchmark over the rounds, each with its goal (MET or
// MISSED) where one is set; the others are for information. It also prints
// the CPU time a listing of 10,000 invitations costs the library and the
// CLI.
//
//	go run ./cmd/benchratio out/raw.txt
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// results[name][unit] are the values of every round.
type results map[string]map[string][]float64

var suffix = regexp.MustCompile(`-\d+$`)

func parse(path string, r results) error {
	f, err := os.Open(path) //nolint:gosec // G304, G703: reading the file named on the command line is the point
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := suffix.ReplaceAllString(fields[0], "")
		if r[name] == nil {
			r[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				break
			}
			r[name][fields[i+1]] = append(r[name][fields[i+1]], v)
		}
	}
	return sc.Err()
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchratio FILE...")
		os.Exit(2)
	}
	r := results{}
	for _, p := range os.Args[1:] {
		if err := parse(p, r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	get := func(name, unit string) (float64, int) {
		v := r[name][unit]
		return median(v), len(v)
	}
	ratio := func(label, num, den, unit string, goal float64) {
		a, na := get(num, unit)
		b, nb := get(den, unit)
		if na == 0 || nb == 0 || b == 0 {
			fmt.Printf("  %-44s  n/a (missing %s or %s)\n", label, num, den)
			return
		}
		line := fmt.Sprintf("  %-44s  %6.3f  (%.0f / %.0f %s, median of %d/%d runs", label, a/b, a, b, unit, na, nb)
		// The same ratio within each round (the k-th result of each is
		// from round k), which the machine's drift between rounds
		// disturbs less.
		if na == nb {
			var per []float64
			for k := range na {
				if d := r[den][unit][k]; d != 0 {
					per = append(per, r[num][unit][k]/d)
				}
			}
			line += fmt.Sprintf("; per round %.3f, range %.3f–%.3f", median(per), slices.Min(per), slices.Max(per))
		}
		line += ")"
		if goal > 0 {
			verdict := "MET"
			if a/b > goal {
				verdict = "MISSED"
			}
			line += fmt.Sprintf("  goal ≤ %.2f: %s", goal, verdict)
		}
		fmt.Println(line)
	}
	value := func(label, name, unit string) {
		v, n := get(name, unit)
		if n == 0 {
			fmt.Printf("  %-44s  n/a\n", label)
			return
		}
		fmt.Printf("  %-44s  %.0f %s (median of %d runs)\n", label, v, unit, n)
	}
	const e2e, dec = "BenchmarkPage/e2e/impl=", "BenchmarkDecode/impl="
	fmt.Println("End to end, one 100-item page on loopback, for information (ns/op):")
	ratio("client / ogen", e2e+"client", e2e+"ogen", "ns/op", 0)
	ratio("net/http+encoding/json / ogen", e2e+"nethttp-encjson", e2e+"ogen", "ns/op", 0)
	ratio("floor (HTTP only) / ogen", e2e+"floor", e2e+"ogen", "ns/op", 0)
	ratio("client / ogen (B/op)", e2e+"client", e2e+"ogen", "B/op", 0)
	ratio("client / ogen (allocs/op)", e2e+"client", e2e+"ogen", "allocs/op", 0)
	pair := "BenchmarkPage/pair/client-vs-ogen"
	if v, n := get(pair, "client/ogen"); n > 0 {
		vs := r[pair]["client/ogen"]
		fmt.Printf("  %-44s  %6.3f  (median of %d runs, range %.3f–%.3f)\n",
			"client / ogen, alternating 20-page blocks", v, n, slices.Min(vs), slices.Max(vs))
	}
	fmt.Println("Decode only, one page (ns/op):")
	ratio("client decoder (encoding/json) / ogen", "BenchmarkDecodePage/impl=client", dec+"ogen", "ns/op", 0)
	ratio("encoding/json/v2 (Go 1.27 only) / ogen", dec+"encoding-json-v2", dec+"ogen", "ns/op", 0)
	ratio("encoding/json / ogen", dec+"encoding-json", dec+"ogen", "ns/op", 0)
	ratio("goccy/go-json / ogen", dec+"goccy", dec+"ogen", "ns/op", 0)
	ratio("go-json-experiment v2 / ogen", dec+"jsonexp-v2", dec+"ogen", "ns/op", 0)
	ratio("go-json-experiment v1 / ogen", dec+"jsonexp-v1", dec+"ogen", "ns/op", 0)
	ratio("client decoder / encoding/json (client pkg)", "BenchmarkDecodePage/impl=client", "BenchmarkDecodePage/impl=encoding-json", "ns/op", 0)
	fmt.Println("Prefetch, 20-page sync, L = T (ns/op; bound of a one-page lookahead: 21/40 = 0.525):")
	ratio("prefetch / sequential, L = T = 4 ms", "BenchmarkPrefetch/LT=4ms/mode=prefetch", "BenchmarkPrefetch/LT=4ms/mode=sequential", "ns/op", 0.55)
	ratio("prefetch / sequential, L = T = 10 ms", "BenchmarkPrefetch/LT=10ms/mode=prefetch", "BenchmarkPrefetch/LT=10ms/mode=sequential", "ns/op", 0.55)
	fmt.Println("Round trips (requests per listing, must equal ⌈n/100⌉):")
	value("n=1000", "BenchmarkListAll/n=1000", "requests/op")
	value("n=10000", "BenchmarkListAll/n=10000", "requests/op")
	fmt.Println("Memory while iterating 100,000 invitations:")
	value("peak heap above baseline", "BenchmarkIterate/n=100000", "peak-heap-B")
	value("largest live heap above baseline", "BenchmarkIterate/n=100000", "live-heap-B")
	fmt.Println("Many accounts: 64 accounts × 3 pages, 10 ms latency, concurrency 8 (bound ⌈64/8⌉×3×10 ms = 240 ms; one-by-one ideal 1/8):")
	for _, size := range []string{"100", "10"} {
		acc := "BenchmarkAccounts/page=" + size + "/mode="
		// The bound assumes free CPU; the floor (the same requests, bare
		// net/http) measures what the machine gives, and is the goal's.
		for _, mode := range []string{"concurrent", "floor"} {
			if v, n := get(acc+mode, "x-bound"); n > 0 {
				vs := r[acc+mode]["x-bound"]
				fmt.Printf("  %-44s  %6.3f  (median of %d runs, range %.3f–%.3f)\n",
					mode+" / bound, pages of "+size, v, n, slices.Min(vs), slices.Max(vs))
			}
		}
		ratio("concurrent / floor, pages of "+size, acc+"concurrent", acc+"floor", "ns/op", 1.10)
		ratio("concurrent / one-by-one, pages of "+size, acc+"concurrent", acc+"one-by-one", "ns/op", 0)
	}
	fmt.Println("Sync state, 1,000 accounts × 1,000 invitations (second run: nothing new):")
	ratio("second / first run, state time", "BenchmarkSyncState/run=second", "BenchmarkSyncState/run=first", "store-ms/op", 0)
	ratio("second / first run, whole run", "BenchmarkSyncState/run=second", "BenchmarkSyncState/run=first", "ns/op", 0)
	value("first run, bytes written", "BenchmarkSyncState/run=first", "written-B/op")
	value("second run, bytes written", "BenchmarkSyncState/run=second", "written-B/op")
	value("state file", "BenchmarkSyncState/run=second", "state-file-B")
	fmt.Println("CPU time of a listing, per 10,000 invitations in pages of 100 (the server runs in a process of its own, not counted):")
	// The Node SDK's figure is the one recorded side by side with the CLI
	// (1.93 s of CPU for 32,000 invitations, the lowest of its runs), per
	// 10,000; it is not measured here.
	const nodeMs = 1930.0 / 3.2
	cpu := func(label, name string) {
		v, n := get(name, "cpu-ms/10k")
		if n == 0 {
			fmt.Printf("  %-44s  n/a\n", label)
			return
		}
		vs := r[name]["cpu-ms/10k"]
		verdict := "MET"
		if v > nodeMs/2 {
			verdict = "MISSED"
		}
		fmt.Printf("  %-44s  %.1f cpu-ms (median of %d runs, range %.1f–%.1f; %.2f × the Node SDK's recorded %.0f ms)  goal ≤ 0.50 ×: %s\n",
			label, v, n, slices.Min(vs), slices.Max(vs), v/nodeMs, nodeMs, verdict)
	}
	cpu("library, c.Invitations", "BenchmarkListingCPU/impl=library")
	cpu("CLI, ndjson (start-up included)", "BenchmarkListingCPU/impl=cli-ndjson")
	value("bare net/http GETs of the same pages", "BenchmarkListingCPU/impl=floor", "cpu-ms/10k")
	fmt.Println("Bytes on the wire per page (response headers and body):")
	value("identity", "BenchmarkWire/enc=identity", "wire-B/page")
	value("gzip", "BenchmarkWire/enc=gzip", "wire-B/page")
	value("decoded body", "BenchmarkWire/enc=gzip", "body-B/page")
}
