package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/gen"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// stringCases are JSON string contents (between the quotes, as the server
// would send them) that a decoder gets wrong in small ways: \u surrogate
// pairs, valid and broken, and raw bytes that are not UTF-8. encoding/json
// decides what each means: a valid pair is one character, a lone or
// misordered surrogate is U+FFFD, an invalid byte is U+FFFD.
var stringCases = []string{
	`\ud83d\ude00`,                  // a valid pair: 😀
	`\uD83D\uDE00`,                  // the same, upper-case hex
	`\ud800\udc00 and \udbff\udfff`, // the first and the last pair
	`caf\u00e9 \u2028\u0000`,        // escapes that are not surrogates
	`a\ud83d`,                       // a lone high surrogate at the end
	`\ud83dx`,                       // a high surrogate then a letter
	`\ud83d\u0041`,                  // a high surrogate then an escaped letter
	`\ude00`,                        // a lone low surrogate
	`\ude00\ud83d`,                  // a pair the wrong way round
	`\ud83d\ud83d\ude00`,            // two highs, then a low
	`\ud83d\\ude00`,                 // a high, then an escaped backslash
	"raw \xff\xfe, an encoded surrogate \xed\xa0\x80, \xf0\x9f\x98", // invalid UTF-8 as is
	"\xf0\x9f\x98\x80 and \xe2\x80\xa8",                             // valid UTF-8 as is
}

// TestSurrogatesDecodeAsEncodingJSON lists a page whose strings hold each
// case through an HTTP server and compares every invitation with
// encoding/json's decoding of the same body into the generated types.
func TestSurrogatesDecodeAsEncodingJSON(t *testing.T) {
	items := pt.GenerateInvitations(1, len(stringCases))
	for i := range items {
		items[i].InvitationText = fmt.Sprintf("@text%d@", i)
		items[i].InvitedUser = fmt.Sprintf("@user%d@", i)
	}
	body, err := json.Marshal(gen.InvitationList{Object: "InvitationList", Items: items})
	if err != nil {
		t.Fatal(err)
	}
	page := string(body)
	for i, s := range stringCases {
		// Each case as a field of its own, and inside other text.
		page = strings.Replace(page, fmt.Sprintf(`"@text%d@"`, i), `"`+s+`"`, 1)
		page = strings.Replace(page, fmt.Sprintf(`"@user%d@"`, i), `"<`+s+`>"`, 1)
	}
	var want gen.InvitationList
	if err := json.Unmarshal([]byte(page), &want); err != nil {
		t.Fatalf("encoding/json refuses the page, so the test would compare nothing: %v\n%s", err, page)
	}
	if len(want.Items) != len(stringCases) {
		t.Fatalf("encoding/json decoded %d items, want %d", len(want.Items), len(stringCases))
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(page))
	}))
	defer srv.Close()
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey("key"), client.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := c.ListReceivedInvitations(ctx, client.ListParams{AccountID: "acc"})
	if err != nil {
		t.Fatalf("the client refuses a page encoding/json decodes: %v", err)
	}
	if len(got.Items) != len(want.Items) {
		t.Fatalf("the client decoded %d items, encoding/json %d", len(got.Items), len(want.Items))
	}
	for i := range got.Items {
		g := generated(t, got.Items[i])
		if g.InvitationText != want.Items[i].InvitationText || g.InvitedUser != want.Items[i].InvitedUser {
			t.Errorf("%#q:\nclient:        %+q / %+q\nencoding/json: %+q / %+q", stringCases[i],
				g.InvitationText, g.InvitedUser, want.Items[i].InvitationText, want.Items[i].InvitedUser)
		}
		if !reflect.DeepEqual(g, want.Items[i]) {
			t.Errorf("%#q: the item differs from encoding/json's:\nclient:        %+v\nencoding/json: %+v", stringCases[i], g, want.Items[i])
		}
	}
}

// generated returns the generated type of a listed invitation, whether
// client.Invitation is that type or a struct embedding it.
func generated(t *testing.T, inv any) gen.InvitationReceived {
	t.Helper()
	if g, ok := inv.(gen.InvitationReceived); ok {
		return g
	}
	v := reflect.ValueOf(inv)
	if v.Kind() == reflect.Struct {
		if f := v.FieldByName("InvitationReceived"); f.IsValid() && f.CanInterface() {
			if g, ok := f.Interface().(gen.InvitationReceived); ok {
				return g
			}
		}
	}
	t.Fatalf("a listed invitation is a %T, neither gen.InvitationReceived nor a struct embedding it", inv)
	return gen.InvitationReceived{}
}
