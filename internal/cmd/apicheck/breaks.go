package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// breakage is one breaking change reported by oasdiff or apidiff.
type breakage struct {
	subject string // what it breaks, as a changelog entry must name it
	text    string // the tool's description
	where   string // oasdiff: "GET /path"; apidiff: empty
	id      string // oasdiff's check id; apidiff: empty
	kind    kind
}

// kind is what a break's subject names; it decides which names admit it.
type kind int

const (
	specName  kind = iota // a name in openapi.yaml: parameter, property, path, status, ...
	goIdent               // a Go identifier: gen.Name, client.Pager.Close
	goPackage             // a Go package import path
)

// oasdiffErr is oasdiff's level for a breaking change (ERR, after
// .ci/oasdiff-levels.conf); WARN (2) and INFO (1) changes are compatible.
const oasdiffErr = 3

// paramLocations are the words oasdiff puts in backticks before a request
// parameter's name ("deleted the `query` request parameter `account_id`").
var paramLocations = []string{"query", "header", "path", "cookie"}

// parseOasdiff reads the JSON of `oasdiff breaking --format json` and returns
// its breaking changes (level ERR). The subject of a change is the first name
// oasdiff puts in backticks, skipping a request parameter's location; for a
// change that names nothing (a removed path or operation, a response body),
// it is the API path; failing that, the check id.
func parseOasdiff(data []byte) ([]breakage, error) {
	if strings.TrimSpace(string(data)) == "" {
		return nil, nil
	}
	var changes []struct {
		ID        string `json:"id"`
		Text      string `json:"text"`
		Level     *int   `json:"level"`
		Operation string `json:"operation"`
		Path      string `json:"path"`
	}
	if err := json.Unmarshal(data, &changes); err != nil {
		return nil, fmt.Errorf("oasdiff report: %w", err)
	}
	var out []breakage
	for i, c := range changes {
		if c.ID == "" || c.Text == "" || c.Level == nil {
			return nil, fmt.Errorf("oasdiff report: change %d lacks its id, text or level: is this `oasdiff breaking --format json`?", i+1)
		}
		if *c.Level < oasdiffErr {
			continue
		}
		b := breakage{text: c.Text, id: c.ID, where: strings.TrimSpace(c.Operation + " " + c.Path)}
		b.subject = oasdiffSubject(c.Text)
		if b.subject == "" {
			b.subject = c.Path
		}
		if b.subject == "" {
			b.subject = c.ID
		}
		out = append(out, b)
	}
	return out, nil
}

// oasdiffSubject returns the first backticked name of an oasdiff change text
// that is not a request parameter's location, or "".
func oasdiffSubject(text string) string {
	for _, loc := range backtickRe.FindAllStringSubmatchIndex(text, -1) {
		name := text[loc[2]:loc[3]]
		if slices.Contains(paramLocations, name) && strings.HasPrefix(text[loc[1]:], " request") {
			continue
		}
		return name
	}
	return ""
}

// parseApidiff reads apidiff's text report (`apidiff -m OLD NEW`) and returns
// the lines of its "Incompatible changes:" part, except a change of
// client.Version's value (a release bumps it; that breaks no one). The
// subject of "- ./gen.Name.Field: removed" is gen.Name.Field; of
// "- package example.com/mod/pkg: removed", the package path.
func parseApidiff(r io.Reader) ([]breakage, error) {
	var (
		out  []breakage
		part string
	)
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \r")
		switch {
		case line == "":
		case line == "Incompatible changes:" || line == "Compatible changes:":
			part = line
		case strings.HasPrefix(line, "- "):
			if part == "" {
				return nil, fmt.Errorf("apidiff report line %d: a change before any \"Incompatible changes:\"/\"Compatible changes:\" header: is this `apidiff -m OLD NEW`?", n)
			}
			if part != "Incompatible changes:" {
				continue
			}
			name, msg, ok := strings.Cut(line[2:], ": ")
			if !ok {
				return nil, fmt.Errorf("apidiff report line %d: %q: want \"- NAME: MESSAGE\"", n, line)
			}
			b := breakage{text: msg}
			if pkg, ok := strings.CutPrefix(name, "package "); ok {
				b.subject, b.kind = pkg, goPackage
			} else {
				name, _, _ = strings.Cut(name, ", ") // "T, method set of *T"
				b.subject, b.kind = normName(name), goIdent
			}
			if b.subject == "client.Version" && strings.HasPrefix(msg, "value changed from ") {
				continue
			}
			out = append(out, b)
		default:
			return nil, fmt.Errorf("apidiff report line %d: %q: not part of apidiff's report", n, line)
		}
	}
	return out, sc.Err()
}

