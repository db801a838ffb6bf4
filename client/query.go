package client

import (
	"net/url"
	"reflect"
	"strings"
	"sync"
)

// optionalParams maps a params struct type to its optional query
// parameters ([]optionalParam).
var optionalParams sync.Map

// optionalParam is one optional query parameter of a params struct: its
// field's index and its name in the query.
type optionalParam struct {
	field int
	name  string
}

// omitZeroOptional removes from u's query each optional parameter (a field
// of params, a struct or a pointer to one, whose form tag has omitempty)
// whose field holds its zero value: a nil pointer, or a plain value such as
// 0 or "". A parameter is removed wherever its name appears as a key; the
// other parts of the query are kept as they are, in their order. params of
// any other kind, or a nil pointer, leave u unchanged.
func omitZeroOptional(u *url.URL, params any) {
	v := reflect.ValueOf(params)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct || u.RawQuery == "" {
		return
	}
	omit := map[string]bool{}
	for _, p := range optionalOf(v.Type()) {
		if v.Field(p.field).IsZero() {
			omit[p.name] = true
		}
	}
	if len(omit) == 0 {
		return
	}
	parts := strings.Split(u.RawQuery, "&")
	kept := parts[:0]
	for _, part := range parts {
		key, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
		if !omit[key] {
			kept = append(kept, part)
		}
	}
	u.RawQuery = strings.Join(kept, "&")
}

// optionalOf is t's optional query parameters, read from its form tags once
// per type.
func optionalOf(t reflect.Type) []optionalParam {
	if ps, ok := optionalParams.Load(t); ok {
		return ps.([]optionalParam)
	}
	var ps []optionalParam
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("form"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		for opt := range strings.SplitSeq(opts, ",") {
			if opt == "omitempty" {
				ps = append(ps, optionalParam{field: i, name: name})
				break
			}
		}
	}
	optionalParams.Store(t, ps)
	return ps
}
