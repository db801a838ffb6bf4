package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/boltstore"
)

// syncFlags are the flags of `invitations sync` besides the listing's.
type syncFlags struct {
	state   string
	removed bool
}

func (s *syncFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.state, "state", "", "state `FILE` (created when missing; one run at a time); required")
	fs.BoolVar(&s.removed, "removed", false, "also print the invitations gone since the last run (accepted, declined or withdrawn), with change=removed and only their id")
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
		return usagef("--state is required: the file that remembers what earlier runs printed")
	}
	c, stop, err := newClient(env, f)
	if err != nil {
		return err
	}
	defer stop()
	st, err := boltstore.Open(f.state)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()

	out := &syncOutput{w: f.newWriter(env.Stdout), f: f, written: map[string]int{}}
	s := &invsync.Syncer{Store: st, Removed: f.removed}
	res, runErr := s.Run(ctx, c.PagesForAccounts(ctx, f.accounts, f.params), out)
	if err := out.w.close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("postpress: writing output: %w", err)
	}
	removed := ""
	if f.removed {
		removed = fmt.Sprintf(", %d removed", res.Removed)
	}
	_, _ = fmt.Fprintf(env.Stderr, "postpress: sync: %d new%s from %d of %d accounts (state %s)\n",
		res.New, removed, res.Accounts, len(f.accounts), f.state)
	if runErr != nil {
		return fmt.Errorf("%w\npostpress: the state keeps what was committed before this error; the next run prints again what this one printed since", runErr)
	}
	return reportFailed(ctx, env.Stderr, res.Failed, out.written, len(f.accounts), failure{timeout: f.timeout, baseURL: f.baseURL, resume: "sync"})
}
