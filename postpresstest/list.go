package postpresstest

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// listOp is one cursor-paged list operation of the spec, as the generic
// pager needs it: operations_gen.go declares one for each operation with
// the x-speakeasy-pagination extension.
type listOp struct {
	id   string // operationId: keys the operation's data
	path string // under BasePath; {name} matches any one segment
	// The query parameters that take the cursor, the page size ("" when
	// none) and the account ("" when none: every request lists account
	// ""), and the members of the 200 body holding the items and the next
	// cursor.
	cursorParam, limitParam, accountParam string
	itemsMember, cursorMember             string
	itemSchema, pageSchema                string       // the schemas' names under components.schemas
	item                                  reflect.Type // gen's type of one item
	limit                                 limitBounds
}

// limitBounds are the limit parameter's bounds and default.
type limitBounds struct{ min, max, def int }

// matches reports whether an HTTP request path (BasePath included) is o's.
func (o *listOp) matches(urlPath string) bool {
	rest, ok := strings.CutPrefix(urlPath, BasePath)
	return ok && pathMatches(o.path, rest)
}

// listOpOf returns the list operation a request path is for, or nil.
func listOpOf(urlPath string) *listOp {
	for _, o := range listOps {
		if o.matches(urlPath) {
			return o
		}
	}
	return nil
}

// listOpFor returns the first list operation whose items are of type t,
// or nil.
func listOpFor(t reflect.Type) *listOp {
	for _, o := range listOps {
		if o.item == t {
			return o
		}
	}
	return nil
}

// WithAccount serves items, in this order, for account id, from every list
// operation whose items are of type T (an account set up for one list
// operation lists nothing from the others). It panics in NewFake when no
// list operation of the spec has items of type T.
func WithAccount[T any](id string, items []T) Option {
	items = slices.Clone(items)
	return func(f *Fake) {
		found := false
		for _, o := range listOps {
			if o.item == reflect.TypeFor[T]() {
				f.store(o, id, items)
				found = true
			}
		}
		if !found {
			panic(fmt.Sprintf("postpresstest: WithAccount(%q): no list operation of the spec lists %v", id, reflect.TypeFor[T]()))
		}
		f.known[id] = true
	}
}

// ItemsOf returns the items the fake serves for account from the first
// list operation whose items are of type T (generated on first use for
// WithAnyAccount), or nil for an unknown account or a type no list
// operation lists.
func ItemsOf[T any](f *Fake, account string) []T {
	o := listOpFor(reflect.TypeFor[T]())
	if o == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	items, _ := f.itemsLocked(o, account)
	out, _ := items.([]T)
	return slices.Clone(out)
}

// store sets account's items of o (a []T of o's item type).
func (f *Fake) store(o *listOp, account string, items any) {
	if f.data[o] == nil {
		f.data[o] = map[string]any{}
	}
	f.data[o][account] = items
}

// itemsLocked returns account's items of o (a []T of o's item type), and
// whether the account is known: one set up by an option, or any account
// under WithAnyAccount (its items are generated then, once). A known
// account o has no items for gets an empty list. The caller holds f.mu.
func (f *Fake) itemsLocked(o *listOp, account string) (any, bool) {
	if items, ok := f.data[o][account]; ok {
		return items, true
	}
	if !f.known[account] {
		if f.anyAccount <= 0 {
			return nil, false
		}
		f.known[account] = true
		for _, lo := range listOps {
			if _, ok := f.data[lo][account]; !ok {
				f.store(lo, account, generateItems(lo, f.seed, account, f.anyAccount))
			}
		}
		return f.data[o][account], true
	}
	return reflect.MakeSlice(reflect.SliceOf(o.item), 0, 0).Interface(), true
}

// issuedKey keys a cursor the fake issued, for its operation and account.
func issuedKey(o *listOp, account, cursor string) string {
	return o.id + "\x00" + account + "\x00" + cursor
}

