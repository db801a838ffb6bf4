package postpresstest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

// liveExtraMembers is the schema extension that records members live data
// carries which the docs do not list: a map of member name to an example
// value.
const liveExtraMembers = "x-live-extra-members"

// WithLiveShapedData makes list pages look like the live API's rather
// than the docs': each object whose schema records x-live-extra-members
// carries those members (with their example values), and every third
// string property the schema marks nullable is null. Without it (the
// default) the data is exactly as the spec describes it.
func WithLiveShapedData() Option { return func(f *Fake) { f.liveShaped = true } }

// respond hands the request to the generated strict server; with
// WithLiveShapedData, a list operation's 200 page is reshaped first.
func (f *Fake) respond(w http.ResponseWriter, r *http.Request) {
	o := listOpOf(r.URL.Path)
	if !f.liveShaped || o == nil {
		f.handler.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if rec.Code == http.StatusOK {
		if shaped, err := liveShape(body, o.pageSchema); err == nil {
			body = shaped
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// liveShape returns the JSON body of a value of components.schemas[schema]
// reshaped as WithLiveShapedData says.
func liveShape(body []byte, schema string) ([]byte, error) {
	ref := embeddedSpec().Components.Schemas[schema]
	if ref == nil {
		return body, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	n := 0
	v = reshape(v, ref.Value, &n)
	out, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// reshape walks v beside its schema s; n counts the nullable string
// properties met, so that every third is null.
func reshape(v any, s *openapi3.Schema, n *int) any {
	if s == nil {
		return v
	}
	switch v := v.(type) {
	case []any:
		for i, e := range v {
			v[i] = reshape(e, itemsOf(s), n)
		}
	case map[string]any:
		for name, ex := range extraMembers(s) {
			if _, ok := v[name]; !ok {
				v[name] = ex
			}
		}
		for _, name := range propertyNames(s) {
			e, ok := v[name]
			if !ok {
				continue
			}
			ps := propertyOf(s, name)
			if _, isString := e.(string); isString && ps != nil && ps.Nullable && ps.Type != nil && ps.Type.Is("string") {
				if *n++; *n%3 == 0 {
					v[name] = nil
				}
				continue
			}
			v[name] = reshape(e, ps, n)
		}
	}
	return v
}

// extraMembers returns the x-live-extra-members of s (and of its allOf).
func extraMembers(s *openapi3.Schema) map[string]any {
	out := map[string]any{}
	if m, ok := s.Extensions[liveExtraMembers].(map[string]any); ok {
		for k, v := range m {
			out[k] = v
		}
	}
	for _, sub := range s.AllOf {
		if sub.Value != nil {
			for k, v := range extraMembers(sub.Value) {
				out[k] = v
			}
		}
	}
	return out
}

// propertyNames returns the names of s's properties (and its allOf's),
// sorted.
func propertyNames(s *openapi3.Schema) []string {
	seen := map[string]bool{}
	var walk func(*openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		for name := range s.Properties {
			seen[name] = true
		}
		for _, sub := range s.AllOf {
			if sub.Value != nil {
				walk(sub.Value)
			}
		}
	}
	walk(s)
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
