package bench

import (
	"encoding/json"
	"reflect"
	"testing"

	jsonv1 "github.com/go-json-experiment/json/v1"
	goccy "github.com/goccy/go-json"

	"github.com/postpress/postpress-go/gen"
)

// Other decoders the client could use instead of encoding/json, checked
// against encoding/json on the generated types. Run one with, for example,
//
//	go test -run '^$' -fuzz FuzzCandidateGoccy -fuzztime 2m
//
// (Seeds only under `go test`.) These are measurements of third-party
// decoders, not of the SDK: a failure here is a finding for BENCHMARKS.md.
var candidateSeeds = []string{
	`{"object":"InvitationList","items":[],"cursor":null}`,
	`{"object":"InvitationList","items":[{"object":"InvitationReceived","id":"inv_1","invited_user":null,"new_field":1,"specifics":{"provider":"XING","shared_secret":"s"}}],"cursor":"eyJvIjoxMH0"}`,
	`{"items":[{"id":"a","date":"d"},{"id":"b"}],"items":[{"id":"c"}],"items":[null,{"date":"x"}],"cursor":null}`,
	`{"items":[{"id":"a","inviter":{"inviter_name":"n"}}],"items":[{"inviter":{"inviter_id":"i"}}],"cursor":null}`,
	`{"ITEMS":[{"ID":"x","Invited_User":"u","ſpecifics":{"PROVIDER":"LINKEDIN"}}],"Cursor":"k"}`,
	"{\"items\":[{\"id\":\"\\ud800x\\udc00\",\"date\":\"caf\xc3\xa9 \xff\xfe \xed\xa0\x80\"}],\"cursor\":\"a\"}",
	`{"items":[{"unknown":{"a":[1,-2.5e+10,0.0,true,false,null,{"b":"c"}]},"id":"x"}],"cursor":null,"extra":[[[]]]}`,
	`{"items":[{"id":1}],"cursor":null}`, `{"items":[{"x":01}],"cursor":null}`, `{"items":[],"cursor":null}x`,
}

func fuzzCandidate(f *testing.F, unmarshal func([]byte, any) error) {
	for _, s := range candidateSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var want, got gen.InvitationList
		werr := json.Unmarshal(body, &want)
		gerr := unmarshal(body, &got)
		if (werr == nil) != (gerr == nil) || (werr == nil && !reflect.DeepEqual(got, want)) {
			t.Fatalf("body %q:\nencoding/json: %v %+v\ncandidate:     %v %+v", body, werr, want, gerr, got)
		}
	})
}

func FuzzCandidateGoccy(f *testing.F)     { fuzzCandidate(f, goccy.Unmarshal) }
func FuzzCandidateJSONExpV1(f *testing.F) { fuzzCandidate(f, jsonv1.Unmarshal) }
