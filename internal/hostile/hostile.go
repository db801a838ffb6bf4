// Package hostile serves the bodies a client must refuse without being hurt
// by them: a gzip bomb and a body far larger than any page, sent without a
// Content-Length. Tests of the client and of the CLI use it; each handler
// counts the requests it answered.
package hostile

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
)

// Counter counts the requests a handler answered.
type Counter struct{ n atomic.Int64 }

// Requests returns how many requests were answered.
func (c *Counter) Requests() int { return int(c.n.Load()) }

// member is one gzip member inflating to 1 MiB of zeros (about 1 KiB).
var member = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = zw.Write(make([]byte, 1<<20))
	_ = zw.Close()
	return b.Bytes()
})

// GzipBomb answers every request with a 200 whose body, sent with
// Content-Encoding: gzip, inflates to mib MiB: mib gzip members of 1 MiB of
// zeros each (Go's gzip reader reads concatenated members as one stream),
// about 1 KiB a MiB, so 1024 MiB is about a 1 MB body. It also returns the
// size of the compressed body.
func GzipBomb(mib int) (http.Handler, *Counter, int) {
	c := &Counter{}
	body := bytes.Repeat(member(), mib)
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c.n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}), c, len(body)
}

// Endless answers every request with a 200 of size bytes of a JSON string
// (`{"items":["aaaa…`), written in chunks with no Content-Length, until the
// client stops reading.
func Endless(size int) (http.Handler, *Counter) {
	c := &Counter{}
	chunk := bytes.Repeat([]byte("a"), 32<<10)
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c.n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if _, err := w.Write([]byte(`{"items":["`)); err != nil {
			return
		}
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte(`"],"cursor":null}`))
	}), c
}
