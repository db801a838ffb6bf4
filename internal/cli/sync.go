package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"iter"
	"reflect"
	"strings"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/boltstore"
	"github.com/postpress/postpress-go/invsync/pgstore"
)

// `invitations sync` is specific to received invitations (package invsync
// syncs client.Invitation listings of client.ListParams): it lists the
// operation whose parameters are client.ListParams, syncOp.

// syncOp is the operation a sync lists.
func syncOp() *listOp {
	for _, o := range listOps {
		if _, ok := o.newParams().(*client.ListParams); ok && o.item == reflect.TypeFor[client.Invitation]() {
			return o
		}
	}
	panic("postpress: no list operation of client.ListParams and client.Invitation to sync")
}

// syncCommand is the sync's command line: the first word of its
// operation's command, then sync.
func syncCommand() string { return syncOp().command[0] + " sync" }

// syncHelp is the paragraph under the sync's usage line.
const syncHelp = "Prints the invitations not seen by earlier runs on the same --state file,\nthen records them (--removed: also those gone since, marked change=removed).\nStdout carries only rows; counts go to stderr. Run it from cron.\n\n"

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
	w       writer
	f       *listFlags
	written map[string]int
}

func (o *syncOutput) Write(ev *invsync.Event) error {
	change := ""
	if o.f.removed {
		change = ev.Kind.String()
	}
	o.written[ev.AccountID]++
	var it item = &ev.Invitation
	if ev.Kind == invsync.Removed {
		raw, err := json.Marshal(map[string]string{idMember: ev.Invitation.ID})
		if err != nil {
			return err
		}
		it = &removedInvitation{Invitation: ev.Invitation, raw: raw}
	}
	return o.w.write(o.f.leads(ev.AccountID, change), it)
}

// removedInvitation is the row of a removed invitation: a store keeps ids,
// so its JSON is its id alone, and its other columns are empty.
type removedInvitation struct {
	client.Invitation
	raw json.RawMessage
}

func (r *removedInvitation) RawJSON() json.RawMessage { return r.raw }

// idMember is the JSON name of the invitation's id, from the generated
// type's tag.
var idMember = func() string {
	f, _ := reflect.TypeFor[client.Invitation]().FieldByName("ID")
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}()

func (o *syncOutput) Flush() error { return o.w.flush() }

// syncInvitations is `postpress invitations sync`.
func syncInvitations(ctx context.Context, env Env, args []string) error {
	f, err := parseListFlags(env, args, syncOp(), true)
	if err != nil {
		return err
	}
	if f.state == "" {
		return usagef("--state is required: the file (or postgres:// database) that remembers what earlier runs printed")
	}
	c, stop, err := newClient(env, &f.connFlags, f.options()...)
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
		return (multi.Lister{Client: c, Concurrency: f.concurrency}).Pages(ctx, accounts, *f.params.(*client.ListParams))
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
	return reportFailed(ctx, env.Stderr, res.Failed, out.written, len(f.accounts), failure{timeout: f.timeout, baseURL: f.baseURL, path: f.op.path, sync: true})
}
