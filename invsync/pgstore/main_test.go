package pgstore_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests need a PostgreSQL server. With POSTPRESS_PG_URL set (as
// `make pg-test` and .ci/with-postgres.sh set it) they use that server,
// but for the test that restarts its server, which starts a cluster of its
// own; without it, the first test that needs one starts a throwaway cluster
// (initdb in a temporary directory under /tmp, as user postgres when run
// as root, on a free loopback port), and TestMain stops and removes it at
// the end. Where no cluster can be started they skip, saying why, or fail
// when CI is true. POSTPRESS_SKIP_PG=1 skips them.
const (
	urlEnv  = "POSTPRESS_PG_URL"
	skipEnv = "POSTPRESS_SKIP_PG"
	// binEnv names the directory of initdb and pg_ctl, for a PostgreSQL
	// neither on PATH nor in /usr/lib/postgresql/*/bin.
	binEnv = "POSTPRESS_PG_BIN"
)

// Environment of a worker child (TestKilledWorkersAccountsGoToTheOthers):
// the test binary runs one RunShared over childAccounts and prints
// "account/id" a line.
const (
	childSchemaEnv = "PGSTORE_TEST_CHILD_SCHEMA"
	childURLEnv    = "PGSTORE_TEST_CHILD_API"
	childDBEnv     = "PGSTORE_TEST_CHILD_DB"
	childAccounts  = 64
	childItems     = 40
)

// Environment of the reaper child: it waits for its stdin to close (the
// test binary ended, however) and then stops the cluster and removes its
// directory.
const (
	reaperDirEnv   = "PGSTORE_TEST_REAPER_DIR"
	reaperCtlEnv   = "PGSTORE_TEST_REAPER_CTL"
	reaperRunAsEnv = "PGSTORE_TEST_REAPER_RUNAS"
)

// server is the PostgreSQL the tests use.
type server struct {
	url string
	// why there is no server, when url is empty.
	why string
	// pg_ctl, the data directory and the user to run pg_ctl as, for a
	// test that restarts the server ("" for the server of urlEnv).
	ctl, data, runAs string
	// cluster is the throwaway cluster this binary started, or nil.
	cluster *cluster
}

var (
	pgOnce sync.Once
	pg     server
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(reaperDirEnv); dir != "" {
		reap(dir, os.Getenv(reaperCtlEnv), os.Getenv(reaperRunAsEnv))
		os.Exit(0)
	}
	if schema := os.Getenv(childSchemaEnv); schema != "" {
		if err := childWorker(os.Getenv(childDBEnv), schema, os.Getenv(childURLEnv)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	if pg.cluster != nil {
		if err := pg.cluster.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgstore tests: stopping the throwaway PostgreSQL:", err)
		}
	}
	os.Exit(code)
}

// pgURL returns the server's URL; it skips t when POSTPRESS_SKIP_PG=1 or
// when there is no server (it fails t then if CI is true).
func pgURL(t testing.TB) string {
	t.Helper()
	if os.Getenv(skipEnv) == "1" {
		t.Skip(skipEnv + "=1: the PostgreSQL store's tests are skipped")
	}
	pgOnce.Do(func() { pg = findServer() })
	if pg.url == "" {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal("CI=" + os.Getenv("CI") + " and no PostgreSQL for the store's tests (in CI it must be there): " + pg.why)
		}
		t.Skip("no PostgreSQL for the store's tests: " + pg.why)
	}
	return pg.url
}

// findServer returns the server of POSTPRESS_PG_URL, else a throwaway
// cluster it starts.
func findServer() server {
	if u := os.Getenv(urlEnv); u != "" {
		return server{url: u}
	}
	return throwaway()
}

// throwaway starts a throwaway cluster, or says why it cannot.
func throwaway() server {
	const howTo = "; install PostgreSQL (apt-get install postgresql), set " + binEnv + " to the directory holding its initdb, run `make pg-test` (it installs PostgreSQL when missing, as root), or point " + urlEnv + " at a server"
	bin, err := findBin()
	if err != nil {
		return server{why: err.Error() + howTo}
	}
	c, err := startCluster(bin)
	if err != nil {
		return server{why: "cannot start a throwaway cluster with " + bin + ": " + err.Error() + howTo}
	}
	fmt.Fprintf(os.Stderr, "pgstore tests: a throwaway PostgreSQL (%s) on %s\n", bin, c.url)
	return server{url: c.url, ctl: filepath.Join(bin, "pg_ctl"), data: c.data(), runAs: c.runAs, cluster: c}
}

// restartable returns a server that t may restart: the throwaway cluster
// of this binary, or, when the tests use the server of POSTPRESS_PG_URL
// (which other test binaries may be using at the same moment), a throwaway
// cluster that every helper uses until t ends.
func restartable(t *testing.T) server {
	t.Helper()
	pgURL(t)
	if pg.cluster != nil {
		return pg
	}
	own := throwaway()
	if own.url == "" {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal("CI=" + os.Getenv("CI") + " and no PostgreSQL of its own for a test that restarts it: " + own.why)
		}
		t.Skip("this test restarts its server and does not restart " + urlEnv + "'s: " + own.why)
	}
	shared := pg
	pg = own
	t.Cleanup(func() {
		pg = shared
		if err := own.cluster.stop(); err != nil {
			t.Errorf("stopping the test's own PostgreSQL: %v", err)
		}
	})
	return own
}

