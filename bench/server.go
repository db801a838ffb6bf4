// Package bench measures the postpress-go client on loopback: round trips,
// prefetch, per-page cost against a raw net/http + encoding/json loop and
// an ogen-generated client, memory while iterating, and bytes on the wire.
// It is its own module so that the library gains no dependencies.
package bench

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/benchdata"
)

// PageSize is the page size the client's listing calls ask for.
const PageSize = 100

// Item returns invitation i of the benchmark data (benchdata.Item): the
// same invitations the client package's decode benchmark uses.
func Item(i int) gen.InvitationReceived { return benchdata.Item(i) }

// Server serves a listing of Total invitations in pages of at most the
// requested limit, from bytes encoded once: the items array is encoded at
// start-up and each response is that array cut at an item boundary plus
// the cursor, written without any encoding work. Every page carries the
// same invitations (only the cursor differs), so memory stays flat however
// long the listing.
type Server struct {
	*httptest.Server
	// Total is how many invitations the listing has.
	Total int
	// Latency is slept before each response is written.
	Latency time.Duration
	// Gzip serves gzip-encoded bodies to requests that accept them.
	Gzip bool

	items   []byte // `[item0,item1,...,item99`, no closing bracket
	ends    []int  // ends[k] is len(items) for k items
	gzipped sync.Map

	requests      atomic.Int64
	acceptedGzip  atomic.Int64
	bytesWritten  atomic.Int64 // by the server's connections (the wire)
	bytesRead     atomic.Int64
	responseBytes atomic.Int64 // decoded body bytes
}

// NewServer starts a Server over total invitations on a loopback port.
func NewServer(total int) *Server {
	s := &Server{Total: total}
	var b bytes.Buffer
	b.WriteByte('[')
	s.ends = append(s.ends, 1)
	for i := range PageSize {
		if i > 0 {
			b.WriteByte(',')
		}
		enc, err := json.Marshal(Item(i))
		if err != nil {
			panic(err)
		}
		b.Write(enc)
		s.ends = append(s.ends, b.Len())
	}
	s.items = b.Bytes()
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	l := s.Listener
	s.Listener = &countingListener{Listener: l, s: s}
	s.Start()
	return s
}

// Requests returns how many requests the server has answered.
func (s *Server) Requests() int64 { return s.requests.Load() }

// AcceptedGzip returns how many requests advertised Accept-Encoding: gzip.
func (s *Server) AcceptedGzip() int64 { return s.acceptedGzip.Load() }

// WireBytes returns the bytes the server wrote to its connections
// (headers and bodies, as on the wire).
func (s *Server) WireBytes() int64 { return s.bytesWritten.Load() }

// BodyBytes returns the uncompressed body bytes served.
func (s *Server) BodyBytes() int64 { return s.responseBytes.Load() }

// Reset zeroes the counters.
func (s *Server) Reset() {
	s.requests.Store(0)
	s.acceptedGzip.Store(0)
	s.bytesWritten.Store(0)
	s.bytesRead.Store(0)
	s.responseBytes.Store(0)
}

// BaseURL is the API base URL (what client.WithBaseURL takes).
func (s *Server) BaseURL() string { return s.URL + "/api/v1" }

// Page returns the body of the page at offset off (limit items at most),
// exactly as served.
func (s *Server) Page(off, limit int) []byte {
	var b bytes.Buffer
	for _, p := range s.parts(off, limit) {
		b.Write(p)
	}
	return b.Bytes()
}

var (
	pagePrefix = []byte(`{"object":"InvitationList","items":`)
	nullTail   = []byte(`],"cursor":null}`)
)

// parts returns the pieces of the page at off: prefix, items, tail.
func (s *Server) parts(off, limit int) [][]byte {
	n := max(0, min(limit, s.Total-off, PageSize))
	var tail []byte
	if off+n < s.Total {
		tail = []byte(`],"cursor":"c` + strconv.Itoa(off+n) + `"}`)
	} else {
		tail = nullTail
	}
	return [][]byte{pagePrefix, s.items[:s.ends[n]], tail}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if r.URL.Path != "/api/v1/users/invite/received" || r.Header.Get("X-Api-Key") == "" {
		http.Error(w, `{"title":"Not Found","type":"errors/not_found","status":404}`, http.StatusNotFound)
		return
	}
	off := 0
	if c := r.URL.Query().Get("cursor"); c != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(c, "c"))
		if err != nil || !strings.HasPrefix(c, "c") || n < 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"title":"Bad Request","type":"errors/invalid_parameters","status":400,"detail":"bad cursor"}`))
			return
		}
		off = n
	}
	limit := 10
	if l := r.URL.Query().Get("limit"); l != "" {
		limit, _ = strconv.Atoi(l)
	}
	if s.Latency > 0 {
		time.Sleep(s.Latency)
	}
	parts := s.parts(off, limit)
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	s.responseBytes.Add(int64(size))
	h := w.Header()
	h.Set("Content-Type", "application/json")
	gz := strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
	if gz {
		s.acceptedGzip.Add(1)
	}
	if gz && s.Gzip {
		body := s.gzipBody(off, limit, parts)
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
		return
	}
	h.Set("Content-Length", strconv.Itoa(size))
	for _, p := range parts {
		_, _ = w.Write(p)
	}
}

// gzipBody compresses a page once and keeps it (the benchmarks serve few
// distinct pages when gzip is on).
func (s *Server) gzipBody(off, limit int, parts [][]byte) []byte {
	key := [2]int{off, limit}
	if b, ok := s.gzipped.Load(key); ok {
		return b.([]byte)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	for _, p := range parts {
		_, _ = zw.Write(p)
	}
	_ = zw.Close()
	s.gzipped.Store(key, b.Bytes())
	return b.Bytes()
}

// countingListener counts the bytes crossing the server's connections.
type countingListener struct {
	net.Listener
	s *Server
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, s: l.s}, nil
}

type countingConn struct {
	net.Conn
	s *Server
}

// Write counts p before writing it, so that a client that has read the
// bytes finds them counted, and takes back what was not written.
func (c *countingConn) Write(p []byte) (int, error) {
	c.s.bytesWritten.Add(int64(len(p)))
	n, err := c.Conn.Write(p)
	c.s.bytesWritten.Add(int64(n - len(p)))
	return n, err
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.s.bytesRead.Add(int64(n))
	return n, err
}
