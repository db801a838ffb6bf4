package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/postpresstest"
)

// sandboxItems is how many items the built-in sandbox serves an account:
// several pages at the API's default page size, two at the largest (when
// that is 100, the CLI's default).
const sandboxItems = 120

// The defaults of --timeout and --retries: the client's own (client.New
// without options).
const (
	defaultTimeout = 30 * time.Second
	defaultRetries = 2
)

// connFlags are the flags that say where and how requests go, shared by
// the listing commands and `contract check`.
type connFlags struct {
	baseURL string
	sandbox bool
	timeout time.Duration
	retries int
	verbose bool
}

// register defines the flags; retries is --retries's default and
// retriesUsage its help.
func (c *connFlags) register(env Env, fs *flag.FlagSet, sandboxUsage string, retries int, retriesUsage string) {
	fs.StringVar(&c.baseURL, "base-url", env.Getenv("POSTPRESS_BASE_URL"), "API base URL (env POSTPRESS_BASE_URL; default "+client.DefaultBaseURL+")")
	fs.BoolVar(&c.sandbox, "sandbox", false, sandboxUsage)
	fs.DurationVar(&c.timeout, "timeout", defaultTimeout, "per-attempt timeout")
	fs.IntVar(&c.retries, "retries", retries, retriesUsage)
}

// exclusive refuses flags that exclude each other; set are the flags given.
func (c *connFlags) exclusive(set map[string]bool) error {
	if c.sandbox && set["base-url"] {
		return usagef("--sandbox and --base-url exclude each other (the sandbox runs in-process)")
	}
	return nil
}

// checkOptions refuses a value of the flags that the client refuses.
func (c *connFlags) checkOptions() error {
	return checkOptions(flagOption{"retries", client.WithMaxRetries(c.retries)}, flagOption{"timeout", client.WithAttemptTimeout(c.timeout)})
}

// listFlags are the flags of a listing command and of `invitations sync`.
type listFlags struct {
	op        *listOp
	accountID string       // the first of accounts ("" when op has no account)
	params    any          // op's parameters: one flag a query parameter (params.go), the account aside
	given     paramFlagSet // the parameter flags
	maxItems  int
	format    string
	validate  bool
	csvRaw    bool
	connFlags
	accountFlags
	syncFlags
}

// accountFlag is the flag of the query parameter that names the account
// to list from; a command whose operation has that parameter lists one
// account or several (accounts.go).
const accountFlag = "account-id"

// accountParam is the query parameter --account-id sets.
var accountParam = func() string {
	for _, pf := range paramFlags {
		if pf.flag == accountFlag {
			return pf.param
		}
	}
	return ""
}()

