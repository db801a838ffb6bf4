package postpresstest

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/postpress/postpress-go/gen"
)

// noteItem and notePage are an item and a page type of no operation of the
// spec: the generic pager serves them all the same.
type noteItem struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

type notePage struct {
	Next  *string    `json:"next"`
	Notes []noteItem `json:"notes"`
	Kind  string     `json:"kind"`
}

// withNotes adds a list operation of notes to listOps for the test.
func withNotes(t *testing.T) *listOp {
	t.Helper()
	o := &listOp{
		id: "listNotes", path: "/accounts/{id}/notes",
		cursorParam: "after", limitParam: "size", accountParam: "owner",
		itemsMember: "notes", cursorMember: "next",
		itemSchema: "Note", pageSchema: "NoteList",
		item:  reflect.TypeFor[noteItem](),
		limit: limitBounds{min: 1, max: 5, def: 2},
	}
	saved := listOps
	listOps = append(slices.Clone(listOps), o)
	t.Cleanup(func() { listOps = saved })
	return o
}

// page asks f for one page of o with the raw query q.
func page(t *testing.T, f *Fake, o *listOp, q string) (notePage, *reply) {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.WithValue(context.WithValue(context.Background(), ctxKey{}, "req_test"), queryKey{}, v)
	var p notePage
	r := f.listPage(ctx, o, &p)
	return p, r
}

func TestListPageServesAnyItemType(t *testing.T) {
	o := withNotes(t)
	f := NewFake(WithAccount("me", []noteItem{{"n1", "a"}, {"n2", "b"}, {"n3", "c"}}))
	p, r := page(t, f, o, "owner=me")
	if r != nil || len(p.Notes) != 2 || p.Notes[0].ID != "n1" || p.Next == nil {
		t.Fatalf("first page %+v, %+v", p, r)
	}
	p, r = page(t, f, o, "owner=me&size=5&after="+*p.Next)
	if r != nil || len(p.Notes) != 1 || p.Notes[0].ID != "n3" || p.Next != nil {
		t.Fatalf("last page %+v, %+v", p, r)
	}
	if p.Kind == "" {
		t.Error("a member other than the items and the cursor is left empty")
	}
	for q, status := range map[string]int{"": 400, "owner=me&size=6": 400, "owner=me&size=x": 400, "owner=me&after=": 400, "owner=me&after=" + EncodeCursor(1): 400, "owner=you": 403} {
		if _, r := page(t, f, o, q); r == nil || r.status != status {
			t.Errorf("%q: %+v, want %d", q, r, status)
		}
	}
}

// TestDataIsPerOperation: each list operation has its own items, generated
// from its own type; an account set up for one lists nothing from another.
func TestDataIsPerOperation(t *testing.T) {
	o := withNotes(t)
	f := NewFake(WithGeneratedAccount("gen", 3), WithAccount("mine", []noteItem{{ID: "n1"}}))
	notes, invs := ItemsOf[noteItem](f, "gen"), f.Items("gen")
	if len(notes) != 3 || len(invs) != 3 || notes[0].ID == "" || notes[0].ID == invs[0].ID {
		t.Fatalf("generated: notes %+v, invitations %d", notes, len(invs))
	}
	if got := f.Items("mine"); got == nil || len(got) != 0 {
		t.Errorf("an account with notes only lists %v invitations, want none", got)
	}
	if p, r := page(t, f, o, "owner=mine"); r != nil || len(p.Notes) != 1 {
		t.Errorf("notes of mine: %+v %+v", p, r)
	}
	if got := ItemsOf[noteItem](f, "nobody"); got != nil {
		t.Errorf("an unknown account has notes %v", got)
	}
	anyFake := NewFake(WithAnyAccount(4))
	if len(ItemsOf[noteItem](anyFake, "x")) != 4 || len(anyFake.Items("x")) != 4 {
		t.Error("WithAnyAccount does not serve every list operation")
	}
}