// findBin returns the directory of initdb and pg_ctl: POSTPRESS_PG_BIN's,
// else initdb's on PATH, else the newest /usr/lib/postgresql/*/bin.
func findBin() (string, error) {
	if dir := os.Getenv(binEnv); dir != "" {
		if !executable(filepath.Join(dir, "initdb")) {
			return "", fmt.Errorf("no initdb in %s=%s", binEnv, dir)
		}
		return dir, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return majorOf(b) - majorOf(a) })
	for _, d := range dirs {
		if executable(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	return "", errors.New("initdb is neither on PATH nor in /usr/lib/postgresql/*/bin")
}

// majorOf is the version in /usr/lib/postgresql/VERSION/bin (0 if none).
func majorOf(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// cluster is a throwaway PostgreSQL cluster: data directory dir/data,
// server log dir/server.log, socket in dir.
type cluster struct {
	dir, ctl, runAs, url string
	reaper               *exec.Cmd
	reaperIn             io.WriteCloser
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

// startCluster runs initdb and starts the server, as user postgres when
// run as root (initdb refuses root). A reaper child stops the server and
// removes the directory once this process ends, however it ends.
func startCluster(bin string) (_ *cluster, err error) {
	// Under /tmp (not $TMPDIR, which may sit in a directory user postgres
	// cannot enter).
	tmp := "/tmp"
	if _, err := os.Stat(tmp); err != nil {
		tmp = os.TempDir()
	}
	dir, err := os.MkdirTemp(tmp, "postpress-pg.")
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, ctl: filepath.Join(bin, "pg_ctl")}
	if os.Geteuid() == 0 {
		if err := chownToPostgres(dir); err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		c.runAs = "postgres"
	}
	if err := c.startReaper(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = c.stop()
		}
	}()
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	if err := c.run(filepath.Join(bin, "initdb"), "-D", c.data(), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"); err != nil {
		return nil, fmt.Errorf("initdb: %w", err)
	}
	// fsync off: a throwaway cluster; nothing in it outlives the run.
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200", port, dir)
	if err := c.run(c.ctl, "-D", c.data(), "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		return nil, fmt.Errorf("pg_ctl start: %w\n%s", err, log)
	}
	c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return c, nil
}

// chownToPostgres gives dir to user postgres, creating the user if there
// is none.
func chownToPostgres(dir string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		if b, err := exec.Command("useradd", "--system", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "postgres").CombinedOutput(); err != nil {
			return fmt.Errorf("useradd postgres: %w: %s", err, b)
		}
		if u, err = user.Lookup("postgres"); err != nil {
			return err
		}
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return err
	}
	if err := os.Chown(dir, uid, -1); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// freePort returns a loopback port nobody listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// run runs a PostgreSQL program as the cluster's user; its output is in
// the error.
func (c *cluster) run(args ...string) error {
	return runAs(c.runAs, args...)
}

func runAs(user string, args ...string) error {
	if user != "" {
		args = append([]string{"runuser", "-u", user, "--"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "PGCTLTIMEOUT=60")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(b)))
	}
	return nil
}

// startReaper starts this binary again as the reaper of c.
func (c *cluster) startReaper() error {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), reaperDirEnv+"="+c.dir, reaperCtlEnv+"="+c.ctl, reaperRunAsEnv+"="+c.runAs)
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the reaper: %w", err)
	}
	c.reaper, c.reaperIn = cmd, in
	return nil
}

// stop has the reaper stop the server and remove the directory, and waits
// for it.
func (c *cluster) stop() error {
	_ = c.reaperIn.Close()
	done := make(chan error, 1)
	go func() { done <- c.reaper.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("the reaper: %w", err)
		}
	case <-time.After(2 * time.Minute):
		return errors.New("the reaper has not ended after 2 minutes")
	}
	if _, err := os.Stat(c.dir); err == nil {
		return fmt.Errorf("%s is still there", c.dir)
	}
	return nil
}

// reap waits for stdin to close, then stops the cluster in dir and
// removes dir. Interrupts are for the test binary: the reaper outlives it.
func reap(dir, ctl, user string) {
	signal.Ignore(os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	_, _ = io.Copy(io.Discard, os.Stdin)
	if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); err == nil {
		_ = runAs(user, ctl, "-D", filepath.Join(dir, "data"), "-m", "immediate", "-w", "stop")
	}
	_ = os.RemoveAll(dir)
}
