package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// 8. CPU time a listing of 10,000 invitations costs: the library iterating
// c.Invitations, and the postpress CLI writing ndjson. The server runs in
// a process of its own (this test binary, started with serveEnv set), so
// that neither figure includes the server's CPU: the library's is this
// process's CPU time during the listing (getrusage RUSAGE_SELF), the CLI's
// its own process's, start-up included (user and system time of the
// finished process).
const listingItems = 10_000

// serveEnv set to a count makes this test binary a Server of that many
// invitations instead of running tests (TestMain): it prints its base URL
// on a line, then answers each "requests" line on stdin with the count of
// requests it has answered since the last one, and exits when stdin closes.
const serveEnv = "POSTPRESS_BENCH_SERVE"

func TestMain(m *testing.M) {
	if n := os.Getenv(serveEnv); n != "" {
		os.Exit(serve(n))
	}
	os.Exit(m.Run())
}

func serve(n string) int {
	total, err := strconv.Atoi(n)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s=%q: %v\n", serveEnv, n, err)
		return 2
	}
	s := NewServer(total)
	defer s.Close()
	fmt.Println(s.BaseURL())
	sc := bufio.NewScanner(os.Stdin)
	var last int64
	for sc.Scan() {
		if sc.Text() == "requests" {
			n := s.Requests()
			fmt.Println(n - last)
			last = n
		}
	}
	return 0
}

// serverProcess is a Server of listingItems invitations in a child process.
type serverProcess struct {
	baseURL string
	in      io.WriteCloser
	out     *bufio.Scanner
}

func startServerProcess(tb testing.TB) *serverProcess {
	tb.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), serveEnv+"="+strconv.Itoa(listingItems))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = in.Close()
		_ = cmd.Wait()
	})
	p := &serverProcess{in: in, out: bufio.NewScanner(out)}
	if !p.out.Scan() {
		tb.Fatalf("server process: no base URL (%v)", p.out.Err())
	}
	p.baseURL = p.out.Text()
	return p
}

// requests returns the requests the server answered since the last call.
func (p *serverProcess) requests(tb testing.TB) int64 {
	tb.Helper()
	if _, err := io.WriteString(p.in, "requests\n"); err != nil {
		tb.Fatal(err)
	}
	if !p.out.Scan() {
		tb.Fatalf("server process: no request count (%v)", p.out.Err())
	}
	n, err := strconv.ParseInt(p.out.Text(), 10, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// cliListing is the command line of the CLI's listing the benchmark runs
// (the API key is in the environment).
func cliListing(baseURL string) []string {
	return []string{"invitations", "received", "--base-url", baseURL, "--account-id", account, "--format", "ndjson"}
}

// cpuTime is user and system CPU time.
type cpuTime struct{ user, sys time.Duration }

func (c cpuTime) add(d cpuTime) cpuTime { return cpuTime{c.user + d.user, c.sys + d.sys} }

func selfCPU(tb testing.TB) cpuTime {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return cpuTime{time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())}
}

// reportCPU reports the CPU time spent over b.N listings as milliseconds
// per 10,000 invitations, and the requests per listing.
func reportCPU(b *testing.B, spent cpuTime, requests int64) {
	per := func(d time.Duration) float64 {
		return float64(d) / float64(time.Millisecond) / float64(b.N) * 10_000 / listingItems
	}
	b.ReportMetric(per(spent.user+spent.sys), "cpu-ms/10k")
	b.ReportMetric(per(spent.user), "user-ms/10k")
	b.ReportMetric(per(spent.sys), "sys-ms/10k")
	b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
}

func BenchmarkListingCPU(b *testing.B) {
	// The library: c.Invitations with the client's defaults (pages of
	// 100, prefetch on).
	b.Run("impl=library", func(b *testing.B) {
		srv := startServerProcess(b)
		c := newClientAt(b, srv.baseURL)
		srv.requests(b)
		var spent cpuTime
		for b.Loop() {
			before := selfCPU(b)
			n, err := listAll(b.Context(), c)
			after := selfCPU(b)
			if err != nil || n != listingItems {
				b.Fatalf("listed %d of %d: %v", n, listingItems, err)
			}
			spent = spent.add(cpuTime{after.user - before.user, after.sys - before.sys})
		}
		reportCPU(b, spent, srv.requests(b))
	})
	// The same requests, one after the other, as bare net/http GETs that
	// read and discard each body: the HTTP part of the library's figure.
	b.Run("impl=floor", func(b *testing.B) {
		srv := startServerProcess(b)
		hc := httpClient()
		defer hc.CloseIdleConnections()
		srv.requests(b)
		var spent cpuTime
		for b.Loop() {
			before := selfCPU(b)
			err := floorListing(b.Context(), hc, srv.baseURL)
			after := selfCPU(b)
			if err != nil {
				b.Fatal(err)
			}
			spent = spent.add(cpuTime{after.user - before.user, after.sys - before.sys})
		}
		reportCPU(b, spent, srv.requests(b))
	})
	// The CLI, built from the SDK's tree (this module's replacement) or
	// the binary cliEnv names, writing ndjson into a file.
	b.Run("impl=cli-ndjson", func(b *testing.B) {
		bin := buildCLI(b)
		srv := startServerProcess(b)
		outPath := filepath.Join(b.TempDir(), "out.ndjson")
		env := []string{"POSTPRESS_API_KEY=k_bench"}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "POSTPRESS_") {
				env = append(env, kv)
			}
		}
		srv.requests(b)
		var spent cpuTime
		for b.Loop() {
			out, err := os.Create(outPath)
			if err != nil {
				b.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd := exec.Command(bin, cliListing(srv.baseURL)...)
			cmd.Env, cmd.Stdout, cmd.Stderr = env, out, &stderr
			err = cmd.Run()
			_ = out.Close()
			if err != nil {
				b.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.Bytes())
			}
			spent = spent.add(cpuTime{cmd.ProcessState.UserTime(), cmd.ProcessState.SystemTime()})
			b.StopTimer()
			if lines, err := countLines(outPath); err != nil || lines != listingItems {
				b.Fatalf("the CLI wrote %d lines of ndjson, want %d (%v)", lines, listingItems, err)
			}
			b.StartTimer()
		}
		reportCPU(b, spent, srv.requests(b))
	})
}

// floorListing fetches the listing's pages of 100 in order, each a bare
// GET whose body is read and discarded.
func floorListing(ctx context.Context, hc *http.Client, baseURL string) error {
	for off := 0; off < listingItems; off += PageSize {
		u := fmt.Sprintf("%s/users/invite/received?account_id=%s&limit=%d", baseURL, account, PageSize)
		if off > 0 {
			u += "&cursor=c" + strconv.Itoa(off)
		}
		if err := discardGET(ctx, hc, u); err != nil {
			return err
		}
	}
	return nil
}

// cliEnv names a postpress binary to measure instead of building one.
const cliEnv = "POSTPRESS_BENCH_CLI"

// buildCLI builds ./cmd/postpress of the SDK's module (bench's parent
// directory) into a temporary directory, or returns the binary cliEnv
// names.
func buildCLI(tb testing.TB) string {
	tb.Helper()
	if bin := os.Getenv(cliEnv); bin != "" {
		return bin
	}
	bin := filepath.Join(tb.TempDir(), "postpress")
	cmd := exec.Command("go", "build", "-C", "..", "-o", bin, "./cmd/postpress")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build ./cmd/postpress: %v\n%s", err, out)
	}
	return bin
}

func countLines(path string) (int, error) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: the benchmark's own temporary file
	return bytes.Count(b, []byte("\n")), err
}
