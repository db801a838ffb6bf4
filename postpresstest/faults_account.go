package postpresstest

import "net/http"

// OnAccount applies the fault only to requests for account id (its
// account_id query parameter), so that one account of a listing of
// several can fail while the others are served. It narrows a matcher set
// before it (by When or OnCursor): Error(t).OnCursor(c).OnAccount(id)
// applies to that account's page at c only.
func (f *Fault) OnAccount(id string) *Fault {
	prev := f.match
	return f.When(func(r *http.Request) bool {
		return r.URL.Query().Get("account_id") == id && (prev == nil || prev(r))
	})
}
