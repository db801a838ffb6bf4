package check

import (
	"bytes"
	"io"
	"net/http"
	"sync"
)

// Recorder is an http.RoundTripper that keeps every exchange it carries (a
// response whose body was read whole) and hands the response on
// unchanged: the client behind it sees exactly what it would without it.
type Recorder struct {
	// Base carries the requests; nil means http.DefaultTransport.
	Base http.RoundTripper

	mu   sync.Mutex
	done []*Exchange
}

// RoundTrip sends req, reads the whole response body and keeps the
// exchange. A body that cannot be read in full is handed on as it came
// (the bytes that arrived, then the error) and not kept: the client reports
// the failure.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	base := r.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, readErr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if readErr != nil {
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{readErr}))
		return resp, nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	ex := &Exchange{Method: req.Method, URL: req.URL.RequestURI(), Status: resp.StatusCode, Header: resp.Header.Clone(), Body: body}
	r.mu.Lock()
	r.done = append(r.done, ex)
	r.mu.Unlock()
	return resp, nil
}

// Take returns the exchanges completed since the last Take, in the order
// they completed.
func (r *Recorder) Take() []*Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.done
	r.done = nil
	return out
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
