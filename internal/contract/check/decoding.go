package check

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/postpress/postpress-go/gen"
)

// decodedMembers are the members of a page that the client's listing hands
// out (client.Page's Items and NextCursor); the list's `object` is not one.
var decodedMembers = []string{"items", "cursor"}

// Decoding compares what the client decoded from a 200 body (got, or
// gotErr when it refused the body) with encoding/json on the generated
// types, member by member (RuleDecoding), and checks that encoding/json on
// the generated types keeps every member of the body that the spec
// documents (RuleDropped). Both are compared re-encoded as JSON, so a
// null the client turned into "" agrees with encoding/json doing the same.
func (c *Checker) Decoding(ex *Exchange, got *gen.InvitationList, gotErr error) []Disagreement {
	w := &walker{redact: c.redact}
	var ref gen.InvitationList
	refErr := json.Unmarshal(ex.Body, &ref)
	switch {
	case refErr != nil && gotErr != nil:
		return nil
	case refErr != nil:
		w.add("", "", RuleDecoding, "encoding/json on the generated types fails: "+shorten(refErr.Error(), 100), "the client decoded it")
		return w.out
	case gotErr != nil:
		// The client's error may quote the body: not shown.
		w.add("", "", RuleDecoding, "encoding/json on the generated types decodes it", "the client refused it")
		return w.out
	}
	refTree, err := reencode(&ref)
	if err != nil {
		w.add("", "", RuleDecoding, "re-encodable", err.Error())
		return w.out
	}
	gotTree, err := reencode(got)
	if err != nil {
		w.add("", "", RuleDecoding, "re-encodable", err.Error())
		return w.out
	}
	rm, _ := refTree.(map[string]any)
	gm, _ := gotTree.(map[string]any)
	for _, name := range decodedMembers {
		w.diff("/"+name, "/"+name, name, rm[name], gm[name])
	}
	// Members of the body that the generated types drop: the spec
	// documents them (undocumented ones are reported by Check).
	body, err := decodeJSON(ex.Body)
	if err != nil {
		return w.out
	}
	undocumented := map[string]bool{}
	for _, d := range c.Check(ex).Disagreements {
		if d.Rule == RuleUndocumentedProperty {
			undocumented[d.Pointer] = true
		}
	}
	w.dropped("", "", body, refTree, undocumented)
	return w.out
}

// reencode returns v as encoding/json writes it, decoded generically.
func reencode(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeJSON(b)
}

// diff reports every place where got (the client's) differs from ref
// (encoding/json's).
func (w *walker) diff(ptr, pat, member string, ref, got any) {
	switch r := ref.(type) {
	case map[string]any:
		if g, ok := got.(map[string]any); ok {
			names := slices.Sorted(mapKeys(r))
			for k := range g {
				if _, ok := r[k]; !ok {
					names = append(names, k)
				}
			}
			for _, k := range names {
				w.diff(ptr+"/"+escape(k), pat+"/"+escape(k), k, r[k], g[k])
			}
			return
		}
	case []any:
		if g, ok := got.([]any); ok {
			if len(r) != len(g) {
				w.add(ptr, pat, RuleDecoding, fmt.Sprintf("encoding/json: %d elements", len(r)), fmt.Sprintf("client: %d", len(g)))
			}
			for i := range min(len(r), len(g)) {
				w.diff(ptr+"/"+strconv.Itoa(i), pat+"/*", "", r[i], g[i])
			}
			return
		}
	default:
		if canonical(ref) == canonical(got) && jsonType(ref) == jsonType(got) {
			return
		}
	}
	w.add(ptr, pat, RuleDecoding, "encoding/json: "+w.showPresent(ref, member), "client: "+w.showPresent(got, member))
}

// showPresent is show, with "absent" for a member that is not there.
func (w *walker) showPresent(v any, member string) string {
	if v == nil {
		return "absent or null"
	}
	return w.show(v, member)
}

// dropped reports members of body (not null, documented) that kept (the
// generated types' re-encoding) lacks.
func (w *walker) dropped(ptr, pat string, body, kept any, undocumented map[string]bool) {
	switch b := body.(type) {
	case map[string]any:
		k, _ := kept.(map[string]any)
		for _, name := range slices.Sorted(mapKeys(b)) {
			p, pp := ptr+"/"+escape(name), pat+"/"+escape(name)
			if undocumented[p] || b[name] == nil {
				continue
			}
			kv, ok := k[name]
			if !ok {
				w.add(p, pp, RuleDropped, "kept by the generated types", "dropped: "+w.show(b[name], name))
				continue
			}
			w.dropped(p, pp, b[name], kv, undocumented)
		}
	case []any:
		k, _ := kept.([]any)
		for i := range min(len(b), len(k)) {
			w.dropped(ptr+"/"+strconv.Itoa(i), pat+"/*", b[i], k[i], undocumented)
		}
	}
}
