package postpresstest

import (
	"net/http"
	"time"
)

// FaultHeader marks a response that is not an API response as the spec
// describes it: a truncated body, an HTML page from a proxy, an error of an
// unknown type or an undocumented status. Its value names the fault.
// Contract validation (internal/contracttest) passes such responses through;
// internal/contract declares the same name, and this package's tests keep
// the two equal (postpresstest does not import the validator).
const FaultHeader = "X-Postpresstest-Fault"

type faultKind int

const (
	kindError faultKind = iota
	kindLatency
	kindReset
	kindTruncate
	kindProxy
)

// A Fault is a scripted response: queue it with Server.Enqueue. Build one
// with Error, ErrorStatus, Latency, Reset, TruncatedBody or ProxyHTML, then
// refine it with its methods. A Fault is applied to the next request (or
// the next Times(n) requests) that it matches. OnAccount, OnCursor,
// OnAttempt and When narrow it, in any order, each adding to the others; a
// combination no request can meet (two accounts, two cursors) panics when
// it is built, so a test cannot script a fault that silently never fires.
type Fault struct {
	kind       faultKind
	status     int
	errType    string
	detail     string
	retryAfter string
	delay      time.Duration
	times      int
	narrow     // which requests it applies to (faults_narrow.go)
}

// Error answers with the error type errType under the status the spec
// documents it for. errType is one of gen's error-type constants
// (gen.UnauthorizedErrorTypeExpiredCredentials, say): a bare string does
// not compile, so a misspelled type cannot slip through. A value the spec
// does not list (a conversion such as gen.UnauthorizedErrorType("x")) is
// sent with status 500; ErrorStatus sends any type under any status.
func Error[T ErrorType](errType T) *Fault {
	status := StatusOf(string(errType))
	if status == 0 {
		status = http.StatusInternalServerError
	}
	return &Fault{kind: kindError, status: status, errType: string(errType), times: 1}
}

// ErrorStatus answers with errType under status, documented or not (an
// unknown type, a type at another status than its own). An error the spec
// does not document is marked with FaultHeader.
func ErrorStatus(status int, errType string) *Fault {
	return &Fault{kind: kindError, status: status, errType: errType, times: 1}
}

// Latency delays the response by d, then answers normally. The wait ends
// early if the client gives up on the request.
func Latency(d time.Duration) *Fault { return &Fault{kind: kindLatency, delay: d, times: 1} }

// Reset cuts the connection with a TCP reset (SO_LINGER 0) after the
// response's status line, before its headers: the client's request fails
// with a transport error (on Linux, Go reports "transport connection
// broken: unexpected EOF"; elsewhere it may be "connection reset by peer").
// The status line is sent first so that the client sees the failure even on
// a reused keep-alive connection: Go's http.Transport silently replays a GET
// whose reused connection fails before any byte of the response arrives,
// which would swallow a bare reset.
func Reset() *Fault { return &Fault{kind: kindReset, times: 1} }

// TruncatedBody sends the response the request would get (normally a page)
// with its full Content-Length, then only half the body, and closes the
// connection: the client reads io.ErrUnexpectedEOF after the bytes sent.
func TruncatedBody() *Fault { return &Fault{kind: kindTruncate, times: 1} }

// ProxyHTML answers with an HTML error page and the given status (0 means
// 502), as a proxy in front of the API would.
func ProxyHTML(status int) *Fault {
	if status == 0 {
		status = http.StatusBadGateway
	}
	return &Fault{kind: kindProxy, status: status, times: 1}
}

// WithRetryAfter adds a Retry-After header with value v (seconds or an HTTP
// date) to an error response.
func (f *Fault) WithRetryAfter(v string) *Fault { f.retryAfter = v; return f }

// WithDetail sets the error's detail text.
func (f *Fault) WithDetail(s string) *Fault { f.detail = s; return f }

// After delays the fault's response by d (a slow error, a slow reset).
func (f *Fault) After(d time.Duration) *Fault { f.delay = d; return f }

// Times applies the fault to n requests (default 1; n < 1 counts as 1).
func (f *Fault) Times(n int) *Fault { f.times = max(n, 1); return f }

// name describes the fault in the request log.
func (f *Fault) name() string {
	switch f.kind {
	case kindError:
		return "error " + f.errType
	case kindLatency:
		return "latency " + f.delay.String()
	case kindReset:
		return "reset"
	case kindTruncate:
		return "truncated-body"
	default:
		return "proxy-html"
	}
}
