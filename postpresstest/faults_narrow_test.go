package postpresstest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/gen"
)

// permutations returns every order of n steps.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{nil}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

// The narrowing methods combine in every order: the fault applies to the
// account's page at the cursor, with limit=5, from its second such request,
// and to nothing else.
func TestFaultNarrowsInAnyOrder(t *testing.T) {
	s := NewServer(WithAnyAccount(30), WithLenientCursors())
	defer s.Close()
	cursor := EncodeCursor(10)
	steps := []struct {
		name  string
		apply func(*Fault) *Fault
	}{
		{"OnAccount", func(f *Fault) *Fault { return f.OnAccount("acc_2") }},
		{"OnCursor", func(f *Fault) *Fault { return f.OnCursor(cursor) }},
		{"OnAttempt", func(f *Fault) *Fault { return f.OnAttempt(2) }},
		{"When", func(f *Fault) *Fault {
			return f.When(func(r *http.Request) bool { return r.URL.Query().Get("limit") == "5" })
		}},
		{"Times", func(f *Fault) *Fault { return f.Times(2) }},
	}
	orders := permutations(len(steps))
	if len(orders) != 120 {
		t.Fatalf("%d orders", len(orders))
	}
	for _, order := range orders {
		var names []string
		f := Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("0")
		for _, i := range order {
			f = steps[i].apply(f)
			names = append(names, steps[i].name)
		}
		s.ClearFaults()
		s.Enqueue(f)
		want := []struct {
			query  string
			status int
		}{
			{"account_id=acc_1&limit=5&cursor=" + cursor, 200}, // another account
			{"account_id=acc_2&limit=5", 200},                  // another cursor
			{"account_id=acc_2&limit=6&cursor=" + cursor, 200}, // the predicate fails
			{"account_id=acc_2&limit=5&cursor=" + cursor, 200}, // the first attempt passes by
			{"account_id=acc_2&limit=5&cursor=" + cursor, 429}, // the second: Times(2) from here
			{"account_id=acc_2&limit=5&cursor=" + cursor, 429},
			{"account_id=acc_2&limit=5&cursor=" + cursor, 200}, // spent
		}
		var got []string
		ok := true
		for _, w := range want {
			code, _, _ := get(t, s, w.query, DefaultAPIKey)
			got = append(got, fmt.Sprint(code))
			ok = ok && code == w.status
		}
		if !ok {
			t.Errorf("%s: statuses %s", strings.Join(names, "."), strings.Join(got, " "))
		}
	}
}

// A combination no request can meet is refused when it is built, whatever
// comes between; the same condition twice is not a contradiction.
func TestFaultRefusesWhatCannotHold(t *testing.T) {
	refused := map[string]func(){
		"two accounts":        func() { ErrorStatus(500, "x").OnAccount("a").OnAccount("b") },
		"two accounts, apart": func() { Reset().OnAccount("a").OnCursor("c").Times(2).OnAccount("b") },
		"two cursors":         func() { TruncatedBody().OnCursor("").OnAccount("a").OnCursor(EncodeCursor(10)) },
		"attempt 0":           func() { Latency(0).OnAttempt(0) },
		"two attempts":        func() { ProxyHTML(0).OnAttempt(2).OnCursor("c").OnAttempt(3) },
		"a nil predicate":     func() { ErrorStatus(500, "x").When(nil) },
	}
	for name, build := range refused {
		msg := func() (msg any) {
			defer func() { msg = recover() }()
			build()
			return nil
		}()
		if s, _ := msg.(string); !strings.HasPrefix(s, "postpresstest: ") {
			t.Errorf("%s: built without a panic naming the package (%v)", name, msg)
		}
	}
	ErrorStatus(500, "x").OnAccount("a").OnCursor("c").OnAccount("a").OnCursor("c").OnAttempt(2).OnAttempt(2)
}

// TestOnAttemptOneIsTheFirstRequest: OnAttempt(1) applies the fault from
// the first request it matches, as a fault without it does.
func TestOnAttemptOneIsTheFirstRequest(t *testing.T) {
	s := NewServer(WithGeneratedAccount("acc", 3))
	defer s.Close()
	s.Enqueue(Error(gen.ServiceUnavailableErrorTypeNetworkDown).OnAttempt(1))
	for i, want := range []int{http.StatusServiceUnavailable, http.StatusOK} {
		if code, _, _ := get(t, s, "account_id=acc", DefaultAPIKey); code != want {
			t.Errorf("request %d: %d, want %d", i+1, code, want)
		}
	}
}
