package client

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/postpress/postpress-go/gen"
)

// benchItem is invitation i of the benchmark page, the same shape as
// bench.Item in the bench module (about 590 bytes of JSON).
func benchItem(i int) gen.InvitationReceived {
	n := strconv.Itoa(i)
	return gen.InvitationReceived{
		Object:                 "InvitationReceived",
		ID:                     "inv_01HXYZ4QK3WJ8FN3M6QH" + fmt.Sprintf("%06d", i),
		InvitedUser:            "Ada Lovelace " + n,
		InvitedUserID:          "ACoAACr-1eYBl" + n,
		InvitedUserPublicID:    "ada-lovelace-" + n,
		InvitedUserDescription: "Founder at postpress " + n,
		Date:                   "May 12, 2026",
		ParsedDatetime:         "2026-05-12T08:14:00.000Z",
		InvitationText:         "Hi Ada, would love to connect (" + n + ").",
		Inviter: &gen.Inviter{
			InviterName:             "Jordan Walke " + n,
			InviterID:               "ACoAABxyz" + n,
			InviterPublicIdentifier: "jordan-walke-" + n,
			InviterDescription:      "Engineer at Acme " + n,
		},
		Specifics: &gen.Specifics{Provider: "LINKEDIN", SharedSecret: "AQHkT3ZpbmdTZWNyZX" + n},
	}
}

func benchPage(tb testing.TB) []byte {
	items := make([]gen.InvitationReceived, 100)
	for i := range items {
		items[i] = benchItem(i)
	}
	cursor := "c100"
	b, err := json.Marshal(gen.InvitationList{Object: "InvitationList", Items: items, Cursor: &cursor})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkDecodePage is the decode-only cost of one 100-item page:
// decodePage (the client's decoder) against encoding/json into the same
// types (decodePageStd, the reference of FuzzDecodePage).
func BenchmarkDecodePage(b *testing.B) {
	body := benchPage(b)
	for _, v := range []struct {
		name   string
		decode func([]byte) (*Page, error)
	}{{"impl=client", decodePage}, {"impl=encoding-json", decodePageStd}} {
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