func TestWithAccountOfAnUnlistedType(t *testing.T) {
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "no list operation") {
			t.Errorf("panic %q, want one saying no list operation lists the type", msg)
		}
	}()
	NewFake(WithAccount("x", []gen.Inviter{{}}))
}

func TestListOpMatchesItsPath(t *testing.T) {
	o := withNotes(t)
	for path, want := range map[string]bool{
		BasePath + "/accounts/a1/notes": true,
		BasePath + "/accounts//notes":   false,
		BasePath + "/accounts/a1":       false,
		"/accounts/a1/notes":            false,
	} {
		if got := o.matches(path); got != want {
			t.Errorf("%s: %t, want %t", path, got, want)
		}
	}
	if listOpOf(BasePath+"/accounts/a1/notes") != o || listOpOf(BasePath+"/nothing") != nil {
		t.Error("listOpOf finds the wrong operation")
	}
}

func TestGeneratedItemsDifferByOperationAndAccount(t *testing.T) {
	o := withNotes(t)
	a := generateItems(o, 1, "a", 3).([]noteItem)
	if b := generateItems(o, 1, "a", 3).([]noteItem); !slices.Equal(a, b) {
		t.Error("same seed, operation and account, different items")
	}
	if b := generateItems(o, 1, "b", 3).([]noteItem); slices.Equal(a, b) {
		t.Error("two accounts, same items")
	}
	if a[0].ID == a[1].ID || a[0].Text == "" {
		t.Errorf("items %+v", a)
	}
}

// TestLimitBoundsInclusive: the spec's minimum and maximum of limit are
// served; one past either is refused.
func TestLimitBoundsInclusive(t *testing.T) {
	s := NewServer(WithGeneratedAccount("acc", 3))
	defer s.Close()
	rule := opListInvitationsReceived.limit
	for limit, want := range map[int]int{rule.min: 200, rule.max: 200, rule.min - 1: 400, rule.max + 1: 400} {
		status, body := getUnchecked(t, s, "account_id=acc&limit="+strconv.Itoa(limit), DefaultAPIKey)
		if status != want {
			t.Errorf("limit=%d: status %d, want %d: %s", limit, status, want, body)
		}
	}
}

// TestLastPageHasNoCursor: when the items fill the last page exactly, it
// still ends the listing (cursor null), within a bounded number of pages.
func TestLastPageHasNoCursor(t *testing.T) {
	s := NewServer(WithGeneratedAccount("acc", 20))
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cursor, items := "", 0
	for pages := 1; ; pages++ {
		if pages > 3 {
			t.Fatalf("still listing after %d pages of 10 for 20 items: the last page has a cursor", pages-1)
		}
		q := "account_id=acc&limit=10"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/users/invite/received?"+q, nil)
		req.Header.Set("X-API-KEY", DefaultAPIKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page gen.InvitationList
		err = json.NewDecoder(resp.Body).Decode(&page)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("page %d: %d %v", pages, resp.StatusCode, err)
		}
		items += len(page.Items)
		if page.Cursor == nil {
			break
		}
		cursor = *page.Cursor
	}
	if items != 20 {
		t.Fatalf("%d items, want 20", items)
	}
}

