package cli

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/postpresstest"
)

// TestCSVColumnsFollowTheSpec: for every list operation, every property
// of the client's item type is a column, every property the spec lists is
// one (or an object flattened into columns), in the spec's order. A
// listops_gen.go older than gen/ fails here.
func TestCSVColumnsFollowTheSpec(t *testing.T) {
	for _, op := range listOps {
		last := -1
		cols := op.columns()
		for _, c := range cols {
			i := slices.Index(op.columnOrder, c.path)
			if i < 0 {
				t.Errorf("%s: column %s (%s) is not in columnOrder: run go generate ./...", op.operationID, c.name, c.path)
				continue
			}
			if i < last {
				t.Errorf("%s: column %s is out of the spec's order", op.operationID, c.name)
			}
			last = i
		}
		for _, p := range op.columnOrder {
			isObject := slices.ContainsFunc(op.columnOrder, func(q string) bool { return strings.HasPrefix(q, p+".") })
			has := slices.ContainsFunc(cols, func(c csvColumn) bool { return c.path == p })
			if !isObject && !has {
				t.Errorf("%s: the spec's property %s has no CSV column", op.operationID, p)
			}
		}
	}
}

// jsonAt returns the raw JSON at a dotted path of obj, or nil.
func jsonAt(obj map[string]json.RawMessage, path string) json.RawMessage {
	head, rest, nested := strings.Cut(path, ".")
	raw := obj[head]
	if !nested || raw == nil {
		return raw
	}
	var inner map[string]json.RawMessage
	if json.Unmarshal(raw, &inner) != nil {
		return nil
	}
	return jsonAt(inner, rest)
}

// TestCSVCellsAreTheJSONValues: each cell holds what the JSON encoding of
// the invitation holds at the column's path.
func TestCSVCellsAreTheJSONValues(t *testing.T) {
	invs := postpresstest.GenerateInvitations(4, 30)
	invs[3].Inviter, invs[5].Specifics = nil, nil
	var row []string
	for _, inv := range invs {
		raw, _ := json.Marshal(inv)
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			t.Fatal(err)
		}
		cols := receivedOp(t).columns()
		row = newRowReader(columnPaths(cols)).row(&inv, row)
		for i, c := range cols {
			want := ""
			if v := jsonAt(obj, c.path); v != nil && string(v) != "null" {
				var s string
				if json.Unmarshal(v, &s) == nil {
					want = s
				} else {
					want = string(v)
				}
			}
			if row[i] != want {
				t.Errorf("%s: column %s = %q, JSON has %q", inv.ID, c.name, row[i], want)
			}
		}
	}
}

type csvInner struct {
	Deep *struct {
		N *int `json:"n,omitempty"`
	} `json:"deep,omitempty"`
	ID string `json:"id"`
}

type csvEmbedded struct {
	Extra string `json:"extra"`
}

type csvSample struct {
	csvEmbedded
	ID      string            `json:"id"`
	Skipped string            `json:"-"`
	Inner   *csvInner         `json:"inner,omitempty"`
	Tags    *[]string         `json:"tags,omitempty"`
	Meta    map[string]int    `json:"meta,omitempty"`
	When    time.Time         `json:"when"`
	Score   *float32          `json:"score,omitempty"`
	Flag    bool              `json:"flag"`
	Kind    gen.Provider      `json:"kind"`
	Raw     json.RawMessage   `json:"raw,omitempty"`
	Any     any               `json:"any,omitempty"`
	Nested  map[string]string `json:"nested,omitempty"`
	Missing *csvInner         `json:"missing,omitempty"`
}

func TestCSVColumnsOfEveryKind(t *testing.T) {
	order := []string{"flag", "id", "inner", "inner.id", "inner.deep", "inner.deep.n", "when"}
	cols := columnsOf(reflect.TypeFor[csvSample](), order)
	// Listed paths first in the given order; the rest in field order. Names
	// shared by two properties (id, n): each by its path.
	want := []string{"flag", "id", "inner.id", "inner.deep.n", "when", "extra", "tags", "meta", "score", "kind", "raw", "any", "nested", "missing.deep.n", "missing.id"}
	if got := columnNames(cols); !slices.Equal(got, want) {
		t.Fatalf("columns\n got %q\nwant %q", got, want)
	}
	n, score, tags := 7, float32(0.25), []string{"a", `b"c`}
	v := csvSample{
		csvEmbedded: csvEmbedded{Extra: "x"}, ID: "top", Skipped: "no",
		Inner: &csvInner{ID: "in", Deep: &struct {
			N *int `json:"n,omitempty"`
		}{N: &n}},
		Tags: &tags, Meta: map[string]int{"k": 1}, When: time.Date(2026, 5, 12, 8, 14, 0, 0, time.UTC),
		Score: &score, Flag: true, Kind: gen.ProviderLinkedIn, Raw: json.RawMessage(`{"a":[1]}`), Any: 3.5,
	}
	got := csvRow(cols, reflect.ValueOf(&v), nil)
	wantRow := []string{"true", "top", "in", "7", "2026-05-12T08:14:00Z", "x", `["a","b\"c"]`, `{"k":1}`, "0.25", "LINKEDIN", `{"a":[1]}`, "3.5", "", "", ""}
	if !slices.Equal(got, wantRow) {
		t.Fatalf("row\n got %q\nwant %q", got, wantRow)
	}
	var b bytes.Buffer
	op := receivedOp(t)
	w := newCSV(&b, writerConfig{op: op})
	if err := w.close(); err != nil || b.String() != strings.Join(columnNames(op.columns()), ",")+"\n" {
		t.Fatalf("an empty listing's CSV = %q, %v", b.String(), err)
	}
}
