package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/postpresstest"
)

// sandboxItems is how many invitations the built-in sandbox serves: several
// pages at the API's default limit, two at the CLI's page size (120 when
// that is 100).
const sandboxItems = client.DefaultPageSize * 6 / 5

// listFlags are the flags of `invitations received` and `invitations sync`.
type listFlags struct {
	accountID string            // the first of accounts
	params    client.ListParams // one flag a query parameter (params.go), AccountID aside
	maxItems  int
	format    string
	baseURL   string
	sandbox   bool
	timeout   time.Duration
	retries   int
	verbose   bool
	validate  bool
	csvRaw    bool
	accountFlags
	syncFlags
}

func parseListFlags(env Env, args []string, cmd string) (*listFlags, error) {
	f := &listFlags{params: client.ListParams{Limit: client.DefaultPageSize}}
	fs := flag.NewFlagSet("postpress invitations "+cmd, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	f.accountFlags.register(fs)
	// A sync lists every account from the start: the flags receivedOnly
	// names (such as the cursor) are not its own.
	params := registerParams(fs, &f.params, func(name string) bool { _, only := receivedOnly[name]; return cmd == "sync" && only })
	if cmd == "sync" {
		f.syncFlags.register(fs)
	}
	if cmd == "received" {
		fs.IntVar(&f.maxItems, "max-items", 0, "stop after N items (per account); 0 = all")
		fs.BoolVar(&f.validate, "validate", false, "check every response against the spec, as 'contract check' does; a summary of the disagreements goes to stderr (pages are then fetched one at a time; one account only)")
	}
	fs.StringVar(&f.format, "format", "", "table, ndjson, json or csv (default: table on a terminal, else ndjson); ndjson and json write each invitation as the server sent it, members the spec does not list included; csv and table have the spec's columns")
	fs.BoolVar(&f.csvRaw, "csv-raw", false, "with --format csv, write every cell as it came, even one a spreadsheet would run as a formula (by default a cell starting with =, +, -, @, tab or carriage return gets a leading ')")
	fs.StringVar(&f.baseURL, "base-url", env.Getenv("POSTPRESS_BASE_URL"), "API base URL (env POSTPRESS_BASE_URL; default "+client.DefaultBaseURL+")")
	fs.BoolVar(&f.sandbox, "sandbox", false, "list from the built-in sandbox, in-process (no key or account needed)")
	fs.DurationVar(&f.timeout, "timeout", client.DefaultAttemptTimeout, "per-attempt timeout")
	fs.IntVar(&f.retries, "retries", client.DefaultMaxRetries, "max retries")
	fs.BoolVar(&f.verbose, "verbose", false, "debug log of each request to stderr (API key redacted)")
	fs.Usage = func() {
		_, _ = fmt.Fprintf(fs.Output(), "Usage: postpress invitations %s [flags]\n\n%sThe API key comes from POSTPRESS_API_KEY.\n\nFlags:\n", cmd, commandHelp[cmd])
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if f.sandbox && set["base-url"] {
		return nil, usagef("--sandbox and --base-url exclude each other (the sandbox runs in-process)")
	}
	if err := f.resolve(env, f.sandbox, set); err != nil {
		return nil, err
	}
	f.accountID = f.accounts[0]
	if err := params.check(); err != nil {
		return nil, err
	}
	switch {
	case set["cursor"] && len(f.accounts) > 1:
		return nil, usagef("--cursor resumes one account: give one --account-id with it")
	case f.validate && len(f.accounts) > 1:
		return nil, usagef("--validate checks one account's listing: give one --account-id with it")
	}
	if err := checkOptions(flagOption{"max-items", client.WithMaxItems(f.maxItems)},
		flagOption{"retries", client.WithMaxRetries(f.retries)}, flagOption{"timeout", client.WithAttemptTimeout(f.timeout)}); err != nil {
		return nil, err
	}
	if f.format == "" {
		f.format = "ndjson"
		if env.StdoutTTY {
			f.format = "table"
		}
	}
	if _, ok := writers[f.format]; !ok {
		return nil, usagef("--format must be table, ndjson, json or csv, got %q", f.format)
	}
	return f, nil
}

// listReceived is `postpress invitations received`.
func listReceived(ctx context.Context, env Env, args []string) error {
	f, err := parseListFlags(env, args, "received")
	if err != nil {
		return err
	}
	var val *checkSession // --validate
	var extra []client.Option
	if f.validate {
		if val, err = newCheckSession(env, env.Getenv(client.EnvAPIKey), false, true); err != nil {
			return err
		}
		extra = val.clientOptions(env)
	}
	c, closeSandbox, err := newClient(env, f, extra...)
	if err != nil {
		return err
	}
	defer closeSandbox()
	if len(f.accounts) > 1 {
		return listMany(ctx, env, f, c)
	}
	params := f.params
	params.AccountID = f.accountID
	if err := client.ValidateParams(params); err != nil {
		return describe(ctx, err, 0, failure{})
	}
	return listOne(ctx, env, f, c, params, val)
}

// newClient builds the client the flags describe, with extra options last
// (on an in-process sandbox with --sandbox: call the returned func to stop
// it).
func newClient(env Env, f *listFlags, extra ...client.Option) (*client.Client, func(), error) {
	stop := func() {}
	opts := []client.Option{
		client.WithAttemptTimeout(f.timeout),
		client.WithMaxRetries(f.retries),
		client.WithMaxItems(f.maxItems),
		client.WithUserAgent("postpress-cli/" + client.Version),
	}
	if env.HTTPClient != nil {
		opts = append(opts, client.WithHTTPClient(env.HTTPClient))
	}
	if f.verbose {
		opts = append(opts, client.WithLogger(slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	opts = append(opts, f.options()...)
	base := ""
	if f.sandbox {
		srv := postpresstest.NewServer(postpresstest.WithAnyAPIKey(), postpresstest.WithAnyAccount(sandboxItems), postpresstest.WithLenientCursors())
		stop = srv.Close
		opts = append(opts, client.WithBaseURL(srv.URL), client.WithAPIKey(sandboxKey))
	} else {
		key := env.Getenv(client.EnvAPIKey)
		// The client refuses a key that cannot be a header value.
		if key == "" {
			return nil, stop, noAPIKey()
		}
		// The base URL is always passed, so that the client never reads
		// the process environment behind env.Getenv's back.
		base = f.baseURL
		if base == "" {
			base = client.DefaultBaseURL
		}
		if err := checkBaseURL(base); err != nil {
			return nil, stop, err
		}
		opts = append(opts, client.WithAPIKey(key), client.WithBaseURL(base))
	}
	c, err := client.New(append(opts, extra...)...)
	if err != nil {
		stop()
		return nil, func() {}, baseURLError(base, err)
	}
	return c, stop, nil
}

// listOne lists one account; val (nil without --validate) checks each page.
func listOne(ctx context.Context, env Env, f *listFlags, c *client.Client, params client.ListParams, val *checkSession) error {
	w := f.newWriter(env.Stdout)
	// The progress line is for a person at a terminal waiting on a long
	// listing; --verbose logs every request instead.
	prog := &progress{w: env.Stderr, on: env.StderrTTY && !f.verbose}
	var listErr error
	var next string // the last page's NextCursor
	for page, err := range c.Pages(ctx, params) {
		if err != nil {
			listErr = err
			break
		}
		val.page(page)
		prog.clear() // stdout may be the same terminal
		for i := range page.Items {
			if err := w.write(&page.Items[i]); err != nil {
				listErr = fmt.Errorf("postpress: writing output: %w", err)
				break
			}
			prog.items++
		}
		if listErr != nil {
			break
		}
		if err := w.flush(); err != nil {
			listErr = fmt.Errorf("postpress: writing output: %w", err)
			break
		}
		prog.pages++
		next = page.NextCursor
		// The page that reaches --max-items has a NextCursor when the
		// account has more, but the listing ends there.
		if next != "" && (f.maxItems == 0 || prog.items < f.maxItems) {
			prog.draw()
		}
	}
	prog.finish()
	val.finish(listErr)
	if err := w.close(); err != nil && listErr == nil {
		listErr = fmt.Errorf("postpress: writing output: %w", err)
	}
	if listErr != nil {
		return describe(ctx, listErr, prog.items, failure{timeout: f.timeout, baseURL: f.baseURL, resume: "cursor"})
	}
	if next != "" { // stopped by --max-items with more to list
		_, _ = fmt.Fprintf(env.Stderr, "postpress: stopped at --max-items %d; continue with: --cursor %s\n", f.maxItems, printable(next))
	}
	return nil
}
