package postpresstest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/postpress/postpress-go/gen"
)

// DefaultAPIKey is the key a Server accepts unless WithAPIKey or
// WithAnyAPIKey says otherwise.
const DefaultAPIKey = "pp_test_postpresstest_key" //nolint:gosec // a fake key for a fake server

// BasePath is the path the fake serves the API under, the spec's first
// server: requests go to BasePath + an operation's path.
const BasePath = "/api/v1"

// Request is one request as the fake received it.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Time   time.Time
	// Fault names the scripted fault applied to it; "" when none.
	Fault string
}

// An Option configures a Fake.
type Option func(*Fake)

// WithAPIKey sets the one key the fake accepts.
func WithAPIKey(key string) Option { return func(f *Fake) { f.apiKey = key } }

// WithAnyAPIKey accepts any non-empty key (the sandbox does).
func WithAnyAPIKey() Option { return func(f *Fake) { f.anyKey = true } }

// WithSeed sets the seed of generated items (default 1).
func WithSeed(seed int64) Option { return func(f *Fake) { f.seed = seed } }

// WithGeneratedAccount serves n generated items for account id from every
// list operation of the spec, each operation its own items.
func WithGeneratedAccount(id string, n int) Option {
	return func(f *Fake) { f.generated[id] = n }
}

// WithAnyAccount serves n generated items from every list operation for
// any account id that has no items of its own (the sandbox does). Without
// it an unknown account gets 403 (see the package doc).
func WithAnyAccount(n int) Option { return func(f *Fake) { f.anyAccount = n } }

// WithLenientCursors accepts any well-formed cursor within an account's
// items, not only cursors this fake issued, so that a listing can resume
// across restarts (the sandbox does).
func WithLenientCursors() Option { return func(f *Fake) { f.lenient = true } }

// Fake is the fake postpress API as an http.Handler, to mount on a server of
// your own. NewServer wraps one in an httptest.Server. It is safe for
// concurrent use.
type Fake struct {
	apiKey     string
	anyKey     bool
	seed       int64
	anyAccount int
	lenient    bool
	liveShaped bool
	slowDelay  time.Duration
	generated  map[string]int

	handler http.Handler
	reqIDs  atomic.Int64

	mu     sync.Mutex
	data   map[*listOp]map[string]any // a list operation's items ([]T) by account
	known  map[string]bool            // the accounts set up or seen (WithAnyAccount)
	issued map[string]bool            // the cursors issued (issuedKey)
	// attempts counts the requests of each page of a retry-once scenario
	// (by path, account and cursor).
	attempts map[string]int
	faults   []*Fault
	log      []Request
}

// NewFake returns a Fake configured by opts.
func NewFake(opts ...Option) *Fake {
	f := &Fake{
		apiKey:    DefaultAPIKey,
		seed:      1,
		generated: map[string]int{},
		data:      map[*listOp]map[string]any{},
		known:     map[string]bool{},
		issued:    map[string]bool{},
		attempts:  map[string]int{},
		slowDelay: DefaultSlowDelay,
	}
	for _, o := range opts {
		o(f)
	}
	for id, n := range f.generated {
		for _, o := range listOps {
			f.store(o, id, generateItems(o, f.seed, id, n))
		}
		f.known[id] = true
	}
	// The strict handler never returns an error, so its response error
	// handler runs only when writing a response failed: the client went
	// away mid-body (a listing stopped early), after the status was sent.
	// Nothing can be said to it then; the default would write a second
	// status and log "superfluous WriteHeader".
	badRequest := func(w http.ResponseWriter, r *http.Request, err error) {
		_ = invalidParameters(err.Error(), requestID(r.Context())).write(w)
	}
	strictOpts := gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  badRequest,
		ResponseErrorHandlerFunc: func(http.ResponseWriter, *http.Request, error) {},
	}
	f.handler = gen.HandlerWithOptions(gen.NewStrictHandlerWithOptions(strict{f}, nil, strictOpts), gen.StdHTTPServerOptions{
		BaseURL:          BasePath,
		ErrorHandlerFunc: badRequest,
	})
	return f
}

// Enqueue scripts the next responses. Each request takes the first queued
// fault that matches it (see Fault.When); requests no fault matches are
// served normally.
func (f *Fake) Enqueue(faults ...*Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, faults...)
}

// PendingFaults returns how many scripted responses are still queued.
func (f *Fake) PendingFaults() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pendingLocked()
}

func (f *Fake) pendingLocked() int {
	n := 0
	for _, ft := range f.faults {
		n += ft.times
	}
	return n
}

// ClearFaults drops every scripted response still queued and returns how
// many responses they would have scripted (as PendingFaults counts them).
func (f *Fake) ClearFaults() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.pendingLocked()
	f.faults = nil
	return n
}

// Requests returns the requests received so far, in order.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.log)
}

// ResetLog forgets the requests received so far (the scripted faults stay
// queued).
func (f *Fake) ResetLog() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = nil
}