// listPage serves one page of o into page (a pointer to gen's 200 body
// type of o): the account's items from the cursor's offset, limit of
// them, and the next cursor, or null on the last page; every other member
// of the page the spec requires is filled from its schema. It returns the
// error reply instead when the request cannot be served: a limit out of
// bounds, a missing account, a cursor this fake did not issue (any
// well-formed cursor with WithLenientCursors), an unknown account.
func (f *Fake) listPage(ctx context.Context, o *listOp, page any) *reply {
	id := requestID(ctx)
	q := query(ctx)
	limit := o.limit.def
	if o.limitParam != "" && q.Has(o.limitParam) {
		n, err := strconv.Atoi(q.Get(o.limitParam))
		if err != nil {
			return invalidParameters(fmt.Sprintf("%s must be a whole number", o.limitParam), id)
		}
		limit = n
	}
	if limit < o.limit.min || limit > o.limit.max {
		return invalidParameters(fmt.Sprintf("%s must be between %d and %d, got %d", o.limitParam, o.limit.min, o.limit.max, limit), id)
	}
	account := ""
	if o.accountParam != "" {
		if account = q.Get(o.accountParam); account == "" {
			return invalidParameters(o.accountParam+" is required", id)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	account = f.dataAccount(account)
	stored, ok := f.itemsLocked(o, account)
	if !ok {
		return apiError{403, typeNoAccess, "This API key has no access to account " + strconv.Quote(account) + ".", id}.reply()
	}
	items := reflect.ValueOf(stored)
	offset := 0
	if q.Has(o.cursorParam) {
		c := q.Get(o.cursorParam)
		off, err := decodeCursor(c)
		switch {
		case c == "":
			return invalidParameters(o.cursorParam+" must not be empty", id)
		case err != nil:
			return invalidParameters(err.Error(), id)
		case !f.lenient && !f.issued[issuedKey(o, account, c)]:
			return invalidParameters(o.cursorParam+" was not issued by this server for this account", id)
		case off > items.Len():
			return invalidParameters(o.cursorParam+" is past the end of the list", id)
		}
		offset = off
	}
	end := min(offset+limit, items.Len())
	var next *string
	if end < items.Len() {
		c := EncodeCursor(end)
		f.issued[issuedKey(o, account, c)] = true
		next = &c
	}
	setPage(reflect.ValueOf(page).Elem(), o, items.Slice(offset, end), next)
	return nil
}

// setPage sets the items and cursor members of a page (found by their
// JSON names), then fills its other members from the page's schema.
func setPage(page reflect.Value, o *listOp, items reflect.Value, next *string) {
	plan := planFor(page.Type(), o.pageSchema, o.itemsMember, o.cursorMember)
	for _, n := range plan.skipped {
		field := page.FieldByIndex(n.path)
		switch n.name {
		case o.itemsMember:
			if items.Len() == 0 {
				items = reflect.MakeSlice(field.Type(), 0, 0)
			}
			field.Set(items.Convert(field.Type()))
		case o.cursorMember:
			switch {
			case field.Kind() == reflect.Pointer && next != nil:
				field.Set(reflect.ValueOf(next).Convert(field.Type()))
			case field.Kind() == reflect.String && next != nil:
				field.SetString(*next)
			}
		}
	}
	newFiller(1, fillTime).fill(page, plan.root, 0)
}

// fillTime is the time generated dates are drawn back from.
var fillTime = time.Date(2026, 5, 12, 8, 14, 0, 0, time.UTC)

// exampleItems returns the items of the documented examples of o's 200
// response (in the examples' name order), each as its string values by
// JSON path ("inviter.inviter_name"; an array's first element at
// "name[]").
func exampleItems(o *listOp) []map[string]string {
	var op *openapi3.Operation
	for _, item := range embeddedSpec().Paths.Map() {
		for _, c := range item.Operations() {
			if c.OperationID == o.id {
				op = c
			}
		}
	}
	exs := examples(op, http.StatusOK)
	names := make([]string, 0, len(exs))
	for name := range exs {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []map[string]string
	for _, name := range names {
		ref := exs[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		page, _ := ref.Value.Value.(map[string]any)
		items, _ := page[o.itemsMember].([]any)
		for _, it := range items {
			flat := map[string]string{}
			flatten(it, "", flat)
			out = append(out, flat)
		}
	}
	return out
}

// flatten puts the strings under v into out by JSON path.
func flatten(v any, path string, out map[string]string) {
	switch v := v.(type) {
	case string:
		out[path] = v
	case map[string]any:
		for k, e := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flatten(e, p, out)
		}
	case []any:
		if len(v) > 0 {
			flatten(v[0], path+"[]", out)
		}
	}
}

// generateItems returns n items of o (a []T of o's item type), generated
// from o's item schema (see fill.go). The seed, o and the account seed
// each item's values: the same seed gives the same items, and each account
// and each list operation gets its own.
func generateItems(o *listOp, seed int64, account string, n int) any {
	h := fnv.New64a()
	_, _ = h.Write([]byte(o.id + "\x00" + account))
	salt := h.Sum64()
	plan := planFor(o.item, o.itemSchema).root
	fill := newFiller(seed, fillTime)
	examples := exampleItems(o)
	out := reflect.MakeSlice(reflect.SliceOf(o.item), n, n)
	for i := range n {
		fill.serial = serial(i)
		if len(examples) > 0 {
			fill.example = examples[i%len(examples)]
		}
		fill.fill(out.Index(i), plan, mix(salt, uint64(i)))
	}
	return out.Interface()
}
