package client

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// defaultMaxBodyBytesPerItem is the default of WithMaxBodyBytesPerItem: a
// page of 100 invitations is about 60 KB, so 64 KiB an item leaves room
// for a hundredfold growth of the items and refuses a body that inflates
// to gigabytes.
const defaultMaxBodyBytesPerItem = 64 << 10

// minBodyBound is the least bound of a body, whatever the page size: room
// for a proxy's error page at a page size of 1.
const minBodyBound = 1 << 20

// ErrBodyTooLarge is wrapped by the error of a response whose body is
// larger than its bound (see WithMaxBodyBytesPerItem). Such a response is
// not retried: the same request would get the same body.
var ErrBodyTooLarge = errors.New("postpress: response body too large")

// WithMaxBodyBytesPerItem bounds the body of each response to n bytes for
// each item of the page asked for (the page size sent, or the API's default
// page size when none is sent), and at least 1 MiB; default 64 KiB. The bound holds while the body is read, after
// the transport decompressed it, so that a small gzip body that inflates to
// gigabytes costs at most about three times the bound in memory: the read stops
// at the bound and the error wraps ErrBodyTooLarge.
func WithMaxBodyBytesPerItem(n int64) Option {
	return func(c *config) {
		if n < 1 {
			c.fail("WithMaxBodyBytesPerItem: %d is not positive", n)
			return
		}
		c.bodyPerItem = n
	}
}

// maxBody returns the bound of a body answering a request for limit items.
func (c *config) maxBody(limit int) int64 {
	limit = max(limit, 1)
	per := c.bodyPerItem
	if per <= 0 {
		per = defaultMaxBodyBytesPerItem
	}
	if per > (1<<62)/int64(limit) {
		return 1 << 62
	}
	return max(per*int64(limit), minBodyBound)
}

// readBody reads the whole body (at most maxBody bytes, counted after
// decompression) and closes it. A Content-Length over the bound is refused
// before anything is read; one within it sizes the buffer. Without one (the
// transport decompressed a gzip body, whose Content-Length it drops, or the
// body was chunked) the buffer starts at the size of the last such 200 body
// (bodySizeHint), so that a listing of same-sized pages reads each page
// into one buffer. bytes.Buffer grows by doubling up to the bound, so
// refusing a body allocates at most about 2.5 times the bound in all.
func readBody(resp *http.Response, maxBody int64) ([]byte, error) {
	defer func() { _ = resp.Body.Close() }()
	var buf bytes.Buffer
	n := resp.ContentLength
	switch {
	case n > maxBody:
		return nil, tooLarge(resp.StatusCode, maxBody)
	case n > 0:
		buf.Grow(int(n) + bytes.MinRead) // room for the read that meets EOF
	default:
		buf.Grow(int(min(bodySizeHint.Load(), maxBodyHint, maxBody)) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, maxBody+1))
	if err == nil && int64(buf.Len()) > maxBody {
		return nil, tooLarge(resp.StatusCode, maxBody)
	}
	if err == nil && n <= 0 && resp.StatusCode == http.StatusOK {
		bodySizeHint.Store(int64(buf.Len()))
	}
	return buf.Bytes(), err
}

// bodySizeHint is the size of the last 200 body read without a
// Content-Length: the first guess for the next one.
var bodySizeHint atomic.Int64

// maxBodyHint caps bodySizeHint's guess (a page of 100 invitations is
// about 60 KB).
const maxBodyHint = 1 << 20

// tooLarge is the error of a body over its bound.
func tooLarge(status int, maxBody int64) error {
	return fmt.Errorf("%w: the %d response's body exceeds %d bytes (the bound for the page size asked; see WithMaxBodyBytesPerItem)",
		ErrBodyTooLarge, status, maxBody)
}
