package pgstore_test

import (
	"context"
	"fmt"
	"iter"
	"path/filepath"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/boltstore"
	"github.com/postpress/postpress-go/invsync/pgstore"
)

// benchAccounts × benchItems is the bench's listing: 1,000 accounts of
// 1,000 invitations, in pages of 100, made in memory (no HTTP), so that
// what differs between the stores is the state work.
const (
	benchAccounts = 1000
	benchItems    = 1000
	benchPage     = 100
)

// memPages lists benchItems invitations (ids only) for each account.
func memPages(accounts []string) iter.Seq2[multi.AccountPage, error] {
	return func(yield func(multi.AccountPage, error) bool) {
		for _, a := range accounts {
			for off := 0; off < benchItems; off += benchPage {
				p := &client.Page[client.Invitation]{Items: make([]client.Invitation, benchPage)}
				for i := range p.Items {
					p.Items[i].ID = fmt.Sprintf("inv_%s_%06d", a, off+i)
				}
				if off+benchPage < benchItems {
					p.NextCursor = "next"
				}
				if !yield(multi.AccountPage{AccountID: a, Page: p}, nil) {
					return
				}
			}
		}
	}
}

type discard struct{ n int }

func (d *discard) Write(*invsync.Event) error { d.n++; return nil }
func (d *discard) Flush() error               { return nil }

// BenchmarkStateWork is one sync of 1,000 accounts × 1,000 invitations
// into an empty state ("first"), and one with nothing new ("nothing-new"),
// on bbolt (Syncer.Run) and PostgreSQL (Syncer.RunShared, one worker, as
// the CLI runs it). state-ms/op is Result.StoreTime: the time in the
// store's calls; ns/op includes making the pages and comparing.
func BenchmarkStateWork(b *testing.B) {
	accts := accounts(benchAccounts)
	run := func(b *testing.B, st invsync.Store, shared bool) invsync.Result {
		b.Helper()
		s := &invsync.Syncer{Store: st, Batch: multi.DefaultConcurrency}
		out := &discard{}
		var (
			res invsync.Result
			err error
		)
		if shared {
			res, err = s.RunShared(context.Background(), accts, memPages, out)
		} else {
			res, err = s.Run(context.Background(), memPages(accts), out)
		}
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	report := func(b *testing.B, state time.Duration, want, got int) {
		b.Helper()
		if got != want {
			b.Fatalf("%d new, want %d", got, want)
		}
		b.ReportMetric(float64(state.Milliseconds())/float64(b.N), "state-ms/op")
	}
	type store interface {
		invsync.Store
		Close() error
	}
	stores := []struct {
		name   string
		shared bool
		open   func(b *testing.B) store
	}{
		{"bbolt", false, func(b *testing.B) store {
			st, err := boltstore.Open(filepath.Join(b.TempDir(), "state"))
			if err != nil {
				b.Fatal(err)
			}
			return st
		}},
		{"postgres", true, func(b *testing.B) store {
			st, err := pgstore.Open(context.Background(), pgURL(b), pgstore.Options{Schema: newSchema(b)})
			if err != nil {
				b.Fatal(err)
			}
			return st
		}},
	}
	for _, sc := range stores {
		b.Run(sc.name+"/first", func(b *testing.B) {
			var state time.Duration
			var n int
			for b.Loop() {
				b.StopTimer()
				st := sc.open(b)
				b.StartTimer()
				res := run(b, st, sc.shared)
				b.StopTimer()
				_ = st.Close()
				b.StartTimer()
				state += res.StoreTime
				n = res.New
			}
			report(b, state, benchAccounts*benchItems, n)
		})
		b.Run(sc.name+"/nothing-new", func(b *testing.B) {
			st := sc.open(b)
			defer func() { _ = st.Close() }()
			run(b, st, sc.shared)
			var state time.Duration
			n := -1
			for b.Loop() {
				res := run(b, st, sc.shared)
				state += res.StoreTime
				n = res.New
			}
			report(b, state, 0, n)
		})
	}
}
