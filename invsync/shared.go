package invsync

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/postpress/postpress-go/client/multi"
)

// Claimer is a Store that several workers share (processes on one machine
// or many, each with a Syncer and a Claimer of its own over the same state):
// each account is held by one worker at a time, under a lease that the
// worker renews while it lists the account and that lapses when the worker
// dies, so that another worker takes the account over. Package
// invsync/pgstore is one.
//
// A Claimer's Commit records only changes of accounts this worker holds,
// and fails (changing nothing) when another worker has taken one over: a
// Syncer never records as its own what another worker may have reported.
type Claimer interface {
	Store
	// BeginRound starts this worker's round over accounts (every worker
	// of the round passes the same accounts, or overlapping ones). Claim
	// hands out only accounts that no worker completed since BeginRound.
	BeginRound(ctx context.Context, accounts []string) error
	// Claim leases to this worker up to n of the round's accounts that no
	// worker holds, that none completed since the round began, and that
	// this worker has not released in this round. held is how many of the
	// round's other accounts other workers hold: with nothing claimed and
	// held 0, the round is over.
	Claim(ctx context.Context, n int) (claimed []string, held int, err error)
	// Renew extends the leases of accounts, all held by this worker; an
	// error when one was lost (it expired and another worker took it).
	Renew(ctx context.Context, accounts []string) error
	// Release ends this worker's leases of accounts; those also in done
	// were listed to the end and are complete for the round.
	Release(ctx context.Context, accounts, done []string) error
	// LeaseTime is how long a lease lasts without Renew.
	LeaseTime() time.Duration
}

// ErrLeaseLost means another worker took over an account this worker held
// (its lease expired: the worker stalled, or lost the database, for longer
// than the lease time). What this worker wrote for the account since its
// last commit is not recorded, and the other worker reports it again.
var ErrLeaseLost = errors.New("the lease on an account expired and another worker took it over")

// DefaultBatch is Syncer.Batch's default.
const DefaultBatch = multi.DefaultConcurrency

// RunShared is Run for workers sharing the accounts through a Claimer (the
// Store must be one): it claims Batch accounts at a time, lists them with
// pages (multi.Lister.Pages, which lists them concurrently) while
// renewing their leases, commits, releases them, and claims more until no
// account of the round is left, waiting for the accounts other workers hold
// (a dead worker's come free when their leases expire; it asks again every
// quarter of the lease time, 20 ms to 1 s apart). The Result sums the
// batches.
//
// A round is each worker's own: an account that another worker completed
// before this one began its round is listed again (finding nothing new),
// so start the workers together. Each invitation is reported by one
// worker, except when a worker loses an account's lease (stalled past the
// lease time, or killed) after writing and before committing: then the
// worker that takes the account over reports those again (delivery stays
// at least once; nothing is skipped).
func (s *Syncer) RunShared(ctx context.Context, accounts []string, pages func(accounts []string) iter.Seq2[multi.AccountPage, error], out Output) (Result, error) {
	var total Result
	cl, ok := s.Store.(Claimer)
	if !ok {
		return total, fmt.Errorf("invsync: RunShared needs a Store that is a Claimer (%T is not)", s.Store)
	}
	batch := s.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	if err := cl.BeginRound(ctx, accounts); err != nil {
		return total, fmt.Errorf("invsync: begin round: %w", err)
	}
	poll := min(max(cl.LeaseTime()/4, 20*time.Millisecond), time.Second)
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		claimed, held, err := cl.Claim(ctx, batch)
		if err != nil {
			return total, fmt.Errorf("invsync: claim accounts: %w", err)
		}
		if len(claimed) == 0 {
			if held == 0 {
				return total, nil
			}
			// Other workers hold the rest: wait for them to complete
			// the accounts, or for their leases to lapse.
			select {
			case <-ctx.Done():
				return total, ctx.Err()
			case <-time.After(poll):
			}
			continue
		}
		res, err := s.runClaimed(ctx, cl, claimed, pages, out)
		total.add(&res)
		failed := make(map[string]bool, len(res.Failed))
		for _, f := range res.Failed {
			failed[f.AccountID] = true
		}
		var done []string
		if err == nil {
			done = slices.DeleteFunc(slices.Clone(claimed), func(a string) bool { return failed[a] })
		}
		start := time.Now()
		relErr := cl.Release(context.WithoutCancel(ctx), claimed, done)
		total.StoreTime += time.Since(start)
		if err != nil {
			return total, err
		}
		if relErr != nil {
			return total, fmt.Errorf("invsync: release accounts: %w", relErr)
		}
	}
}

// runClaimed runs one batch, renewing its leases every third of the lease
// time (10 ms apart at least); a lost lease ends the batch (its accounts
// fail, what was written is committed for the accounts still held, and the
// commit reports the loss).
func (s *Syncer) runClaimed(ctx context.Context, cl Claimer, claimed []string, pages func([]string) iter.Seq2[multi.AccountPage, error], out Output) (Result, error) {
	rctx, cancel := context.WithCancel(ctx)
	var (
		wg       sync.WaitGroup
		renewErr error
	)
	wg.Go(func() {
		t := time.NewTicker(max(cl.LeaseTime()/3, 10*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-t.C:
				if err := cl.Renew(rctx, claimed); err != nil && rctx.Err() == nil {
					renewErr = err
					cancel()
					return
				}
			}
		}
	})
	res, err := s.Run(rctx, pages(claimed), out)
	cancel()
	wg.Wait()
	if err == nil && renewErr != nil {
		err = fmt.Errorf("invsync: renew leases: %w", renewErr)
	}
	return res, err
}

// add sums r into res.
func (res *Result) add(r *Result) {
	res.Accounts += r.Accounts
	res.New += r.New
	res.Removed += r.Removed
	res.Failed = append(res.Failed, r.Failed...)
	res.StoreTime += r.StoreTime
	res.Commits += r.Commits
}