// TestGeneratedItemsFollowTheDocumentedExamples: item i takes the strings
// of documented example item i (modulo their number; the examples in name
// order), a nested one too, with an id's tail varied by item.
func TestGeneratedItemsFollowTheDocumentedExamples(t *testing.T) {
	op := embeddedSpec().Paths.Value(opListInvitationsReceived.path).Get
	exs := op.Responses.Status(http.StatusOK).Value.Content.Get("application/json").Examples
	var docs []map[string]any
	for _, name := range slices.Sorted(maps.Keys(exs)) {
		page, _ := exs[name].Value.Value.(map[string]any)
		for _, it := range page[opListInvitationsReceived.itemsMember].([]any) {
			docs = append(docs, it.(map[string]any))
		}
	}
	if len(docs) < 2 {
		t.Fatalf("%d documented example items, want 2 or more", len(docs))
	}
	for i, inv := range GenerateInvitations(1, 2*len(docs)) {
		doc := docs[i%len(docs)]
		inviter, _ := doc["inviter"].(map[string]any)
		if inv.InvitationText != doc["invitation_text"] || inv.Inviter == nil || inv.Inviter.InviterName != inviter["inviter_name"] {
			t.Errorf("item %d: text %q, inviter %+v; want example item %d's %q and %q", i, inv.InvitationText, inv.Inviter, i%len(docs), doc["invitation_text"], inviter["inviter_name"])
		}
		id, _ := doc["id"].(string)
		if len(inv.ID) != len(id) || inv.ID[:len(id)-8] != id[:len(id)-8] || !strings.HasSuffix(inv.ID, serial(i)) {
			t.Errorf("item %d: id %q, want example item %d's %q ending in a token and %s", i, inv.ID, i%len(docs), id, serial(i))
		}
	}
}

// TestCursorAtTheEndServesAnEmptyLastPage: a cursor at the end of the
// items (well-formed, as WithLenientCursors accepts any) gets an empty
// last page; one past the end is refused.
func TestCursorAtTheEndServesAnEmptyLastPage(t *testing.T) {
	o := withNotes(t)
	f := NewFake(WithAccount("me", []noteItem{{"n1", "a"}, {"n2", "b"}, {"n3", "c"}}), WithLenientCursors())
	if p, r := page(t, f, o, "owner=me&after="+EncodeCursor(3)); r != nil || len(p.Notes) != 0 || p.Next != nil {
		t.Errorf("cursor at the end: %+v, %+v; want an empty last page", p, r)
	}
	if _, r := page(t, f, o, "owner=me&after="+EncodeCursor(4)); r == nil || r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "past the end") {
		t.Errorf("cursor past the end: %+v, want 400 saying so", r)
	}
}

// TestStringCursorMember: a page whose cursor member is a plain string
// gets the next cursor in it, "" on the last page.
func TestStringCursorMember(t *testing.T) {
	o := withNotes(t)
	f := NewFake(WithAccount("me", []noteItem{{"n1", "a"}, {"n2", "b"}, {"n3", "c"}}))
	type stringCursorPage struct {
		Next  string     `json:"next"`
		Notes []noteItem `json:"notes"`
	}
	get := func(q string) stringCursorPage {
		t.Helper()
		v, _ := url.ParseQuery(q)
		ctx := context.WithValue(context.WithValue(context.Background(), ctxKey{}, "req_test"), queryKey{}, v)
		var p stringCursorPage
		if r := f.listPage(ctx, o, &p); r != nil {
			t.Fatalf("%s: %d %s", q, r.status, r.body)
		}
		return p
	}
	first := get("owner=me")
	if first.Next != EncodeCursor(2) || len(first.Notes) != 2 {
		t.Fatalf("first page: next %q, %d notes; want %q and 2", first.Next, len(first.Notes), EncodeCursor(2))
	}
	if last := get("owner=me&after=" + first.Next); last.Next != "" || len(last.Notes) != 1 {
		t.Errorf("last page: next %q, %d notes; want \"\" and 1", last.Next, len(last.Notes))
	}
}

// TestFlattenKeysStringsByJSONPath: flatten keys each string by its JSON
// path, an array's by its first element's; other values are left out.
func TestFlattenKeysStringsByJSONPath(t *testing.T) {
	out := map[string]string{}
	flatten(map[string]any{
		"a":    "x",
		"b":    map[string]any{"c": "y", "n": 3.0},
		"tags": []any{"t1", "t2"},
		"rows": []any{map[string]any{"id": "r1"}},
		"none": []any{},
		"flag": true,
	}, "", out)
	want := map[string]string{"a": "x", "b.c": "y", "tags[]": "t1", "rows[].id": "r1"}
	if !maps.Equal(out, want) {
		t.Errorf("flatten = %v, want %v", out, want)
	}
}
