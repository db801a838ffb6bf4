// Package invsync reports only what is new: the invitations that earlier
// runs have not seen, per account, and (optionally) the ones gone since the
// last run. A Syncer compares what a listing of several accounts delivers
// (multi.Lister.Pages) with what a Store recorded, writes the
// differences to an Output, and records them in the Store once the Output
// has flushed them:
//
//	st, err := boltstore.Open("invitations.state") // refused while another run holds it
//	if err != nil {
//		return err
//	}
//	defer st.Close()
//	s := &invsync.Syncer{Store: st}
//	res, err := s.Run(ctx, (multi.Lister{Client: c}).Pages(ctx, accounts, client.ListParams{}), out)
//
// # Nothing lost
//
// The Store is changed only after Output.Flush returned, and each change is
// one atomic Store.Commit. A run that stops at any instant (killed, an error,
// a failed account) leaves the state as of its last commit, so the next run
// reports again what was written but not committed, and never skips
// anything: delivery is at least once. An event is committed only once it
// was written and flushed.
//
// A listing the server changes while it runs can shift items across pages:
// one listed twice is reported once; one skipped counts as gone for that
// run (reported removed with Removed) and is reported new again by the
// next run, so nothing is lost, at the price of a repeat.
//
// # The store
//
// Store is small on purpose, so that a database of the caller's own can
// stand behind a Syncer. Package invsync/boltstore is the embedded default:
// one file, no server, one run at a time. Package invsync/pgstore keeps the
// state in PostgreSQL and is a Claimer too: several workers, with
// Syncer.RunShared, share the accounts. This package imports neither, nor
// does package client import this one.
package invsync

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/gen"
)

// Store keeps, per account, the ids of the invitations recorded by earlier
// runs. A Store used by a Syncer must not be used by another run at the
// same time: refuse the second user when opening (boltstore does, with
// ErrLocked), or the runs' commits interleave.
type Store interface {
	// Seen returns the ids recorded for account, in any order; none for an
	// account never recorded.
	Seen(ctx context.Context, account string) ([]string, error)
	// Commit records every change, all or none: after an error (or a crash
	// in the middle) the Store is as before the call.
	Commit(ctx context.Context, changes []Change) error
}

// Change is what one commit changes for one account.
type Change struct {
	// AccountID is the account.
	AccountID string
	// Added are ids to record.
	Added []string
	// Removed are ids to forget.
	Removed []string
	// Invitations are the invitations of Added, in the same order, when
	// Syncer.Invitations is set (for a Store that keeps them, such as
	// pgstore with a table); nil otherwise.
	Invitations []client.Invitation
}

// Errors a Store reports when it is opened (boltstore wraps them with the
// path).
var (
	// ErrLocked means another run holds the state.
	ErrLocked = errors.New("the state is in use by another run")
	// ErrInvalidState means the state is not a state of this package
	// (corrupt, or another program's file); it is left as it is.
	ErrInvalidState = errors.New("not a valid invitation sync state")
)

// Kind says what an Event reports.
type Kind int

const (
	// New is an invitation that no earlier run recorded.
	New Kind = iota + 1
	// Removed is an invitation recorded earlier that the account no longer
	// lists (accepted, declined or withdrawn).
	Removed
)

