// Package pgstore is an invsync.Store in PostgreSQL, on
// github.com/jackc/pgx/v5, that several workers share: it is an
// invsync.Claimer, so that Syncer.RunShared in many processes, on one
// machine or many, splits the accounts between them, each account held by
// one worker at a time under a lease that a dead worker loses after
// Options.LeaseTime.
//
// # Schema
//
// The state lives in a schema of its own (Options.Schema, default
// postpress_invsync), created on first use:
//
//	meta(key text PRIMARY KEY, value text)           -- format and version
//	accounts(account text PRIMARY KEY, lease_owner text,
//	         lease_until timestamptz, completed_at timestamptz)
//	seen(account text, id text, PRIMARY KEY (account, id))
//
// The schema is versioned (meta's version row, SchemaVersion). Open
// creates or upgrades it in one transaction under an advisory lock, so a
// migration interrupted half-way (killed, the connection lost) leaves
// nothing behind, and the next Open starts it again. A schema of that name
// holding tables of another program, or made by a newer version of this
// package, is refused with an error wrapping invsync.ErrInvalidState, and
// never altered.
//
// # The invitations table
//
// With Options.Table, every Commit also upserts the new invitations into
// that table, in the same transaction that records them as seen, so each
// lands there exactly once (a row per account and invitation; an
// invitation seen again after it was gone is updated, not duplicated):
//
//	CREATE TABLE <table> (
//	    account_id    text        NOT NULL,
//	    invitation_id text        NOT NULL,
//	    invitation    jsonb       NOT NULL, -- the invitation as listed
//	    seen_at       timestamptz NOT NULL DEFAULT now(), -- when it was recorded
//	    removed_at    timestamptz,          -- when the account stopped listing it
//	    PRIMARY KEY (account_id, invitation_id))
//
// Open creates the table when it is missing (a table of that name without
// these columns is refused). The Syncer must pass the invitations
// (Syncer.Invitations).
package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/postpress/postpress-go/invsync"
)

const (
	// Format marks a schema as a state of this package (meta's format row).
	Format = "postpress-go invitation sync state"
	// SchemaVersion is the version of the schema this package writes and
	// reads; a newer one is refused.
	SchemaVersion = 1
	// DefaultSchema is Options.Schema's default.
	DefaultSchema = "postpress_invsync"
	// DefaultLeaseTime is Options.LeaseTime's default.
	DefaultLeaseTime = 30 * time.Second
)

// Options configure Open.
type Options struct {
	// Schema is the PostgreSQL schema (namespace) holding the state;
	// DefaultSchema when empty. Workers sharing a state use the same.
	Schema string
	// LeaseTime is how long a worker holds an account without renewing
	// (a worker renews every third of it while it lists the account):
	// after a worker dies, its accounts go to others this long after its
	// last renewal. DefaultLeaseTime when 0.
	LeaseTime time.Duration
	// Table, when set, is a table (name or schema.name) into which every
	// commit upserts the new invitations (see the package doc).
	Table string
}

// Store is an invsync.Store and invsync.Claimer in PostgreSQL. Its methods
// are safe for concurrent use; each Store is one worker.
type Store struct {
	pool   *pgxpool.Pool
	where  string // the database, for messages (no password)
	schema string
	lease  time.Duration
	table  string // quoted, or ""
	owner  string
	q      queries

	// opened is set once Open has succeeded: from then on a lost
	// database interrupts a run, whose committed work is kept.
	opened bool

	mu    sync.Mutex
	round []string
	start time.Time
	tried []string
	// leased is set once this worker claimed accounts: its commits then
	// record only accounts it holds.
	leased bool
}

var (
	_ invsync.Store   = (*Store)(nil)
	_ invsync.Claimer = (*Store)(nil)
)

// Open connects to the database at url (postgres://… or a libpq keyword
// string), and creates or checks the state's schema (and Options.Table).
func Open(ctx context.Context, dbURL string, opts Options) (*Store, error) {
	s := &Store{where: Redact(dbURL), schema: opts.Schema, lease: opts.LeaseTime}
	if s.schema == "" {
		s.schema = DefaultSchema
	}
	if s.lease == 0 {
		s.lease = DefaultLeaseTime
	}
	if s.lease < 100*time.Millisecond {
		return nil, fmt.Errorf("postpress: state database: lease time %v is too short (100ms at least)", s.lease)
	}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("postpress: state database %s: %v", s.where, scrub(err, dbURL))
	}
	cfg.MaxConns = 4
	s.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postpress: state database %s: %v", s.where, scrub(err, dbURL))
	}
	host, _ := os.Hostname()
	var r [6]byte
	_, _ = rand.Read(r[:])
	s.owner = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(r[:]))
	s.q = newQueries(pgx.Identifier{s.schema}.Sanitize())
	if opts.Table != "" {
		s.table = pgx.Identifier(strings.Split(opts.Table, ".")).Sanitize()
	}
	if err := s.migrate(ctx); err != nil {
		s.pool.Close()
		return nil, err
	}
	if err := s.prepareTable(ctx); err != nil {
		s.pool.Close()
		return nil, err
	}
	s.opened = true
	return s, nil
}

