package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// Fixture is one recorded exchange, as stored in a fixture file
// (NNN.json). Beside it, NNN.want lists the disagreements the checker found
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

// RelevantHeaders are the response headers a fixture keeps: Content-Type
// and every header the spec declares on a response.
func (v *Validator) RelevantHeaders() []string {
	hs := []string{"Content-Type"}
	for _, item := range v.doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, r := range op.Responses.Map() {
				for h := range r.Value.Headers {
					if h = http.CanonicalHeaderKey(h); !slices.Contains(hs, h) {
						hs = append(hs, h)
					}
				}
			}
		}
	}
	slices.Sort(hs[1:])
	return hs
}

// Fixture turns an observed exchange into a fixture: the relevant headers
// only, shared secrets replaced, and the API key (if it turns up in the URL
// or the body) replaced by "[API key]".
func (v *Validator) Fixture(ex *Exchange) *Fixture {
	f := &Fixture{Method: ex.Method, URL: v.redact(ex.URL), Status: ex.Status}
	for _, h := range v.RelevantHeaders() {
		if val := ex.Header.Get(h); val != "" {
			if f.Header == nil {
				f.Header = map[string]string{}
			}
			f.Header[h] = v.redact(val)
		}
	}
	if masked, err := maskSecrets(ex.Body, v.redact); err == nil {
		var ind bytes.Buffer
		if json.Indent(&ind, masked, "", "  ") == nil {
			f.Body = ind.Bytes()
			return f
		}
	}
	f.BodyText = v.redact(string(ex.Body))
	return f
}

// maskSecrets re-writes a JSON body member by member, in its order, with
// every string value of a shared_secret member replaced by a placeholder
// of the same shape (see placeholder) and redact applied to every other
// string.
func maskSecrets(body []byte, redact func(string) string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var out bytes.Buffer
	if err := rewrite(dec, &out, false, redact); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one JSON value")
	}
	return out.Bytes(), nil
}

func rewrite(dec *json.Decoder, out *bytes.Buffer, secret bool, redact func(string) string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	str := func(s string) {
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		out.Truncate(out.Len() - 1) // Encode's newline
	}
	switch t := tok.(type) {
	case json.Delim:
		open, end := byte('['), byte(']')
		if t == '{' {
			open, end = '{', '}'
		}
		out.WriteByte(open)
		for first := true; dec.More(); first = false {
			if !first {
				out.WriteByte(',')
			}
			member := false
			if open == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ := k.(string)
				str(key)
				out.WriteByte(':')
				member = key == secretMember
			}
			if err := rewrite(dec, out, member, redact); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		out.WriteByte(end)
	case string:
		if secret {
			str(placeholder(t))
		} else {
			str(redact(t))
		}
	case json.Number:
		out.WriteString(t.String())
	case bool:
		fmt.Fprint(out, t)
	case nil:
		out.WriteString("null")
	}
	return nil
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
// checker finds in the fixture as NNN.want.
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

// LoadFixtures reads every NNN.json in dir, in name order, with the text of
// its NNN.want (a missing .want is an error: every fixture lists what it
// expects).
func LoadFixtures(dir string) (names []string, fixtures []*Fixture, wants []string, err error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, nil, nil, err
	}
	slices.Sort(paths)
	for _, p := range paths {
		b, err := os.ReadFile(p) //nolint:gosec // a fixture path from Glob
		if err != nil {
			return nil, nil, nil, err
		}
		f := &Fixture{}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(f); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", p, err)
		}
		want, err := os.ReadFile(strings.TrimSuffix(p, ".json") + ".want") //nolint:gosec // beside the fixture
		if err != nil {
			return nil, nil, nil, err
		}
		names = append(names, p)
		fixtures = append(fixtures, f)
		wants = append(wants, string(want))
	}
	return names, fixtures, wants, nil
}
