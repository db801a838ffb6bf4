package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/gen/spec"
	"github.com/postpress/postpress-go/internal/benchdata"
	pt "github.com/postpress/postpress-go/postpresstest"
)

func TestDecodePage(t *testing.T) {
	p, err := decodePage([]byte(`{"object":"InvitationList","items":[{"object":"InvitationReceived","id":"inv_1","invited_user":null,"new_field":1,"specifics":{"provider":"XING","shared_secret":"s"}}],"cursor":"eyJvIjoxMH0"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 1 || p.Items[0].ID != "inv_1" || p.NextCursor != "eyJvIjoxMH0" || !p.HasMore() {
		t.Fatalf("page = %+v", p)
	}
	if p.Items[0].Specifics.Provider != "XING" {
		t.Errorf("unknown provider should be kept, got %q", p.Items[0].Specifics.Provider)
	}
	last, err := decodePage([]byte(`{"object":"InvitationList","items":[],"cursor":null}`))
	if err != nil || last.HasMore() || len(last.Items) != 0 {
		t.Fatalf("last page = %+v, %v", last, err)
	}
	for name, body := range map[string]string{
		"missing cursor": `{"object":"InvitationList","items":[]}`,
		"missing items":  `{"object":"InvitationList","cursor":null}`,
		"not json":       `<html>oops</html>`,
		"truncated":      `{"object":"InvitationList","items":[{"id":"inv_`,
		"cursor number":  `{"items":[],"cursor":12}`,
		"array":          `[]`,
		"empty":          ``,
	} {
		if _, err := decodePage([]byte(body)); !errors.Is(err, ErrMalformedResponse) {
			t.Errorf("%s: err = %v, want ErrMalformedResponse", name, err)
		}
	}
}

// TestMalformedPageErrorQuotesNoData: the error of a JSON page that does
// not decode says where and what, but quotes none of the body (a page holds
// shared secrets and personal data, and errors end up in logs); a body that
// is not JSON at all is quoted, to show what answered.
func TestMalformedPageErrorQuotesNoData(t *testing.T) {
	const secret = "AQHsecretSECRETsecret"
	_, err := decodePage([]byte(`{"items":[{"specifics":{"shared_secret":"` + secret + `"},"id":1}],"cursor":null}`))
	if !errors.Is(err, ErrMalformedResponse) || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "at JSON pointer /items/0/id:") {
		t.Errorf("err = %v: want ErrMalformedResponse with the JSON pointer and without the secret", err)
	}
	_, err = decodePage([]byte("<html>502 Bad Gateway</html>"))
	if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), "502 Bad Gateway") {
		t.Errorf("err = %v: want the start of a non-JSON body quoted", err)
	}
}

func TestDecodeAPIError(t *testing.T) {
	h := http.Header{"Retry-After": {"3"}}
	e := decodeAPIError(429, h, []byte(`{"title":"Too Many Requests","type":"errors/too_many_requests","status":429,"detail":"slow down","instance":"req_9"}`))
	if e.Type != ErrorTypeTooManyRequests || e.StatusCode != 429 || e.Detail != "slow down" || e.Instance != "req_9" || e.RetryAfter != 3*time.Second || !e.Retryable() {
		t.Fatalf("decoded = %+v", e)
	}
	html := decodeAPIError(502, nil, []byte("<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>\n<p>nginx</p></body></html>"))
	if html.Type != "" || html.StatusCode != 502 || !strings.Contains(html.Detail, "Bad Gateway") || strings.Contains(html.Detail, "<") || !html.Retryable() {
		t.Fatalf("html error = %+v", html)
	}
	if msg := html.Error(); !strings.Contains(msg, "502 Bad Gateway") || strings.Contains(msg, "\n") {
		t.Errorf("Error() = %q", msg)
	}
	unknown := decodeAPIError(418, nil, []byte(`{"title":"Teapot","type":"errors/teapot","status":418}`))
	if unknown.Type != "errors/teapot" || unknown.Type.Known() || unknown.Retryable() {
		t.Errorf("unknown type = %+v", unknown)
	}
}

// A 200 without a `cursor` member ends the listing with
// ErrMalformedResponse (ending quietly could lose items).
func TestMissingCursorFieldIsAnError(t *testing.T) {
	c := stubClient(t, func(*http.Request) (*http.Response, error) {
		return jsonResponse(200, `{"object":"InvitationList","items":[]}`), nil
	})
	if _, err := listIDs(c, ListParams{AccountID: "acc"}); !errors.Is(err, ErrMalformedResponse) {
		t.Fatalf("err = %v, want ErrMalformedResponse", err)
	}
}

func TestProxyHTMLBecomesAnAPIError(t *testing.T) {
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 5)})
	srv.Enqueue(pt.ProxyHTML(502))
	_, err := c.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc"}, WithMaxRetries(0))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 502 || apiErr.Type != "" || !strings.Contains(apiErr.Detail, "502 Bad Gateway") || !apiErr.Retryable() {
		t.Fatalf("err = %#v", err)
	}
	if msg := err.Error(); strings.ContainsAny(msg, "<>\n") {
		t.Errorf("Error() should be one clean line: %q", msg)
	}
	// With retries, the proxy page is retried and the page comes through.
	srv.Enqueue(pt.ProxyHTML(503), pt.TruncatedBody())
	if page, err := c.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc"}); err != nil || len(page.Items) != 5 {
		t.Fatalf("retry through proxy page and truncated body: %v", err)
	}
}

