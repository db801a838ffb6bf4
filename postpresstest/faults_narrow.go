package postpresstest

import (
	"fmt"
	"net/http"
)

// narrow is what a Fault applies to: every condition set must hold. The
// conditions are kept apart (not folded into one func) so that each can be
// set in any order and a contradiction is seen when it is built.
type narrow struct {
	account, cursor *string // the account and cursor a list operation is asked for
	attempt         int     // the n-th matching request on (0: the first)
	preds           []func(*http.Request) bool
	seen            int // matching requests so far (for attempt)
}

// OnAccount applies the fault only to requests for account id (the query
// parameter its list operation takes the account in), so that one account of a listing of several
// can fail while the others are served. It adds to the other narrowing
// methods in any order; a second OnAccount with another id panics (no
// request is for two accounts).
func (f *Fault) OnAccount(id string) *Fault {
	f.account = f.set(f.account, id, "OnAccount")
	return f
}

// OnCursor applies the fault only to requests for the page at cursor ("" for
// first pages). It adds to the other narrowing methods in any order; a
// second OnCursor with another cursor panics.
func (f *Fault) OnCursor(cursor string) *Fault {
	f.cursor = f.set(f.cursor, cursor, "OnCursor")
	return f
}

// OnAttempt lets the first n-1 requests the fault's other conditions match
// pass by (served normally) and applies the fault from the n-th on (for
// Times(k): to k requests from there): OnCursor(c).OnAttempt(2) fails the
// first retry of page c, not its first attempt. n must be 1 or more, and
// set once; anything else panics.
func (f *Fault) OnAttempt(n int) *Fault {
	switch {
	case n < 1:
		panic(fmt.Sprintf("postpresstest: %s: OnAttempt(%d): attempts count from 1", f.name(), n))
	case f.attempt != 0 && f.attempt != n:
		panic(fmt.Sprintf("postpresstest: %s: OnAttempt(%d) after OnAttempt(%d): a fault starts at one attempt", f.name(), n, f.attempt))
	}
	f.attempt = n
	return f
}

// When applies the fault only to requests for which match returns true (a
// header, a query parameter, a test's own state). It adds to OnAccount,
// OnCursor, OnAttempt and earlier Whens, in any order: all must hold.
func (f *Fault) When(match func(*http.Request) bool) *Fault {
	if match == nil {
		panic(fmt.Sprintf("postpresstest: %s: When(nil)", f.name()))
	}
	f.preds = append(f.preds, match)
	return f
}

// set returns the condition v for a query parameter that may be set once,
// or panics when old holds another value (what method calls it).
func (f *Fault) set(old *string, v, method string) *string {
	if old != nil && *old != v {
		panic(fmt.Sprintf("postpresstest: %s: %s(%q) after %s(%q): no request can match both", f.name(), method, v, method, *old))
	}
	return &v
}

// matches reports whether the fault applies to r, counting the requests
// its conditions match toward OnAttempt. The caller holds the fake's lock.
func (n *narrow) matches(r *http.Request) bool {
	account, cursor := accountAndCursor(r)
	if (n.account != nil && account != *n.account) || (n.cursor != nil && cursor != *n.cursor) {
		return false
	}
	for _, p := range n.preds {
		if !p(r) {
			return false
		}
	}
	n.seen++
	return n.seen >= n.attempt
}

// accountAndCursor returns the account and the cursor a request asks for,
// by the parameters of the list operation it is for ("" and "" for a
// request of no list operation).
func accountAndCursor(r *http.Request) (account, cursor string) {
	o := listOpOf(r.URL.Path)
	if o == nil {
		return "", ""
	}
	q := r.URL.Query()
	if o.accountParam != "" {
		account = q.Get(o.accountParam)
	}
	return account, q.Get(o.cursorParam)
}
