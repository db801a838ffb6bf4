// Package boltstore is the default invsync.Store: one file, no server,
// built on go.etcd.io/bbolt (a B+tree with copy-on-write pages and atomic,
// fsynced transactions).
//
// The file holds one bucket per account, keyed by invitation id (values
// are empty), so reading an account's ids is a scan of its bucket, and a
// commit writes only the pages of the accounts it changes: a run with
// nothing new writes nothing. Open locks the file (flock) for as long as
// the Store is open; a second Open of the same file, from this process or
// another, is refused with invsync.ErrLocked.
//
// A new state is built under a temporary name and renamed into place once
// complete, so a run stopped while creating it (a full disk, killed)
// leaves no half-made state behind. A file half-made in place (empty, or
// only the start of bbolt's first pages, as bbolt leaves one when stopped
// while it creates a database: nothing was ever committed to it) is
// recognised and replaced by a new state. Any
// other file that is not such a state (damaged, or another program's) is
// refused with invsync.ErrInvalidState and left as it is.
package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/postpress/postpress-go/invsync"
)

// format marks a file as a state of this package, in the meta bucket.
var (
	metaBucket     = []byte("postpress-invsync")
	accountsBucket = []byte("accounts")
	formatKey      = []byte("format")
	formatValue    = []byte("postpress-go invitation sync state v1")
)

// lockWait is how long Open waits for another run's lock before refusing.
const lockWait = 200 * time.Millisecond

// Store is an invsync.Store in one bbolt file. Its methods are safe for
// concurrent use.
type Store struct {
	db   *bolt.DB
	path string
}

var _ invsync.Store = (*Store)(nil)

// Open opens the state file at path, creating it (mode 0600) when it does
// not exist, and locks it until Close. The errors name the path: one
// wrapping invsync.ErrLocked when another run holds the file, one wrapping
// invsync.ErrInvalidState when the file is not a state of this package
// (then it is not changed).
func Open(path string) (*Store, error) {
	switch fresh, err := checkHeader(path); {
	case err != nil:
		return nil, err
	case fresh != existingFile:
		if err := create(path, fresh == unfinishedFile); err != nil {
			return nil, err
		}
	}
	db, err := openGuarded(path)
	switch {
	case errors.Is(err, invsync.ErrInvalidState):
		return nil, err
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("postpress: state file %s: %w (it is locked; a second run on the same state is refused)", path, invsync.ErrLocked)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch), errors.Is(err, bolterrors.ErrChecksum):
		return nil, invalid(path, err.Error())
	case err != nil:
		return nil, fmt.Errorf("postpress: state file %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.init(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// openGuarded is bolt.Open with a panic on a corrupt page (bbolt reads the
// freelist while opening) turned into an invsync.ErrInvalidState error.
func openGuarded(path string) (db *bolt.DB, err error) {
	err = (&Store{path: path}).guard(func() error {
		var err error
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: lockWait})
		return err
	})
	return db, err
}

// What checkHeader found at the path.
const (
	noFile         = iota // not there: to create
	unfinishedFile        // a state begun and never completed: to replace
	existingFile          // for bbolt to open
)

// checkHeader says whether the state is to be created, replaced (an
// unfinished one: see unfinished) or opened, and refuses a file too short
// to be a bbolt file before bbolt opens it for writing.
func checkHeader(path string) (int, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return noFile, nil
	case err != nil:
		return 0, fmt.Errorf("postpress: state file %s: %w", path, err)
	case st.IsDir():
		return 0, fmt.Errorf("postpress: state file %s is a directory", path)
	}
	if ok, err := unfinished(path); err != nil {
		return 0, fmt.Errorf("postpress: state file %s: %w", path, err)
	} else if ok {
		return unfinishedFile, nil
	}
	if st.Size() < 2*int64(os.Getpagesize()) { // bbolt's own minimum
		return 0, invalid(path, fmt.Sprintf("%d bytes, too short", st.Size()))
	}
	return existingFile, nil
}

func invalid(path, why string) error {
	return fmt.Errorf("postpress: state file %s: %w (%s); it was left unchanged: move it away or pass another --state", path, invsync.ErrInvalidState, why)
}

// init marks a new (empty) file as a state, and checks that an existing one
// is.
func (s *Store) init() error {
	return s.guard(func() error {
		var (
			hasMeta bool
			other   bool
			format  []byte
		)
		err := s.db.View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				switch {
				case bytes.Equal(name, metaBucket):
					hasMeta = true
					format = bytes.Clone(b.Get(formatKey))
				case !bytes.Equal(name, accountsBucket):
					other = true
				}
				return nil
			})
		})
		switch {
		case err != nil:
			return err
		case hasMeta && bytes.Equal(format, formatValue):
			return nil
		case hasMeta:
			return invalid(s.path, fmt.Sprintf("format %q, this program writes %q", format, formatValue))
		case other:
			return invalid(s.path, "a bbolt database of another program")
		}
		return s.db.Update(func(tx *bolt.Tx) error {
			m, err := tx.CreateBucketIfNotExists(metaBucket)
			if err != nil {
				return err
			}
			if err := m.Put(formatKey, formatValue); err != nil {
				return err
			}
			_, err = tx.CreateBucketIfNotExists(accountsBucket)
			return err
		})
	})
}

// guard runs fn, turning a panic of bbolt on a corrupt page (or a fault
// reading it) into an invsync.ErrInvalidState error naming the file (the
// panic's own text, the Go runtime's, is not shown).
func (s *Store) guard(fn func() error) (err error) {
	// A corrupt page can point outside the mapped file: make that fault a
	// panic too, on this goroutine, for the length of fn.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = invalid(s.path, "damaged: a page of it is not what bbolt wrote")
		}
	}()
	return fn()
}

// Path returns the file's path.
func (s *Store) Path() string { return s.path }

// Seen returns the ids recorded for account.
func (s *Store) Seen(_ context.Context, account string) ([]string, error) {
	var ids []string
	err := s.guard(func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			b := tx.Bucket(accountsBucket).Bucket([]byte(account))
			if b == nil {
				return nil
			}
			return b.ForEach(func(k, _ []byte) error {
				ids = append(ids, string(k))
				return nil
			})
		})
	})
	return ids, err
}

// Commit records changes in one transaction, synced to disk before it
// returns.
func (s *Store) Commit(_ context.Context, changes []invsync.Change) error {
	return s.guard(func() error {
		return s.db.Update(func(tx *bolt.Tx) error {
			accounts := tx.Bucket(accountsBucket)
			for i := range changes {
				ch := &changes[i]
				b := accounts.Bucket([]byte(ch.AccountID))
				added := ch.Added
				if b == nil {
					var err error
					if b, err = accounts.CreateBucket([]byte(ch.AccountID)); err != nil {
						return fmt.Errorf("account %s: %w", ch.AccountID, err)
					}
					// A new bucket filled in key order packs its pages
					// full (bbolt's default, half full, suits inserts
					// in any order, as later runs make).
					added = slices.Clone(added)
					slices.Sort(added)
					b.FillPercent = 1
				}
				for _, id := range ch.Removed {
					if err := b.Delete([]byte(id)); err != nil {
						return err
					}
				}
				for _, id := range added {
					if err := b.Put([]byte(id), nil); err != nil {
						return err
					}
				}
			}
			return nil
		})
	})
}

// Close releases the file and its lock.
func (s *Store) Close() error { return s.db.Close() }
