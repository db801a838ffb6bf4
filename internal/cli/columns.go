package cli

import (
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// The CSV format's columns come from the client's item type of the
// operation, so that a property added to openapi.yaml becomes a column
// after `go generate` with no edit here: one column per property of the
// item (by JSON tag), nested objects flattened into their properties'
// columns, in the order openapi.yaml declares the properties
// (listOp.columnOrder, generated). A column is named by the property's
// JSON name, or by its dotted path (specifics.provider) when two
// properties share that name. Strings are written as they are, numbers and
// booleans as in JSON, and arrays, maps and anything else that cannot be
// flattened as a JSON cell; a property that is absent (a nil pointer, a nil
// array) is an empty cell. Every property is a column: a CSV is an export
// of the API's data.

// csvColumn is one column: where its value is in an item.
type csvColumn struct {
	name  string
	path  string // JSON path, a.b
	index []int  // field indexes from the root struct, pointers followed
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// flattened reports whether a value of type t (pointers followed) is a
// struct whose fields become columns of their own.
func flattened(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	p := reflect.PointerTo(t)
	return !t.Implements(jsonMarshaler) && !p.Implements(jsonMarshaler) &&
		!t.Implements(textMarshaler) && !p.Implements(textMarshaler)
}

// columnsOf returns the columns of struct type t, ordered as order lists
// their paths (a path it does not list goes last, in field order).
func columnsOf(t reflect.Type, order []string) []csvColumn {
	var cols []csvColumn
	var walk func(t reflect.Type, prefix string, index []int, seen []reflect.Type)
	walk = func(t reflect.Type, prefix string, index []int, seen []reflect.Type) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if slices.Contains(seen, t) {
			return // a recursive type: its second level would never end
		}
		seen = append(seen, t)
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() && (!f.Anonymous || name != "" || f.Type.Kind() != reflect.Struct) {
				continue // encoding/json skips it too
			}
			idx := append(slices.Clip(index), i)
			switch {
			case name == "-":
				continue
			case f.Anonymous && name == "" && flattened(f.Type):
				walk(f.Type, prefix, idx, seen)
				continue
			case name == "":
				name = f.Name
			}
			if flattened(f.Type) {
				walk(f.Type, prefix+name+".", idx, seen)
				continue
			}
			cols = append(cols, csvColumn{path: prefix + name, index: idx})
		}
	}
	walk(t, "", nil, nil)

	rank := func(c csvColumn) int {
		if i := slices.Index(order, c.path); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(cols, func(a, b csvColumn) int { return rank(a) - rank(b) })

	leafCount := map[string]int{}
	for _, c := range cols {
		leafCount[leaf(c.path)]++
	}
	for i := range cols {
		cols[i].name = leaf(cols[i].path)
		if leafCount[cols[i].name] > 1 {
			cols[i].name = cols[i].path
		}
	}
	return cols
}

func leaf(path string) string { return path[strings.LastIndexByte(path, '.')+1:] }

func columnNames(cols []csvColumn) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.name
	}
	return out
}

// csvRow returns v's row, one cell per column, in row's storage.
func csvRow(cols []csvColumn, v reflect.Value, row []string) []string {
	row = row[:0]
	for _, c := range cols {
		row = append(row, csvCell(v, c.index))
	}
	return row
}

// csvCell is the text of the value at index under v: "" when a pointer
// on the way is nil.
func csvCell(v reflect.Value, index []int) string {
	for _, i := range index {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return ""
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		if !v.Type().Implements(jsonMarshaler) && !v.Type().Implements(textMarshaler) {
			return v.String()
		}
	case reflect.Slice, reflect.Map, reflect.Interface:
		if v.IsNil() {
			return ""
		}
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return ""
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		return s // a JSON string (a time, say): its text
	}
	return string(b)
}

// rowReader reads the cells at paths (column paths) from items of any
// type: each type's columns are found once, by path, so that an item of
// another type than the operation's (sync's removed rows) shows in the
// same columns. A path a type lacks is an empty cell.
type rowReader struct {
	paths []string

	mu     sync.Mutex
	byType map[reflect.Type][][]int
}

func newRowReader(paths []string) *rowReader {
	return &rowReader{paths: paths, byType: map[reflect.Type][][]int{}}
}

// row returns v's cells, in row's storage.
func (r *rowReader) row(v any, row []string) []string {
	rv := reflect.ValueOf(v)
	t := rv.Type()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	r.mu.Lock()
	idx, ok := r.byType[t]
	if !ok {
		at := map[string][]int{}
		for _, c := range columnsOf(t, nil) {
			at[c.path] = c.index
		}
		for _, p := range r.paths {
			idx = append(idx, at[p])
		}
		r.byType[t] = idx
	}
	r.mu.Unlock()
	row = row[:0]
	for _, index := range idx {
		if index == nil {
			row = append(row, "")
			continue
		}
		row = append(row, csvCell(rv, index))
	}
	return row
}

func columnPaths(cols []csvColumn) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.path
	}
	return out
}