// Redact returns the database URL without its password (and without its
// query), for messages.
func Redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil || u.Host == "" {
		return "(a connection string)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	u.RawQuery = ""
	return u.Redacted()
}

// scrub keeps a password that the driver's message quotes out of it.
func scrub(err error, dbURL string) string {
	msg := err.Error()
	if u, perr := url.Parse(dbURL); perr == nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
		}
	}
	return msg
}

// fail wraps a database error with the store's name and, for a lost
// connection, what to do.
func (s *Store) fail(what string, err error) error {
	if errors.Is(err, invsync.ErrLeaseLost) || errors.Is(err, invsync.ErrInvalidState) {
		return err
	}
	kept := ""
	if s.opened {
		kept = "; what was committed is kept, and the next run goes on from there"
	}
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "57P") || strings.HasPrefix(pe.Code, "08")):
		// Shut down, restarted, or the connection broke.
		return fmt.Errorf("postpress: state database %s: %s: the database went away (%s, SQLSTATE %s)%s", s.where, what, pe.Message, pe.Code, kept)
	case errors.As(err, &pe):
		return fmt.Errorf("postpress: state database %s: %s: %s (SQLSTATE %s)", s.where, what, pe.Message, pe.Code)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("postpress: state database %s: %s: %w", s.where, what, err)
	}
	return fmt.Errorf("postpress: state database %s: %s: the database cannot be reached (%w)%s", s.where, what, err, kept)
}

// Schema returns the schema holding the state.
func (s *Store) Schema() string { return s.schema }

// LeaseTime returns how long a lease lasts without renewal.
func (s *Store) LeaseTime() time.Duration { return s.lease }

// Close releases the leases this worker still holds (best effort) and
// closes the connections.
func (s *Store) Close() error {
	s.mu.Lock()
	leased := s.leased
	s.mu.Unlock()
	if leased {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, _ = s.pool.Exec(ctx, s.q.releaseAll, s.owner)
		cancel()
	}
	s.pool.Close()
	return nil
}

