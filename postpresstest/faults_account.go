package postpresstest

import "net/http"

// OnAccount applies the fault only to requests for account id (its
// account_id query parameter), so that one account of a listing of
// several can fail while the others are served.
func (f *Fault) OnAccount(id string) *Fault {
	return f.When(func(r *http.Request) bool { return r.URL.Query().Get("account_id") == id })
}
