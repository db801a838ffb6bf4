package cli

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"
	"sync"

	"golang.org/x/time/rate"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
)

// stringList is a flag that may repeat.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// accountFlags are the flags that choose the accounts and how many are
// listed at once.
type accountFlags struct {
	// accounts are the accounts to list, in order, each once.
	accounts    []string
	ids         stringList
	file        string
	concurrency int
	rate        float64
}

func (a *accountFlags) register(fs *flag.FlagSet) {
	fs.Var(&a.ids, accountFlag, "account `ID` to list from; repeat for several (env POSTPRESS_ACCOUNT_ID when neither this nor --accounts-file is given)")
	fs.StringVar(&a.file, "accounts-file", "", "`FILE` of account ids, one a line (blank lines and lines starting with # are skipped)")
	fs.IntVar(&a.concurrency, "concurrency", multi.DefaultConcurrency, "accounts listed at once")
	fs.Float64Var(&a.rate, "rate", 0, "at most N requests a second over all accounts (retries included); 0 = no limit")
}

// resolve gathers the accounts from --account-id, --accounts-file and the
// environment, and checks them.
func (a *accountFlags) resolve(env Env, op *listOp, sandbox bool, set map[string]bool) error {
	for _, id := range a.ids {
		if id == "" {
			return usagef("--account-id must not be empty")
		}
		a.accounts = append(a.accounts, id)
	}
	if a.file != "" {
		ids, err := readAccountsFile(a.file)
		if err != nil {
			return err
		}
		a.accounts = append(a.accounts, ids...)
	} else if set["accounts-file"] {
		return usagef("--accounts-file must not be empty")
	}
	if len(a.accounts) == 0 && !set["account-id"] && !set["accounts-file"] {
		switch id := env.Getenv("POSTPRESS_ACCOUNT_ID"); {
		case id != "":
			a.accounts = []string{id}
		case sandbox:
			a.accounts = []string{sandboxAccount}
		}
	}
	if len(a.accounts) == 0 {
		if set["accounts-file"] {
			return usagef("--accounts-file %s lists no account", a.file)
		}
		return usagef("--account-id is required (or --accounts-file, or set POSTPRESS_ACCOUNT_ID)")
	}
	seen := map[string]bool{}
	for _, id := range a.accounts {
		if seen[id] {
			return usagef("account %q is given more than once", printable(id))
		}
		seen[id] = true
		if err := checkParamValue(op, accountParam, id); err != nil {
			if pe := (*client.ParamError)(nil); errors.As(err, &pe) {
				return &usageError{paramMessage(pe, id)}
			}
			return usagef("--account-id %q: %v", printable(id), err)
		}
	}
	if a.rate < 0 {
		return usagef("--rate must be 0 (no limit) or more, got %v", a.rate)
	}
	if a.concurrency < 1 {
		return usagef("--concurrency must be 1 or more, got %d", a.concurrency)
	}
	return nil
}

// readAccountsFile reads one account id a line; blank lines and lines
// whose first non-blank character is # are skipped.
func readAccountsFile(path string) ([]string, error) {
	f, err := os.Open(path) //nolint:gosec // G304: reading the file named by --accounts-file is the point
	if err != nil {
		return nil, usagef("--accounts-file: %v", err)
	}
	defer func() { _ = f.Close() }()
	var ids []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.ContainsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' }) {
			return nil, usagef("--accounts-file %s:%d: %q is not one account id (one id a line; comments on lines of their own)", path, n, printable(line))
		}
		ids = append(ids, line)
	}
	if err := sc.Err(); err != nil {
		return nil, usagef("--accounts-file %s: %v", path, err)
	}
	return ids, nil
}

// options are the client options of the account flags.
func (a *accountFlags) options() []client.Option {
	var opts []client.Option
	if a.rate > 0 {
		opts = append(opts, client.WithRateLimiter(rate.NewLimiter(rate.Limit(a.rate), 1)))
	}
	return opts
}

// leads returns a row's leading fields: the account (named as the API
// names its parameter, account_id) when several accounts are listed, and
// change when a sync reports removals.
func (a *accountFlags) leads(account, change string) []lead {
	var l []lead
	if len(a.accounts) > 1 {
		l = append(l, lead{accountParam, account})
	}
	if change != "" {
		l = append(l, lead{"change", change})
	}
	return l
}

// leadNames are the names of the lead columns every row of the command
// has (see leads): account_id with several accounts, change with a sync's
// --removed.
func (f *listFlags) leadNames() []string {
	var names []string
	if len(f.accounts) > 1 {
		names = append(names, accountParam)
	}
	if f.removed {
		names = append(names, "change")
	}
	return names
}

