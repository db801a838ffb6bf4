package client

import (
	"net/url"
	"reflect"

	"github.com/postpress/postpress-go/internal/params"
)

// omitZeroOptional removes from u's query each optional parameter (a field
// of the parameter struct p tagged omitempty, as oapi-codegen tags the
// spec's optional parameters) whose value is its type's zero value: a
// plain-valued optional parameter (x-go-type-skip-optional-pointer) left
// unset is not sent.
func omitZeroOptional(u *url.URL, p any) {
	v := reflect.Indirect(reflect.ValueOf(p))
	if v.Kind() != reflect.Struct {
		return
	}
	var q url.Values
	for _, f := range reflect.VisibleFields(v.Type()) {
		if !params.Optional(f) || !v.FieldByIndex(f.Index).IsZero() {
			continue
		}
		if q == nil {
			q = u.Query()
		}
		q.Del(params.Name(f))
	}
	if q != nil {
		u.RawQuery = q.Encode()
	}
}