// String returns "new" or "removed".
func (k Kind) String() string {
	switch k {
	case New:
		return "new"
	case Removed:
		return "removed"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Event is one invitation a run reports.
type Event struct {
	// Kind is New or Removed.
	Kind Kind
	// AccountID is the account the invitation belongs to.
	AccountID string
	// Invitation is the invitation as listed, for New. For Removed only its
	// ID is set: a Store keeps ids, not invitations.
	Invitation client.Invitation
}

// Output receives a run's events.
type Output interface {
	// Write receives one event.
	Write(ev *Event) error
	// Flush makes every event written so far reach its destination (a
	// file, a pipe, a queue). The Syncer commits those events to the Store
	// only after Flush returns nil.
	Flush() error
}

// DefaultCommitEvery is Syncer.CommitEvery's default.
const DefaultCommitEvery = 50_000

// Syncer reports what is new since the last run.
type Syncer struct {
	// Store keeps the state between runs. Required.
	Store Store
	// Removed also reports the invitations gone since the last run. They
	// are found when an account's listing completes (an account that
	// failed has none this run), and forgotten by the Store whether
	// reported or not, so that the state holds what the accounts list.
	Removed bool
	// CommitEvery commits after a flush once this many ids are pending,
	// besides the commit at the end of the run, so that a long run killed
	// late repeats less; 0 means DefaultCommitEvery.
	CommitEvery int
	// Invitations passes the new invitations themselves to Store.Commit
	// (Change.Invitations), not only their ids.
	Invitations bool
	// Batch is how many accounts RunShared claims at a time; 0 means
	// DefaultBatch.
	Batch int
}

// Result is what a run did.
type Result struct {
	// Accounts is how many accounts were listed to the end.
	Accounts int
	// New and Removed count the events written (Removed stays 0 unless
	// Syncer.Removed is set).
	New, Removed int
	// Failed are the accounts whose listing stopped: their new invitations
	// written before the failure are recorded, their removals are not
	// looked for. Resume (or run again) to complete them.
	Failed []*multi.AccountError
	// StoreTime is the time spent in Store calls.
	StoreTime time.Duration
	// Commits is how many Store.Commit calls were made (none when nothing
	// changed).
	Commits int
}

// account is the state of one account while its pages arrive.
type account struct {
	// seen maps every recorded id, and every id listed this run, to
	// whether this run listed it.
	seen map[string]bool
}

// Run takes the pages of several accounts (multi.Lister.Pages), writes
// an Event for every invitation the Store has not recorded for its account
// (and, with Removed, for every recorded one an account's complete listing
// no longer has), and records them in the Store after out flushed them.
//
// A failed account (a *multi.AccountError in pages) is reported in
// Result.Failed and the run goes on (when ctx ends, every account not yet
// complete fails, and what was written is still committed: Store.Commit
// gets ctx without its cancellation); any other error from pages, out or the
// Store stops the run and is returned, with the state as of the last commit
// (so its events come again next run). An invitation listed twice in one
// run (the list shifted under the cursor) is reported once; one without an
// id cannot be recorded and is reported by every run.
func (s *Syncer) Run(ctx context.Context, pages iter.Seq2[multi.AccountPage, error], out Output) (Result, error) {
	var res Result
	if s.Store == nil {
		return res, errors.New("invsync: Syncer.Store is nil")
	}
	every := s.CommitEvery
	if every <= 0 {
		every = DefaultCommitEvery
	}
	open := map[string]*account{}
	pending := map[string]*Change{}
	npending := 0
	commit := func() error {
		if npending == 0 {
			return nil
		}
		if err := out.Flush(); err != nil {
			return fmt.Errorf("invsync: flush output: %w", err)
		}
		changes := make([]Change, 0, len(pending))
		for _, id := range slices.Sorted(maps.Keys(pending)) {
			changes = append(changes, *pending[id])
		}
		start := time.Now()
		// What was written is committed even when ctx has ended (an
		// interrupted run keeps what it printed): the commit runs
		// without ctx's cancellation.
		err := s.Store.Commit(context.WithoutCancel(ctx), changes)
		res.StoreTime += time.Since(start)
		if err != nil {
			return fmt.Errorf("invsync: commit state: %w", err)
		}
		res.Commits++
		clear(pending)
		npending = 0
		return nil
	}
	change := func(id string) *Change {
		ch := pending[id]
		if ch == nil {
			ch = &Change{AccountID: id}
			pending[id] = ch
		}
		return ch
	}
	var ev Event
	for ap, err := range pages {
		if err != nil {
			var ae *multi.AccountError
			if !errors.As(err, &ae) {
				return res, err
			}
			res.Failed = append(res.Failed, ae)
			delete(open, ae.AccountID)
			continue
		}
		acc := open[ap.AccountID]
		if acc == nil {
			start := time.Now()
			ids, err := s.Store.Seen(ctx, ap.AccountID)
			res.StoreTime += time.Since(start)
			if err != nil {
				return res, fmt.Errorf("invsync: read state of account %s: %w", ap.AccountID, err)
			}
			acc = &account{seen: make(map[string]bool, len(ids))}
			for _, id := range ids {
				acc.seen[id] = false
			}
			open[ap.AccountID] = acc
		}
		for i := range ap.Page.Items {
			inv := &ap.Page.Items[i]
			if inv.ID == "" {
				// Without an id it cannot be recorded: it is new every run.
				ev = Event{Kind: New, AccountID: ap.AccountID, Invitation: *inv}
				if err := out.Write(&ev); err != nil {
					return res, fmt.Errorf("invsync: write output: %w", err)
				}
				res.New++
				continue
			}
			listed, recorded := acc.seen[inv.ID]
			if listed {
				continue
			}
			acc.seen[inv.ID] = true
			if recorded {
				continue
			}
			ev = Event{Kind: New, AccountID: ap.AccountID, Invitation: *inv}
			if err := out.Write(&ev); err != nil {
				return res, fmt.Errorf("invsync: write output: %w", err)
			}
			ch := change(ap.AccountID)
			ch.Added = append(ch.Added, inv.ID)
			if s.Invitations {
				ch.Invitations = append(ch.Invitations, *inv)
			}
			npending++
			res.New++
		}
		if ap.Page.NextCursor == "" {
			var gone []string
			for id, listed := range acc.seen {
				if !listed {
					gone = append(gone, id)
				}
			}
			slices.Sort(gone)
			for _, id := range gone {
				if !s.Removed {
					break
				}
				ev = Event{Kind: Removed, AccountID: ap.AccountID, Invitation: client.Invitation{InvitationReceived: gen.InvitationReceived{ID: id}}}
				if err := out.Write(&ev); err != nil {
					return res, fmt.Errorf("invsync: write output: %w", err)
				}
				res.Removed++
			}
			if len(gone) > 0 {
				ch := change(ap.AccountID)
				ch.Removed = append(ch.Removed, gone...)
				npending += len(gone)
			}
			delete(open, ap.AccountID)
			res.Accounts++
		}
		if npending >= every {
			if err := commit(); err != nil {
				return res, err
			}
		}
	}
	if err := out.Flush(); err != nil {
		return res, fmt.Errorf("invsync: flush output: %w", err)
	}
	return res, commit()
}
