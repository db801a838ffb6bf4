package cli

import (
	"context"
	"flag"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/boltstore"
	"github.com/postpress/postpress-go/invsync/pgstore"
)

// syncFlags are the flags of `invitations sync` besides the listing's.
type syncFlags struct {
	state     string
	removed   bool
	lease     time.Duration
	intoTable string
}

func (s *syncFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.state, "state", "", "state: a `FILE` (created when missing; one run at a time) or a postgres:// URL (workers share the accounts); required")
	fs.BoolVar(&s.removed, "removed", false, "also print the invitations gone since the last run (accepted, declined or withdrawn), with change=removed and only their id")
	fs.DurationVar(&s.lease, "lease", pgstore.DefaultLeaseTime, "with a postgres:// state: how long a worker holds an account without renewing; a dead worker's accounts go to the others this long after")
	fs.StringVar(&s.intoTable, "into-table", "", "with a postgres:// state: also upsert the new invitations into this `TABLE` (created when missing), in the transaction that records them: exactly once")
}

// isPostgres reports whether --state names a PostgreSQL database.
func isPostgres(state string) bool {
	return strings.HasPrefix(state, "postgres://") || strings.HasPrefix(state, "postgresql://")
}

// syncStore is the store --state names.
type syncStore interface {
	invsync.Store
	Close() error
}

// openSyncStore opens the store --state names: a file is bbolt's, a
// postgres:// URL pgstore's.
func openSyncStore(ctx context.Context, f *listFlags) (syncStore, string, error) {
	if !isPostgres(f.state) {
		for name, set := range map[string]bool{"lease": f.lease != pgstore.DefaultLeaseTime, "into-table": f.intoTable != ""} {
			if set {
				return nil, "", usagef("--%s needs a postgres:// --state (a state file is one run at a time, and holds no table)", name)
			}
		}
		st, err := boltstore.Open(f.state)
		return st, f.state, err
	}
	st, err := pgstore.Open(ctx, f.state, pgstore.Options{LeaseTime: f.lease, Table: f.intoTable})
	if err != nil {
		return nil, "", err
	}
	return st, pgstore.Redact(f.state), nil
}

// syncOutput writes a sync's events as rows.
type syncOutput struct {
	w       leadWriter
	f       *listFlags
	written map[string]int
}

func (o *syncOutput) Write(ev *invsync.Event) error {
	change := ""
	if o.f.removed {
		change = ev.Kind.String()
	}
	o.written[ev.AccountID]++
	return o.w.writeLead(o.f.leads(ev.AccountID, change), &ev.Invitation, ev.Kind == invsync.Removed)
}

func (o *syncOutput) Flush() error { return o.w.flush() }

// syncInvitations is `postpress invitations sync`.
func syncInvitations(ctx context.Context, env Env, args []string) error {
	f, err := parseListFlags(env, args, "sync")
	if err != nil {
		return err
	}
	if f.state == "" {
		return usagef("--state is required: the file (or postgres:// database) that remembers what earlier runs printed")
	}
	c, stop, err := newClient(env, f)
	if err != nil {
		return err
	}
	defer stop()
	st, where, err := openSyncStore(ctx, f)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()

	out := &syncOutput{w: f.newWriter(env.Stdout), f: f, written: map[string]int{}}
	s := &invsync.Syncer{Store: st, Removed: f.removed, Invitations: f.intoTable != "", Batch: f.concurrency}
	pages := func(accounts []string) iter.Seq2[multi.AccountPage, error] {
		return (multi.Lister{Client: c, Concurrency: f.concurrency}).Pages(ctx, accounts, f.params)
	}
	var (
		res    invsync.Result
		runErr error
		rest   string
	)
	if _, shared := st.(invsync.Claimer); shared {
		rest = "; other workers list the rest"
		res, runErr = s.RunShared(ctx, f.accounts, pages, out)
	} else {
		res, runErr = s.Run(ctx, pages(f.accounts), out)
	}
	if err := out.w.close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("postpress: writing output: %w", err)
	}
	removed := ""
	if f.removed {
		removed = fmt.Sprintf(", %d removed", res.Removed)
	}
	_, _ = fmt.Fprintf(env.Stderr, "postpress: sync: %d new%s from %d of %d accounts (state %s%s)\n",
		res.New, removed, res.Accounts, len(f.accounts), where, rest)
	if runErr != nil {
		return fmt.Errorf("%w\npostpress: the state keeps what was committed before this error; the next run prints again what this one printed since", runErr)
	}
	return reportFailed(ctx, env.Stderr, res.Failed, out.written, len(f.accounts), failure{timeout: f.timeout, baseURL: f.baseURL, resume: "sync"})
}
