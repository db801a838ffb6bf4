package client

import (
	"net/http"
	"sync"
)

// maxIdleConnsPerHost is 2 × multi.DefaultConcurrency: a request in flight
// and one prefetched for each account listed at once.
const maxIdleConnsPerHost = 16

// defaultHTTPClient is the *http.Client a Client sends through unless
// WithHTTPClient gives another: http.DefaultTransport's settings (proxy from
// the environment, timeouts, HTTP/2), but keeping up to maxIdleConnsPerHost
// idle connections a host instead of Go's default of 2. Accounts listed at
// once (package multi) each have a request in flight and one prefetched;
// with 2 idle connections kept, every round of them would close most of the
// connections it used and open (over TLS: handshake) new ones. One client is
// shared by every Client, as http.DefaultClient would be, so that they share
// the connection pool.
var defaultHTTPClient = sync.OnceValue(func() *http.Client {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok { // replaced by the program: respect that
		return http.DefaultClient
	}
	t = t.Clone()
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	return &http.Client{Transport: t}
})