// specExamples returns every response example of the spec as JSON, keyed by
// status code, to seed the fuzz corpora.
func specExamples(t testing.TB) map[int][][]byte {
	t.Helper()
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	out := map[int][][]byte{}
	for code, resp := range doc.Paths.Find("/users/invite/received").Get.Responses.Map() {
		var status int
		_, _ = fmt.Sscan(code, &status)
		for _, ex := range resp.Value.Content.Get("application/json").Examples {
			b, err := json.Marshal(ex.Value.Value)
			if err != nil {
				t.Fatal(err)
			}
			out[status] = append(out[status], b)
		}
	}
	return out
}

// FuzzDecodeAPIError: any status, headers and body give an *APIError with
// that status, never a panic; its Error() is one line; an envelope's type is
// kept as sent.
func FuzzDecodeAPIError(f *testing.F) {
	for status, bodies := range specExamples(f) {
		for _, b := range bodies {
			f.Add(status, "2", b)
		}
	}
	f.Add(502, "", []byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
	f.Add(503, "Wed, 21 Oct 2015 07:28:00 GMT", []byte(`{"type":"errors/x","status":"503"}`))
	f.Add(429, "-1", []byte(`{"type":null}`))
	f.Add(500, "1e9", []byte{0xff, 0xfe, '\n', '{'})
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		e := decodeAPIError(status, http.Header{"Retry-After": {retryAfter}}, body)
		if e.StatusCode != status || e.RetryAfter < 0 || len(e.Body) > maxErrorBodyKept {
			t.Fatalf("decoded %+v", e)
		}
		if msg := e.Error(); strings.ContainsAny(msg, "\r\n") || !strings.HasPrefix(msg, "postpress: ") {
			t.Fatalf("Error() not one line: %q", msg)
		}
		var env struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(body, &env) == nil && env.Type != "" && string(e.Type) != env.Type {
			t.Fatalf("type %q decoded as %q", env.Type, e.Type)
		}
		_ = e.Retryable()
	})
}

