package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/postpresstest"
)

// errConfig marks a client configuration error (no API key, a refused base
// URL): bad input, nothing sent.
var errConfig = errors.New("postpress: configuration")

// sandboxItems is how many invitations the built-in sandbox serves: several
// pages at the API's default limit of 10, two at the CLI's 100.
const sandboxItems = 120

// listFlags are the flags of `invitations received` and `invitations sync`.
type listFlags struct {
	accountID string // the first of accounts
	pageSize  int
	maxItems  int
	cursor    string
	format    string
	baseURL   string
	sandbox   bool
	timeout   time.Duration
	retries   int
	verbose   bool
	validate  bool
	accountFlags
	syncFlags
}

func parseListFlags(env Env, args []string, cmd string) (*listFlags, error) {
	f := &listFlags{}
	fs := flag.NewFlagSet("postpress invitations "+cmd, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	f.accountFlags.register(fs)
	fs.IntVar(&f.pageSize, "page-size", client.DefaultPageSize, fmt.Sprintf("items a page, %d..%d (sent as limit)", client.MinPageSize, client.MaxPageSize))
	if cmd == "sync" {
		f.syncFlags.register(fs)
	}
	if cmd == "received" {
		fs.IntVar(&f.maxItems, "max-items", 0, "stop after N items (per account); 0 = all")
		fs.StringVar(&f.cursor, "cursor", "", "start from this cursor (resume; one account only)")
		fs.BoolVar(&f.validate, "validate", false, "check every response against the spec and the client's decoding, as `contract check` does; disagreements go to stderr (pages are then fetched one at a time; one account only)")
	}
	fs.StringVar(&f.format, "format", "", "table, ndjson, json or csv (default: table on a terminal, else ndjson); ndjson and json write each invitation as the server sent it, members the spec does not list included; csv and table have the spec's columns")
	fs.StringVar(&f.baseURL, "base-url", env.Getenv("POSTPRESS_BASE_URL"), "API base URL (env POSTPRESS_BASE_URL; default "+client.DefaultBaseURL+")")
	fs.BoolVar(&f.sandbox, "sandbox", false, "list from the built-in sandbox, in-process (no key or account needed)")
	fs.DurationVar(&f.timeout, "timeout", client.DefaultAttemptTimeout, "per-attempt timeout")
	fs.IntVar(&f.retries, "retries", client.DefaultMaxRetries, "max retries")
	fs.BoolVar(&f.verbose, "verbose", false, "debug log of each request to stderr (API key redacted)")
	fs.Usage = func() {
		_, _ = fmt.Fprintf(fs.Output(), "Usage: postpress invitations %s [flags]\n\n%sThe API key comes from POSTPRESS_API_KEY.\n\nFlags:\n", cmd, commandHelp[cmd])
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err.Error()}
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
	switch {
	case set["cursor"] && f.cursor == "":
		return nil, usagef("--cursor must not be empty (omit it to start from the beginning)")
	case set["cursor"] && len(f.accounts) > 1:
		return nil, usagef("--cursor resumes one account: give one --account-id with it")
	case f.validate && len(f.accounts) > 1:
		return nil, usagef("--validate checks one account's listing: give one --account-id with it")
	case f.pageSize < client.MinPageSize || f.pageSize > client.MaxPageSize:
		return nil, usagef("--page-size must be %d..%d, got %d", client.MinPageSize, client.MaxPageSize, f.pageSize)
	case f.maxItems < 0:
		return nil, usagef("--max-items must be 0 (all) or more, got %d", f.maxItems)
	case f.retries < 0:
		return nil, usagef("--retries must be 0 or more, got %d", f.retries)
	case f.timeout <= 0:
		return nil, usagef("--timeout must be positive, got %v", f.timeout)
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
	params := client.ListParams{AccountID: f.accountID, Limit: f.pageSize, Cursor: f.cursor, MaxItems: f.maxItems}
	if err := params.Validate(); err != nil {
		return err
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
		client.WithUserAgent("postpress-cli/" + client.Version),
	}
	if env.HTTPClient != nil {
		opts = append(opts, client.WithHTTPClient(env.HTTPClient))
	}
	if f.verbose {
		opts = append(opts, client.WithLogger(slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	opts = append(opts, f.options()...)
	if f.sandbox {
		srv := postpresstest.NewServer(postpresstest.WithAnyAPIKey(), postpresstest.WithAnyAccount(sandboxItems), postpresstest.WithLenientCursors())
		stop = srv.Close
		opts = append(opts, client.WithBaseURL(srv.URL), client.WithAPIKey("pp_sandbox"))
	} else {
		key := env.Getenv(client.EnvAPIKey)
		// The client refuses a key that cannot be a header value.
		if key == "" {
			return nil, stop, fmt.Errorf("%w: no API key: set %s", errConfig, client.EnvAPIKey)
		}
		// The base URL is always passed, so that the client never reads
		// the process environment behind env.Getenv's back.
		base := f.baseURL
		if base == "" {
			base = client.DefaultBaseURL
		}
		opts = append(opts, client.WithAPIKey(key), client.WithBaseURL(base))
	}
	c, err := client.New(append(opts, extra...)...)
	if err != nil {
		stop()
		return nil, func() {}, fmt.Errorf("%w: %w", errConfig, err)
	}
	return c, stop, nil
}

// listOne lists one account; val (nil without --validate) checks each page.
func listOne(ctx context.Context, env Env, f *listFlags, c *client.Client, params client.ListParams, val *checkSession) error {
	w := writers[f.format](env.Stdout)
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
		return describe(ctx, listErr, prog.items, f.timeout)
	}
	if next != "" { // stopped by --max-items with more to list
		_, _ = fmt.Fprintf(env.Stderr, "postpress: stopped at --max-items %d; continue with: --cursor %s\n", f.maxItems, printable(next))
	}
	return nil
}

// describe turns a listing error into the message the user sees: what
// failed, the HTTP status, the API error type, the request id, how many
// items were written, and the cursor to resume from.
func describe(ctx context.Context, err error, written int, timeout time.Duration) error {
	var pe *client.ParamError
	if errors.As(err, &pe) {
		return err
	}
	var b strings.Builder
	cause := err
	var paging *client.PagingError
	if errors.As(err, &paging) {
		cause = paging.Err // the resume point gets its own line below
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		b.WriteString("postpress: interrupted")
	} else {
		fmt.Fprintf(&b, "postpress: listing failed: %s", printable(cause.Error()))
	}
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Fprintf(&b, "\n  HTTP status: %d", apiErr.StatusCode)
		if apiErr.Type != "" {
			fmt.Fprintf(&b, "\n  error type:  %s", printable(string(apiErr.Type)))
			if d := apiErr.Type.Description(); d != "" {
				fmt.Fprintf(&b, " (%s)", d)
			}
		}
		if apiErr.Instance != "" {
			fmt.Fprintf(&b, "\n  request id:  %s", printable(apiErr.Instance))
		}
	}
	if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(&b, "\n  timeout:     an attempt may take at most %v (--timeout)", timeout)
	}
	if paging != nil {
		fmt.Fprintf(&b, "\n  written:     %d items", written)
		// Cursor is "" when the listing failed on its first page and was
		// not started from a cursor: run the same command again.
		if paging.Cursor != "" {
			fmt.Fprintf(&b, "\n  resume with: --cursor %s", printable(paging.Cursor))
		}
	}
	return &listError{msg: b.String(), err: err}
}

// listError is a described listing failure.
type listError struct {
	msg string
	err error
}

func (e *listError) Error() string { return e.msg }
func (e *listError) Unwrap() error { return e.err }
