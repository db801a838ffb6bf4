package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/postpresstest"
)

// The sandbox's key and account: any would do; these are what `postpress
// sandbox` tells a user to export, and what --sandbox lists by default.
const (
	sandboxKey     = "pp_sandbox"
	sandboxAccount = "acc_sandbox"
)

// sandbox is `postpress sandbox`: postpresstest's fake API on a real port,
// for clients in any language.
func sandbox(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("postpress sandbox", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (HOST:PORT; port 0 picks a free one)")
	items := fs.Int("items", sandboxItems, "items per account")
	seed := fs.Int64("seed", 1, "seed of the generated invitations")
	live := fs.Bool("live-shaped", false, "serve data shaped like the live API's: members the docs do not list, null in nullable strings")
	list := fs.Bool("scenarios", false, "print the scenarios (failures on demand: magic account ids, Prefer headers) and exit")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	case *items < 0:
		return usagef("--items must be 0 or more, got %d", *items)
	}
	if *list {
		return printScenarios(env.Stdout, postpresstest.Scenarios())
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return usagef("--addr must be HOST:PORT: %v", err)
	}
	// A well-formed address that cannot be listened on (in use, not this
	// machine's) is a failure, not a usage error.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("postpress sandbox: %w", err)
	}
	opts := []postpresstest.Option{
		postpresstest.WithAnyAPIKey(),
		postpresstest.WithAnyAccount(*items),
		postpresstest.WithSeed(*seed),
		postpresstest.WithLenientCursors(),
	}
	if *live {
		opts = append(opts, postpresstest.WithLiveShapedData())
	}
	fake := postpresstest.NewFake(opts...)
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	base := "http://" + ln.Addr().String() + postpresstest.BasePath
	var gets []string
	for _, o := range listOps {
		gets = append(gets, "GET "+base+o.path)
	}
	_, _ = fmt.Fprintf(env.Stdout, "postpress sandbox: serving the fake API at %s (%s); Ctrl-C stops it\n", base, strings.Join(gets, ", "))
	_, _ = fmt.Fprintf(env.Stdout, "any non-empty X-API-KEY and any %s are accepted; %d items per account\n", accountParam, *items)
	shape := "spec-exact data"
	if *live {
		shape = "live-shaped data (members the docs do not list, null in nullable strings)"
	}
	_, _ = fmt.Fprintf(env.Stdout, "failures on demand (magic %s values, Prefer headers): GET http://%s%s lists them, as does postpress sandbox --scenarios; %s\n",
		accountParam, ln.Addr(), postpresstest.ScenariosPath, shape)
	_, _ = fmt.Fprintf(env.Stdout, "In another shell, paste these lines, then run: postpress %s\n", listOps[0].name())
	_, _ = fmt.Fprintf(env.Stdout, "export %s=%s\nexport %s=%s\nexport POSTPRESS_ACCOUNT_ID=%s\n",
		client.EnvBaseURL, base, client.EnvAPIKey, sandboxKey, sandboxAccount)
	if env.Ready != nil {
		env.Ready(base)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("postpress sandbox: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("postpress sandbox: shutdown: %w", err)
	}
	_, _ = fmt.Fprintln(env.Stdout, "postpress sandbox: stopped")
	return nil
}

// printScenarios writes the scenarios as an aligned table: the account id
// that asks for each, its status, type and Retry-After, the Prefer header
// that asks for the same on any account, and what it does.
func printScenarios(w io.Writer, list []postpresstest.Scenario) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "ACCOUNT\tSTATUS\tTYPE\tRETRY-AFTER\tPREFER HEADER\tWHAT IT DOES")
	for _, sc := range list {
		_, _ = fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", sc.Account, sc.Status, dash(sc.Type), dash(sc.RetryAfter), dash(sc.Header), sc.Description)
	}
	return tw.Flush()
}

// dash is s, or "-" for an empty cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