// admits reports whether a changelog entry that names name records b:
//   - a Go identifier is admitted by its own name (`gen.GetSwagger`), and by
//     the name of what it belongs to when that is itself an identifier
//     (`client.Pager` admits `client.Pager.Close`, `gen` admits nothing);
//   - a package is admitted by its import path or a trailing part of it
//     (`github.com/postpress/postpress-go/probe`, `probe`);
//   - anything else (an oasdiff subject) by its name, and a property path
//     (`items/items/invited_user`) also by its last part (`invited_user`); an
//     API path also by "METHOD /path".
func admits(name string, b breakage) bool {
	s := b.subject
	if name == s {
		return true
	}
	switch {
	case b.kind == goIdent:
		return strings.Contains(name, ".") && strings.HasPrefix(s, name+".")
	case b.kind == goPackage:
		return strings.HasSuffix(s, "/"+name)
	case strings.HasPrefix(s, "/"):
		return name == b.where
	default:
		i := strings.LastIndex(s, "/")
		return i >= 0 && name == s[i+1:]
	}
}

// verdict is what matching the breaks against the entries found.
type verdict struct {
	admitted   []admission
	unrecorded []breakage
}

// admission is a break and the entry that records it.
type admission struct {
	b breakage
	e entry
}

// match pairs each break with the first entry that admits it.
func match(entries []entry, breaks []breakage) verdict {
	var v verdict
next:
	for _, b := range breaks {
		for _, e := range entries {
			for _, name := range e.names {
				if admits(name, b) {
					v.admitted = append(v.admitted, admission{b, e})
					continue next
				}
			}
		}
		v.unrecorded = append(v.unrecorded, b)
	}
	return v
}

// describe is a break on one line: its subject, the tool's text and where.
func (b breakage) describe() string {
	s := "`" + b.subject + "`: " + b.text
	if b.where != "" {
		s += " (" + b.where + ")"
	}
	if b.id != "" {
		s += " [" + b.id + "]"
	}
	return s
}

// report writes the verdict for the reader; changelog is the file's name.
func (v verdict) report(w io.Writer, label, changelog string) {
	if len(v.admitted)+len(v.unrecorded) == 0 {
		fmt.Fprintf(w, "%s: OK: no breaking changes since the baseline.\n", label)
		return
	}
	for _, a := range v.admitted {
		fmt.Fprintf(w, "%s: recorded (%s:%d): %s\n", label, changelog, a.e.line, a.b.describe())
	}
	for _, b := range v.unrecorded {
		fmt.Fprintf(w, "%s: NOT RECORDED: %s\n", label, b.describe())
	}
	if len(v.unrecorded) == 0 {
		fmt.Fprintf(w, "%s: OK: every breaking change is recorded under ## [%s] / ### Breaking.\n", label, unreleased)
		return
	}
	fmt.Fprintf(w, "%s: FAIL: %d breaking change(s) not recorded in %s. Undo them, or add to its\n", label, len(v.unrecorded), changelog)
	fmt.Fprintf(w, "## [%s] section, under ### Breaking, an entry that names each one in backticks\n", unreleased)
	fmt.Fprintf(w, "and says what users must change, e.g.:\n\n### Breaking\n\n")
	for _, s := range suggestions(v.unrecorded) {
		fmt.Fprintf(w, "- %s\n", s)
	}
}

// suggestions are the entries suggested for unrecorded breaks: one per
// break, except that breaks of two or more members of one Go type
// (gen.T.A, gen.T.B) share one entry naming the type.
func suggestions(bs []breakage) []string {
	members := map[string][]string{}
	for _, b := range bs {
		if parent, member, ok := goParent(b); ok {
			members[parent] = append(members[parent], "`"+member+"` "+b.text)
		}
	}
	var out []string
	done := map[string]bool{}
	for _, b := range bs {
		parent, _, ok := goParent(b)
		switch {
		case ok && len(members[parent]) > 1:
			if !done[parent] {
				done[parent] = true
				out = append(out, "`"+parent+"`: "+strings.Join(members[parent], ", "))
			}
		case !done[b.subject]:
			done[b.subject] = true
			out = append(out, b.describe())
		}
	}
	return out
}

// goParent splits a member of a Go type (gen.T.Field) into the type and the
// member's name.
func goParent(b breakage) (parent, member string, ok bool) {
	if b.kind != goIdent || strings.Count(b.subject, ".") < 2 {
		return "", "", false
	}
	i := strings.LastIndex(b.subject, ".")
	return b.subject[:i], b.subject[i+1:], true
}