// decodePageStd is the reference decodePage: encoding/json into the
// generated types, then (with encoding/json's own member matching) the
// presence of `items` and `cursor` and each item's bytes (json.RawMessage). decodePage must accept exactly the
// bodies it accepts and yield the same pages.
func decodePageStd(body []byte) (*Page, error) {
	var full gen.InvitationList
	if err := json.Unmarshal(body, &full); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedResponse, err)
	}
	var w struct {
		Items  *[]json.RawMessage `json:"items"`
		Cursor presentString      `json:"cursor"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedResponse, err)
	}
	switch {
	case w.Items == nil:
		return nil, fmt.Errorf("%w: no `items` array", ErrMalformedResponse)
	case !w.Cursor.present:
		return nil, fmt.Errorf("%w: no `cursor` field", ErrMalformedResponse)
	}
	p := &Page{Items: make([]Invitation, len(full.Items)), raw: body}
	for i := range full.Items {
		p.Items[i] = Invitation{InvitationReceived: full.Items[i], raw: (*w.Items)[i]}
	}
	if full.Cursor != nil {
		p.NextCursor = *full.Cursor
	}
	return p, nil
}

// presentString is a nullable string that remembers whether it was present.
type presentString struct {
	present bool
	value   *string
}

func (s *presentString) UnmarshalJSON(b []byte) error {
	s.present = true
	if string(b) == "null" {
		s.value = nil
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	s.value = &v
	return nil
}

// decodeSeeds are the bodies the fuzz corpus starts from: the spec's
// examples and the edge cases the decoder must treat as encoding/json does.
func decodeSeeds(t testing.TB) []string {
	seeds := []string{
		`{"object":"InvitationList","items":[],"cursor":null}`,
		`{"object":"InvitationList","items":[{"object":"InvitationReceived","id":"inv_1","invited_user":null,"new_field":1,"specifics":{"provider":"XING","shared_secret":"s"}}],"cursor":"eyJvIjoxMH0"}`,
		`{"items":[],"cursor":"a","cursor":null}`,
		`{"items":[{"id":"a","date":"d"},{"id":"b"}],"items":[{"id":"c"}],"items":[null,{"date":"x"}],"cursor":null}`,
		`{"items":[{"id":"a"}],"items":[],"items":[{}],"cursor":null}`,
		`{"items":[{"id":"a","inviter":{"inviter_name":"n"}}],"items":[{"inviter":{"inviter_id":"i"}}],"cursor":null}`,
		`{"items":[{"inviter":{"inviter_name":"n"},"inviter":null,"specifics":null}],"cursor":"c"}`,
		`{"ITEMS":[{"ID":"x","Invited_User":"u","ſpecifics":{"PROVIDER":"LINKEDIN"}}],"Cursor":"k","\u0063ursor":"z"}`,
		// JSON escapes in a raw string, then raw bytes (UTF-8, invalid
		// UTF-8, an encoded surrogate) in an interpreted one: in one raw
		// string "\xc3" would be an invalid escape that both decoders
		// refuse, and the seed would test nothing.
		`{"items":[{"id":"\u00e9\ud83d\ude00\ud800\udc00\ud800x\udc00\u0000\"\\\/\b\f\n\r\t","date":"caf` + "\xc3\xa9 \xff\xfe \xed\xa0\x80" + `"}],"cursor":"\u2028"}`,
		`{"items":[{"id":"a","date":null,"date":"b","invitation_text":"t","invitation_text":null}],"cursor":null}`,
		`{"items":[{"unknown":{"a":[1,-2.5e+10,0.0,true,false,null,{"b":"c"}]},"id":"x"}],"cursor":null,"extra":[[[]]]}`,
		` {"items" : [ ] , "cursor" : null } ` + "\n\t\r",
		`{"items":[],"cursor":null}x`, `{"items":[],"cursor":null}{}`,
		"{\"a\":1,\"n\\u00e9\":\"" + strings.Repeat("\xff", 40) + "\",\"items\":[],\"cursor\":null}",
		`{"items":[],"cursor":12}`, `{"items":[],"cursor":{}}`, `{"items":{},"cursor":null}`,
		`{"items":[1],"cursor":null}`, `{"items":["x"],"cursor":null}`, `{"items":[{"id":1}],"cursor":null}`,
		`{"items":[{"id":true}],"cursor":null}`, `{"items":[{"inviter":"x"}],"cursor":null}`, `{"items":[{"specifics":[]}],"cursor":null}`,
		`{"items":[{"id":"x"},],"cursor":null}`, `{"items":[],"cursor":null,}`, `{"items":[],"cursor":nul}`,
		`{"items":[{"x":01}],"cursor":null}`, `{"items":[{"x":-}],"cursor":null}`, `{"items":[{"x":1.}],"cursor":null}`,
		`{"items":[{"x":1e}],"cursor":null}`, `{"items":[{"x":"\x}"}],"cursor":null}`, `{"items":[{"x":"\u12"}],"cursor":null}`,
		`{"items":[{"id":"a` + "\x01" + `"}],"cursor":null}`, `{"items":[{"id":"\'"}],"cursor":null}`,
		`{"items":null,"cursor":null}`, `{"object":"InvitationList","items":[]}`, `{"cursor":null}`,
		`null`, `[]`, `""`, `1`, `true`, ``, ` `, `{`, `{"items"`, `{"items":`, `{"items":[`, `{"items":[{`,
		"\xef\xbb\xbf{\"items\":[],\"cursor\":null}",
	}
	// The spec's own examples of the 200 response.
	for _, b := range specExamples(t)[200] {
		seeds = append(seeds, string(b))
	}
	return append(seeds, schemaSeeds(t)...)
}

// schemaSeeds are bodies built from the generated types, so that every
// property the spec declares, of whatever JSON type, is in the corpus with
// no edit here: a page whose every field is filled, then that page with
// each member and element in turn replaced by null and by values of the
// wrong type or at the edge of a Go type's range.
func schemaSeeds(t testing.TB) []string {
	var page gen.InvitationList
	fill(reflect.ValueOf(&page).Elem())
	full, err := json.Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	seeds := []string{string(full)}
	// leaves returns a fresh copy of the full page and the setters of its
	// members and elements, in a stable order.
	leaves := func() (any, []func(any)) {
		var doc any
		if err := json.Unmarshal(full, &doc); err != nil {
			t.Fatal(err)
		}
		var sets []func(any)
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for _, k := range slices.Sorted(maps.Keys(v)) {
					sets = append(sets, func(x any) { v[k] = x })
					walk(v[k])
				}
			case []any:
				for i := range v {
					sets = append(sets, func(x any) { v[i] = x })
					walk(v[i])
				}
			}
		}
		walk(doc)
		return doc, sets
	}
	_, all := leaves()
	for i := range all {
		for _, x := range []any{nil, "x", true, json.Number("1.5"), json.Number("-1"), json.Number("1e400"),
			json.Number("9223372036854775808"), json.Number("3.5e38"), []any{}, map[string]any{}} {
			doc, sets := leaves()
			sets[i](x)
			b, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			seeds = append(seeds, string(b))
		}
	}
	return seeds
}

// fill sets every field of v, at any depth, to a value that is not the
// zero value: strings, numbers and bools, one element in each slice, a
// new value behind each pointer.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(2.5)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	}
}

// checkDecodeAgainstStd fails if decodePage and encoding/json disagree on
// body (one accepts and the other does not, or they yield different
// pages) or if decodePage writes to the body.
func checkDecodeAgainstStd(t *testing.T, body []byte) {
	t.Helper()
	want, wantErr := decodePageStd(bytes.Clone(body))
	in := bytes.Clone(body)
	got, gotErr := decodePage(in)
	switch {
	case !bytes.Equal(in, body):
		t.Fatalf("body %q: decodePage wrote to its input, leaving %q", body, in)
	case (wantErr == nil) != (gotErr == nil):
		t.Fatalf("body %q:\nencoding/json: %v\ndecodePage:    %v", body, wantErr, gotErr)
	case gotErr != nil:
		if !errors.Is(gotErr, ErrMalformedResponse) {
			t.Fatalf("body %q: error %v does not wrap ErrMalformedResponse", body, gotErr)
		}
	case !reflect.DeepEqual(got, want):
		t.Fatalf("body %q:\nencoding/json: %+v\ndecodePage:    %+v", body, want, got)
	}
}

func TestDecodePageMatchesEncodingJSON(t *testing.T) {
	seeds := decodeSeeds(t)
	if len(seeds) < 45 {
		t.Fatalf("only %d seeds: the spec examples are missing", len(seeds))
	}
	// Nesting at and past encoding/json's limit of 10000 (kept out of the
	// fuzz corpus: inputs this deep slow the fuzzer down a hundredfold).
	seeds = append(seeds,
		`{"items":[`+strings.Repeat(`[`, 9997)+strings.Repeat(`]`, 9997)+`],"cursor":null}`,
		`{"items":[{"x":`+strings.Repeat(`[`, 9998)+strings.Repeat(`]`, 9998)+`}],"cursor":null}`,
		`{"items":[{"x":`+strings.Repeat(`[`, 9997)+strings.Repeat(`]`, 9997)+`}],"cursor":null}`,
		`{"items":[{"x":`+strings.Repeat(`{"a":`, 9997)+`1`+strings.Repeat(`}`, 9997)+`}],"cursor":null}`,
		`{"items":[{"x":`+strings.Repeat(`{"a":`, 9998)+`1`+strings.Repeat(`}`, 9998)+`}],"cursor":null}`,
	)
	for _, s := range seeds {
		checkDecodeAgainstStd(t, []byte(s))
	}
}

// FuzzDecodePage feeds the same bodies to decodePage and to encoding/json
// (decodePageStd) and fails on a panic, on a body one accepts and the other
// rejects, on different decoded pages, or on decodePage writing to the body.
func FuzzDecodePage(f *testing.F) {
	for _, s := range decodeSeeds(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecodeAgainstStd(t, body)
	})
}

func benchPage(tb testing.TB) []byte {
	items := make([]gen.InvitationReceived, 100)
	for i := range items {
		items[i] = benchdata.Item(i)
	}
	cursor := "c100"
	b, err := json.Marshal(gen.InvitationList{Object: "InvitationList", Items: items, Cursor: &cursor})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkDecodePage is the decode-only cost of one 100-item page:
// decodePage (the client's generated decoder, RawJSON kept), the generated
// decoder without RawJSON, and one json.Unmarshal into the same generated
// type.
// hundred stands for a page's items where only their count is checked.
var hundred = make([]Invitation, 100)

func BenchmarkDecodePage(b *testing.B) {
	body := benchPage(b)
	for _, v := range []struct {
		name   string
		decode func([]byte) (*Page, error)
	}{{"impl=client", decodePage}, {"impl=client-noraw", func(body []byte) (*Page, error) {
		// The generated decoder alone: no RawJSON, no Invitation wrapping.
		var v gen.InvitationList
		_, err := decodeInvitationList(body, &v, nil)
		return &Page{Items: hundred[:len(v.Items)]}, err
	}}, {"impl=encoding-json", func(body []byte) (*Page, error) {
		var v gen.InvitationList
		err := json.Unmarshal(body, &v)
		return &Page{Items: make([]Invitation, len(v.Items))}, err
	}}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				p, err := v.decode(body)
				if err != nil || len(p.Items) != 100 {
					b.Fatal(err)
				}
			}
		})
	}
}