// Seen returns the ids recorded for account.
func (s *Store) Seen(ctx context.Context, account string) ([]string, error) {
	rows, err := s.pool.Query(ctx, s.q.seen, account)
	if err != nil {
		return nil, s.fail("read account "+account, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, s.fail("read account "+account, err)
	}
	return ids, nil
}

// Commit records changes in one transaction (and upserts the new
// invitations into Options.Table in it). Once this worker has claimed
// accounts, it records only accounts it holds: a change of an account
// another worker took over fails the whole commit with an error wrapping
// invsync.ErrLeaseLost.
func (s *Store) Commit(ctx context.Context, changes []invsync.Change) error {
	if len(changes) == 0 {
		return nil
	}
	s.mu.Lock()
	leased := s.leased
	s.mu.Unlock()
	var (
		accounts             []string
		addAcc, addID        []string
		remAcc, remID        []string
		tblAcc, tblID, tblJS []string
	)
	for i := range changes {
		ch := &changes[i]
		accounts = append(accounts, ch.AccountID)
		for _, id := range ch.Added {
			addAcc, addID = append(addAcc, ch.AccountID), append(addID, id)
		}
		for _, id := range ch.Removed {
			remAcc, remID = append(remAcc, ch.AccountID), append(remID, id)
		}
		if s.table != "" {
			if len(ch.Invitations) != len(ch.Added) {
				return fmt.Errorf("postpress: state database %s: account %s: %d ids added but %d invitations passed (set Syncer.Invitations with a table)", s.where, ch.AccountID, len(ch.Added), len(ch.Invitations))
			}
			for j := range ch.Invitations {
				js, err := json.Marshal(&ch.Invitations[j])
				if err != nil {
					return fmt.Errorf("postpress: account %s: invitation %s: %w", ch.AccountID, ch.Added[j], err)
				}
				tblAcc, tblID, tblJS = append(tblAcc, ch.AccountID), append(tblID, ch.Added[j]), append(tblJS, string(js))
			}
		}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if leased {
			rows, err := tx.Query(ctx, s.q.lockHeld, accounts, s.owner)
			if err != nil {
				return err
			}
			held, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			if lost := missing(accounts, held); len(lost) > 0 {
				return fmt.Errorf("postpress: state database %s: account %s: %w; this worker's output for it since its last commit is reported again by the other worker", s.where, strings.Join(lost, ", "), invsync.ErrLeaseLost)
			}
		}
		if len(remID) > 0 {
			if _, err := tx.Exec(ctx, s.q.forget, remAcc, remID); err != nil {
				return err
			}
		}
		switch {
		case len(addID) == 0:
		case leased:
			// The accounts are this worker's, and their ids were read
			// after it claimed them: none of addID is recorded yet, so
			// COPY (several times faster than INSERT) cannot conflict.
			row := make([]any, 2)
			src := pgx.CopyFromSlice(len(addID), func(i int) ([]any, error) {
				row[0], row[1] = addAcc[i], addID[i]
				return row, nil
			})
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{s.schema, "seen"}, []string{"account", "id"}, src); err != nil {
				return err
			}
		default:
			if _, err := tx.Exec(ctx, s.q.record, addAcc, addID); err != nil {
				return err
			}
		}
		if s.table != "" {
			if len(tblID) > 0 {
				if _, err := tx.Exec(ctx, fmt.Sprintf(upsertTable, s.table), tblAcc, tblID, tblJS); err != nil {
					return err
				}
			}
			if len(remID) > 0 {
				if _, err := tx.Exec(ctx, fmt.Sprintf(removeTable, s.table), remAcc, remID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return s.fail("commit", err)
	}
	return nil
}

// missing returns the accounts of want not in have, sorted.
func missing(want, have []string) []string {
	var out []string
	for _, a := range want {
		if !slices.Contains(have, a) {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// BeginRound registers accounts and starts this worker's round at the
// database's clock.
func (s *Store) BeginRound(ctx context.Context, accounts []string) error {
	var start time.Time
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, s.q.register, accounts); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT now()").Scan(&start)
	})
	if err != nil {
		return s.fail("register accounts", err)
	}
	s.mu.Lock()
	s.round, s.start, s.tried = slices.Clone(accounts), start, nil
	s.mu.Unlock()
	return nil
}

// Claim leases up to n accounts of the round (see invsync.Claimer).
func (s *Store) Claim(ctx context.Context, n int) ([]string, int, error) {
	s.mu.Lock()
	round, start, tried := s.round, s.start, slices.Clone(s.tried)
	s.leased = true
	s.mu.Unlock()
	if tried == nil {
		tried = []string{}
	}
	rows, err := s.pool.Query(ctx, s.q.claim, round, tried, start, n, s.owner, s.lease)
	if err != nil {
		return nil, 0, s.fail("claim accounts", err)
	}
	claimed, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, 0, s.fail("claim accounts", err)
	}
	if len(claimed) > 0 {
		slices.Sort(claimed)
		return claimed, 0, nil
	}
	var held int
	if err := s.pool.QueryRow(ctx, s.q.held, round, tried, start, s.owner).Scan(&held); err != nil {
		return nil, 0, s.fail("claim accounts", err)
	}
	return nil, held, nil
}

// Renew extends this worker's leases of accounts.
func (s *Store) Renew(ctx context.Context, accounts []string) error {
	rows, err := s.pool.Query(ctx, s.q.renew, accounts, s.owner, s.lease)
	if err != nil {
		return s.fail("renew leases", err)
	}
	held, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return s.fail("renew leases", err)
	}
	if lost := missing(accounts, held); len(lost) > 0 {
		return fmt.Errorf("postpress: state database %s: account %s: %w", s.where, strings.Join(lost, ", "), invsync.ErrLeaseLost)
	}
	return nil
}

// Release ends this worker's leases of accounts, marking those in done
// complete for the round.
func (s *Store) Release(ctx context.Context, accounts, done []string) error {
	if done == nil {
		done = []string{}
	}
	if _, err := s.pool.Exec(ctx, s.q.release, accounts, done, s.owner); err != nil {
		return s.fail("release accounts", err)
	}
	s.mu.Lock()
	s.tried = append(s.tried, accounts...)
	s.mu.Unlock()
	return nil
}

// Owner returns this worker's name in the accounts table's lease_owner
// (host/pid/random).
func (s *Store) Owner() string { return s.owner }

// errText is a database error's message without the driver's wording.
func errText(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message
	}
	return err.Error()
}
