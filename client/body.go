package client

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// DefaultMaxBodyBytesPerItem is the default of WithMaxBodyBytesPerItem: a
// page of 100 invitations is about 60 KB, so 64 KiB an item leaves room
// for a hundredfold growth of the items and refuses a body that inflates
// to gigabytes.
const DefaultMaxBodyBytesPerItem = 64 << 10

// minBodyBound is the least bound of a body, whatever the page size: room
// for a proxy's error page at a page size of 1.
const minBodyBound = 1 << 20

// ErrBodyTooLarge is wrapped by the error of a response whose body is
// larger than its bound (see WithMaxBodyBytesPerItem). Such a response is
// not retried: the same request would get the same body.
var ErrBodyTooLarge = errors.New("postpress: response body too large")

// WithMaxBodyBytesPerItem bounds the body of each response to n bytes for
// each item of the page asked for (ListParams.Limit, or the API's default
// page size when Limit is 0), and at least 1 MiB; default
// DefaultMaxBodyBytesPerItem. The bound holds while the body is read, after
// the transport decompressed it, so that a small gzip body that inflates to
// gigabytes costs at most about twice the bound in memory: the read stops
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
	if limit <= 0 {
		limit = APIDefaultPageSize
	}
	per := c.bodyPerItem
	if per <= 0 {
		per = DefaultMaxBodyBytesPerItem
	}
	if per > (1<<62)/int64(limit) {
		return 1 << 62
	}
	return max(per*int64(limit), minBodyBound)
}

// readBody reads the whole body (at most maxBody bytes, counted after
// decompression) and closes it. A Content-Length over the bound is refused
// before anything is read. When the server sent a Content-Length and the
// transport did not decompress the body, the buffer is sized from it.
// Otherwise (the transport decompressed a gzip body, whose Content-Length
// it drops since it counted gzip bytes, or the body was chunked) the buffer
// starts at the size of the last such 200 body (bodySizeHint), so that a
// listing of same-sized pages reads each page into one buffer instead of
// growing it from 512 bytes as io.ReadAll does. The buffer grows by
// doubling up to the bound, so refusing a body allocates at most about
// twice the bound in all (BenchmarkGzipBomb).
func readBody(resp *http.Response, maxBody int64) ([]byte, error) {
	defer func() { _ = resp.Body.Close() }()
	tooLarge := func() error {
		return fmt.Errorf("%w: the %d response's body exceeds %d bytes (the bound for the page size asked; see WithMaxBodyBytesPerItem)",
			ErrBodyTooLarge, resp.StatusCode, maxBody)
	}
	n := resp.ContentLength
	if n > maxBody {
		return nil, tooLarge()
	}
	sized := n > 0 && !resp.Uncompressed
	capacity := int(min(bodySizeHint.Load(), maxBodyHint, maxBody)) + bodySlack
	if sized {
		capacity = int(n) + 1 // +1: room for the read that meets EOF
	}
	body, err := readAllInto(make([]byte, 0, capacity), io.LimitReader(resp.Body, maxBody+1), maxBody+1)
	if err == nil && int64(len(body)) > maxBody {
		return nil, tooLarge()
	}
	if err == nil && !sized && resp.StatusCode == http.StatusOK {
		bodySizeHint.Store(int64(len(body)))
	}
	return body, err
}

// bodySizeHint is the size of the last 200 body read without a usable
// Content-Length: the first guess for the next one.
var bodySizeHint atomic.Int64

const (
	// maxBodyHint caps bodySizeHint's guess (a page of 100 invitations is
	// about 60 KB).
	maxBodyHint = 1 << 20
	// bodySlack is room past the guess, so that a body of the guessed size
	// reaches EOF without growing the buffer.
	bodySlack = 1 << 10
)

// readAllInto is io.ReadAll reading into buf (from len(buf) on), growing it
// only when full, by doubling up to limit bytes (append grows large slices
// by a quarter, which would allocate about five times the final size in
// all; doubling allocates at most twice).
func readAllInto(buf []byte, r io.Reader, limit int64) ([]byte, error) {
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return buf, err
		}
		if int64(len(buf)) >= limit {
			return buf, nil // as far as the caller reads: it refuses what is longer
		}
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), max(min(2*int64(cap(buf)), limit), int64(cap(buf))+512))
			copy(grown, buf)
			buf = grown
		}
	}
}