// listMany is a listing over several accounts: listed at once, every row
// led by its account_id, the failed accounts reported on stderr at the end.
func listMany(ctx context.Context, env Env, f *listFlags, c *client.Client) error {
	for _, id := range f.accounts {
		q := cloneParams(f.params)
		err := setParam(q, accountParam, id)
		if err == nil {
			err = checkParams(f.op, q)
		}
		if err != nil {
			return describe(ctx, err, 0, failure{})
		}
	}
	w := f.newWriter(env.Stdout)
	var failed []*multi.AccountError
	var outErr error
	written := map[string]int{}
	for ap, err := range accountPages(ctx, f.op, c, f.concurrency, f.accounts, f.params) {
		var ae *multi.AccountError
		switch {
		case errors.As(err, &ae):
			failed = append(failed, ae)
			continue
		case err != nil:
			outErr = err
		}
		if outErr != nil {
			break
		}
		for _, it := range ap.page.items {
			if outErr = w.write(f.leads(ap.account, ""), it); outErr != nil {
				break
			}
			written[ap.account]++
		}
		if outErr == nil {
			outErr = w.flush()
		}
		if outErr != nil {
			outErr = fmt.Errorf("postpress: writing output: %w", outErr)
			break
		}
	}
	if err := w.close(); err != nil && outErr == nil {
		outErr = fmt.Errorf("postpress: writing output: %w", err)
	}
	if outErr != nil {
		return outErr
	}
	return reportFailed(ctx, env.Stderr, failed, written, len(f.accounts), failure{timeout: f.timeout, baseURL: f.baseURL, path: f.op.path, resume: f.op.cursorParam})
}

// accountPage is a page of one account's listing.
type accountPage struct {
	account string
	page    *page
}

// accountPages lists op for several accounts at once, at most concurrency
// of them at a time, each on its own pager over params with the account
// set, as multi.Lister does for the client's listings: pages of different
// accounts interleave, those of one account come in order. A failed
// account yields a *multi.AccountError with its resume cursor and the
// others go on; when ctx ends, every account not yet complete gets one.
// Breaking out of the loop stops every listing and waits for them to end.
func accountPages(ctx context.Context, op *listOp, c *client.Client, concurrency int, accounts []string, params any) iter.Seq2[accountPage, error] {
	return func(yield func(accountPage, error) bool) {
		type result struct {
			page accountPage
			err  error
		}
		lctx, cancel := context.WithCancel(ctx)
		results := make(chan result)
		work := make(chan string, len(accounts))
		for _, id := range accounts {
			work <- id
		}
		close(work)
		var wg sync.WaitGroup
		for range min(cmp.Or(concurrency, multi.DefaultConcurrency), len(accounts)) {
			wg.Go(func() {
				for id := range work {
					q := cloneParams(params)
					if err := setParam(q, accountParam, id); err != nil {
						results <- result{page: accountPage{account: id}, err: &multi.AccountError{AccountID: id, Err: err}}
						continue
					}
					p := op.open(c, q)
					for p.HasMorePages() {
						pg, err := p.NextPage(lctx)
						r := result{page: accountPage{account: id, page: pg}}
						if err != nil {
							r = result{page: accountPage{account: id}, err: &multi.AccountError{AccountID: id, Cursor: p.Cursor(), Err: err}}
						}
						// Every result is taken: by the loop below, or by
						// the drain after it.
						results <- r
					}
					p.Close()
				}
			})
		}
		go func() {
			wg.Wait()
			close(results)
		}()
		defer func() {
			cancel()
			// Drain: each worker ends once its sends are taken.
			for range results {
			}
		}()
		for r := range results {
			if !yield(r.page, r.err) {
				return
			}
		}
	}
}

// reportFailed lists the failed accounts on w, each with its cause and
// how to resume it, and returns an error (exit 1) when there is one.
func reportFailed(ctx context.Context, w io.Writer, failed []*multi.AccountError, written map[string]int, total int, fl failure) error {
	if len(failed) == 0 {
		return nil
	}
	for _, ae := range failed {
		fl.account = ae.AccountID
		_, _ = fmt.Fprintln(w, describe(ctx, ae.Err, written[ae.AccountID], fl).Error())
	}
	return &listError{msg: fmt.Sprintf("postpress: %d of %d accounts failed (listed above); the others completed", len(failed), total), err: failed[0]}
}