// parseListFlags parses the flags of op's listing command, or with sync
// those of `invitations sync` (which lists op).
func parseListFlags(env Env, args []string, op *listOp, sync bool) (*listFlags, error) {
	f := &listFlags{op: op, params: op.newParams()}
	name := op.name()
	if sync {
		name = syncCommand()
	}
	if op.limitParam != "" {
		if err := setParam(f.params, op.limitParam, strconv.Itoa(op.maxLimit)); err != nil {
			return nil, err
		}
	}
	fs := flag.NewFlagSet("postpress "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	accounts := op.hasParam(accountParam)
	if accounts {
		f.accountFlags.register(fs)
	}
	// A sync lists every account from the start: the flags listOnly names
	// (such as the cursor) are not its own.
	f.given = registerParams(fs, op, f.params, func(flag string) bool { _, only := listOnly[flag]; return sync && only })
	if sync {
		f.syncFlags.register(fs)
	} else {
		fs.IntVar(&f.maxItems, "max-items", 0, "stop after N items (per account); 0 = all")
		fs.BoolVar(&f.validate, "validate", false, "check every response against the spec, as 'contract check' does; a summary of the disagreements goes to stderr (pages are then fetched one at a time; one account only)")
	}
	fs.StringVar(&f.format, "format", "", "table, ndjson, json or csv (default: table on a terminal, else ndjson); ndjson and json write each item as the server sent it, members the spec does not list included; csv and table have the spec's columns")
	fs.BoolVar(&f.csvRaw, "csv-raw", false, "with --format csv, write every cell as it came, even one a spreadsheet would run as a formula (by default a cell starting with =, +, -, @, tab or carriage return gets a leading ')")
	f.connFlags.register(env, fs, "list from the built-in sandbox, in-process (no key or account needed)", defaultRetries, "max retries")
	fs.BoolVar(&f.verbose, "verbose", false, "debug log of each request to stderr (API key redacted)")
	fs.Usage = func() {
		help := listHelp(op, accounts)
		if sync {
			help = syncHelp
		}
		_, _ = fmt.Fprintf(fs.Output(), "Usage: postpress %s [flags]\n\n%sThe API key comes from POSTPRESS_API_KEY.\n\nFlags:\n", name, help)
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
	if err := f.exclusive(set); err != nil {
		return nil, err
	}
	if accounts {
		if err := f.resolve(env, op, f.sandbox, set); err != nil {
			return nil, err
		}
		f.accountID = f.accounts[0]
	}
	if err := f.given.check(op); err != nil {
		return nil, err
	}
	switch {
	case op.cursorParam != "" && set[flagOf(op.cursorParam)[2:]] && len(f.accounts) > 1:
		return nil, usagef("%s resumes one account: give one --%s with it", flagOf(op.cursorParam), accountFlag)
	case f.validate && len(f.accounts) > 1:
		return nil, usagef("--validate checks one account's listing: give one --account-id with it")
	}
	if err := checkOptions(flagOption{"max-items", client.WithMaxItems(f.maxItems)}); err != nil {
		return nil, err
	}
	if err := f.connFlags.checkOptions(); err != nil {
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

// listHelp is the paragraph under a listing command's usage line.
func listHelp(op *listOp, accounts bool) string {
	s := op.summary + " (" + op.operationID + "), every page.\n"
	if accounts {
		s += fmt.Sprintf("With several accounts (--%s repeated, --accounts-file) they are listed\nat once and every row carries %s; failed accounts are listed on stderr\nwith their resume cursors.\n", accountFlag, accountParam)
	}
	return s + "\n"
}

// listCommand is op's listing command (`postpress invitations received`).
func listCommand(ctx context.Context, env Env, op *listOp, args []string) error {
	f, err := parseListFlags(env, args, op, false)
	if err != nil {
		return err
	}
	var val *checkSession // --validate
	var extra []client.Option
	if f.validate {
		if val, err = newCheckSession(env, env.Getenv(client.EnvAPIKey), false, true); err != nil {
			return err
		}
		extra = val.clientOptions()
	}
	c, closeSandbox, err := newClient(env, &f.connFlags, append(f.options(), append([]client.Option{client.WithMaxItems(f.maxItems)}, extra...)...)...)
	if err != nil {
		return err
	}
	defer closeSandbox()
	if len(f.accounts) > 1 {
		return listMany(ctx, env, f, c)
	}
	params := f.params
	if f.accountID != "" {
		if err := setParam(params, accountParam, f.accountID); err != nil {
			return err
		}
	}
	if err := checkParams(f.op, params); err != nil {
		return describe(ctx, err, 0, failure{})
	}
	return listOne(ctx, env, f, c, params, val)
}

// newClient builds the client the flags describe, with extra options last
// (on an in-process sandbox with --sandbox: call the returned func to stop
// it).
func newClient(env Env, f *connFlags, extra ...client.Option) (*client.Client, func(), error) {
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

// newWriter returns the writer of --format for the command's rows.
func (f *listFlags) newWriter(out io.Writer) writer {
	return writers[f.format](out, writerConfig{op: f.op, leads: f.leadNames(), raw: f.csvRaw})
}

// listOne lists one account (or an operation without accounts); val (nil
// without --validate) checks each page.
func listOne(ctx context.Context, env Env, f *listFlags, c *client.Client, params any, val *checkSession) error {
	w := f.newWriter(env.Stdout)
	// The progress line is for a person at a terminal waiting on a long
	// listing; --verbose logs every request instead.
	prog := &progress{w: env.Stderr, on: env.StderrTTY && !f.verbose}
	var listErr error
	var next string // the last page's NextCursor
	p := f.op.open(c, params)
	defer p.Close()
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			listErr = err
			break
		}
		val.page(page)
		prog.clear() // stdout may be the same terminal
		for _, it := range page.items {
			if err := w.write(nil, it); err != nil {
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
		next = page.next
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
	fl := failure{timeout: f.timeout, baseURL: f.baseURL, path: f.op.path, resume: f.op.cursorParam}
	if listErr != nil {
		return describe(ctx, listErr, prog.items, fl)
	}
	if next != "" { // stopped by --max-items with more to list
		_, _ = fmt.Fprintf(env.Stderr, "postpress: stopped at --max-items %d; continue with: %s %s\n", f.maxItems, flagOf(f.op.cursorParam), printable(next))
	}
	return nil
}
