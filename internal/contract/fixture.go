package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// Fixture is one recorded exchange, as stored in a fixture file
// (NNN.json). Beside it, NNN.want lists the disagreements the validator found
// when it was recorded, one a line (Disagreement.String), so that a change
// of the spec shows as a changed expectation.
type Fixture struct {
	// Method and URL (path and query) of the request; never the API key.
	Method string `json:"method"`
	URL    string `json:"url"`
	// Status of the response and its headers that matter (RelevantHeaders).
	Status int               `json:"status"`
	Header map[string]string `json:"header,omitempty"`
	// Body is the JSON body with every shared_secret string replaced by a
	// placeholder of the same shape; BodyText holds a body that is not
	// JSON.
	Body     json.RawMessage `json:"body,omitempty"`
	BodyText string          `json:"body_text,omitempty"`
}

// Exchange returns the fixture as an exchange to check.
func (f *Fixture) Exchange() *Exchange {
	h := http.Header{}
	for k, v := range f.Header {
		h.Set(k, v)
	}
	body := []byte(f.BodyText)
	if len(f.Body) > 0 {
		body = f.Body
	}
	return &Exchange{Method: f.Method, URL: f.URL, Status: f.Status, Header: h, Body: body}
}

// Fixture turns an observed exchange into a fixture: Content-Type and the
// headers the spec declares for the response only, shared secrets replaced, and the API key (if it turns up in the URL
// or the body) replaced by "[API key]".
func (v *Validator) Fixture(ex *Exchange) *Fixture {
	f := &Fixture{Method: ex.Method, URL: v.redact(ex.URL), Status: ex.Status}
	keep := []string{"Content-Type"} // and the headers the spec declares for the response
	if r, err := route(v.doc, ex.Method, &url.URL{Path: strings.SplitN(ex.URL, "?", 2)[0]}); err == nil {
		if ref := r.Operation.Responses.Status(ex.Status); ref != nil {
			keep = append(keep, slices.Collect(maps.Keys(ref.Value.Headers))...)
		}
	}
	for _, h := range keep {
		if val := ex.Header.Get(h); val != "" {
			if f.Header == nil {
				f.Header = map[string]string{}
			}
			f.Header[h] = v.redact(val)
		}
	}
	if json.Valid(ex.Body) {
		dec := json.NewDecoder(bytes.NewReader(ex.Body))
		dec.UseNumber() // numbers as written
		var body any
		if dec.Decode(&body) == nil {
			f.Body, _ = json.MarshalIndent(mask(body, false, v.redact), "", "  ")
			return f
		}
	}
	f.BodyText = v.redact(string(ex.Body))
	return f
}

// mask replaces every string under a shared_secret member with a
// placeholder of its shape and applies redact to every other string. A
// fixture's body is written with its members sorted by name.
func mask(v any, secret bool, redact func(string) string) any {
	switch v := v.(type) {
	case string:
		if secret {
			return placeholder(v)
		}
		return redact(v)
	case []any:
		for i := range v {
			v[i] = mask(v[i], secret, redact)
		}
	case map[string]any:
		for k := range v {
			v[k] = mask(v[k], secret || k == secretMember, redact)
		}
	}
	return v
}

// placeholder has the shape of s: each upper-case letter becomes X, each
// lower-case letter x, each digit 0; everything else stays. Lengths,
// character classes and punctuation survive; the secret does not.
func placeholder(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsUpper(r):
			return 'X'
		case unicode.IsLetter(r):
			return 'x'
		case unicode.IsDigit(r):
			return '0'
		}
		return r
	}, s)
}

// Recording writes fixtures into a directory, numbered in order.
type Recording struct {
	dir string
	n   int
	v   *Validator
}

// NewRecording prepares dir for fixtures: it is created if needed and must
// hold no fixture yet (fixtures of another run would be replayed with
// these).
func (v *Validator) NewRecording(dir string) (*Recording, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(old) > 0 {
		return nil, fmt.Errorf("%s already holds fixtures (%s); record into an empty directory", dir, filepath.Base(old[0]))
	}
	return &Recording{dir: dir, v: v}, nil
}

// Add writes ex as the next fixture (NNN.json) and the disagreements the
// validator finds in the fixture as NNN.want.
func (r *Recording) Add(ex *Exchange) error {
	r.n++
	f := r.v.Fixture(ex)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	name := filepath.Join(r.dir, fmt.Sprintf("%03d", r.n))
	if err := os.WriteFile(name+".json", b.Bytes(), 0o644); err != nil { //nolint:gosec // fixtures are meant to be committed
		return err
	}
	return os.WriteFile(name+".want", []byte(WantText(r.v.Check(f.Exchange()).Disagreements)), 0o644) //nolint:gosec // as above
}
