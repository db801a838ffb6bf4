package client

import (
	"encoding/json"
	"testing"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/benchdata"
)

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
// decodePage (the client's generated decoder) against one
// json.Unmarshal into the same generated type.
func BenchmarkDecodePage(b *testing.B) {
	body := benchPage(b)
	for _, v := range []struct {
		name   string
		decode func([]byte) (*Page, error)
	}{{"impl=client", decodePage}, {"impl=encoding-json", func(body []byte) (*Page, error) {
		var v gen.InvitationList
		err := json.Unmarshal(body, &v)
		return &Page{Items: v.Items}, err
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