// RequestCount returns how many requests were received.
func (f *Fake) RequestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.log)
}

type ctxKey struct{}

// queryKey holds the request's query in its context: the generated params
// give an absent optional parameter and an empty one (cursor=, limit=0)
// the same zero value, and the fake refuses the second.
type queryKey struct{}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// query returns the request's query, as sent.
func query(ctx context.Context) url.Values {
	q, _ := ctx.Value(queryKey{}).(url.Values)
	return q
}

// ServeHTTP logs the request, applies a scripted fault if one matches,
// checks the API key, answers a scenario the request names (scenarios.go),
// and hands the request to the generated strict server. GET ScenariosPath
// answers the scenario list, unlogged.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == ScenariosPath && r.Method == http.MethodGet {
		f.serveScenarioList(w)
		return
	}
	id := fmt.Sprintf("req_pp%08d", f.reqIDs.Add(1))
	r = r.WithContext(context.WithValue(context.WithValue(r.Context(), ctxKey{}, id), queryKey{}, r.URL.Query()))
	fault := f.record(r)
	if fault != nil {
		if fault.delay > 0 {
			select {
			case <-time.After(fault.delay):
			case <-r.Context().Done():
				return
			}
		}
		if f.applyFault(w, r, fault, id) {
			return
		}
	}
	f.serve(w, r, id)
}

// serve checks the API key, answers a scenario the request names, and
// hands the request to the generated strict server.
func (f *Fake) serve(w http.ResponseWriter, r *http.Request, id string) {
	key := r.Header.Get("X-API-KEY")
	switch {
	case key == "":
		apiError{401, typeMissingKey, "Send your API key in the X-API-KEY header.", id}.write(w)
		return
	case !f.anyKey && key != f.apiKey:
		apiError{401, typeWrongKey, "The API key is not valid.", id}.write(w)
		return
	}
	if f.scenario(w, r, id) {
		return
	}
	f.respond(w, r)
}

// record logs r and takes the fault that applies to it, if any.
func (f *Fake) record(r *http.Request) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	var taken *Fault
	for i, ft := range f.faults {
		if ft.matches(r) {
			taken = ft
			if ft.times--; ft.times <= 0 {
				f.faults = slices.Delete(f.faults, i, i+1)
			}
			break
		}
	}
	entry := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Time: time.Now()}
	if taken != nil {
		entry.Fault = taken.name()
	}
	f.log = append(f.log, entry)
	return taken
}

// applyFault writes the fault's response. It returns false for a fault
// that only delays (the request is then served normally).
func (f *Fake) applyFault(w http.ResponseWriter, r *http.Request, ft *Fault, id string) bool {
	if ft.retryAfter != "" {
		w.Header().Set("Retry-After", ft.retryAfter)
	}
	switch ft.kind {
	case kindLatency:
		return false
	case kindError:
		detail := ft.detail
		if detail == "" {
			detail = "Scripted by postpresstest."
		}
		apiError{ft.status, ft.errType, detail, id}.write(w)
	case kindReset:
		resetConn(w)
	case kindTruncate:
		rec := httptest.NewRecorder()
		f.serve(rec, r, id)
		writeTruncated(w, rec)
	case kindProxy:
		w.Header().Set(FaultHeader, "proxy-html")
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(ft.status)
		//nolint:gosec // only a status code and its text go into the page
		_, _ = fmt.Fprintf(w, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
			ft.status, http.StatusText(ft.status), ft.status, http.StatusText(ft.status))
	}
	return true
}

// resetPrefix is what a Reset sends before the reset: a status line. Go's http.Transport replays an idempotent request on a fresh
// connection when a reused keep-alive connection fails before any byte of
// the response arrives, which would swallow the fault; a response that has
// begun is never replayed, so the client sees the reset.
const resetPrefix = "HTTP/1.1 200 OK\r\n"

// resetConn sends resetPrefix and closes the connection under w with a TCP
// reset (SO_LINGER 0).
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_, _ = buf.WriteString(resetPrefix)
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// strict implements the generated strict server interface: its methods
// are generated (operations_gen.go).
type strict struct{ f *Fake }

// Server is a Fake served by an httptest.Server on loopback.
type Server struct {
	*Fake
	// URL is the API's base URL on this server (root + BasePath): give it
	// to client.WithBaseURL.
	URL string
	// RootURL is the server's root, without BasePath.
	RootURL string
	srv     *httptest.Server
}

// NewServer starts a fake postpress API on loopback. Close it when done.
func NewServer(opts ...Option) *Server {
	f := NewFake(opts...)
	srv := httptest.NewServer(f)
	return &Server{Fake: f, URL: srv.URL + BasePath, RootURL: srv.URL, srv: srv}
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Client returns an *http.Client for the server (plain, without contract
// validation).
func (s *Server) Client() *http.Client { return s.srv.Client() }
