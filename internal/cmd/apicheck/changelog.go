package main

import (
	"fmt"
	"regexp"
	"strings"
)

// unreleased is the name of the changelog section that collects changes not
// released yet.
const unreleased = "Unreleased"

// changelog is CHANGELOG.md as the checks read it: its "## [...]" sections,
// newest first.
type changelog struct {
	sections []section
}

// section is one "## [Unreleased]" or "## [X.Y.Z] - YYYY-MM-DD" section.
type section struct {
	name     string  // "Unreleased" or "X.Y.Z"
	version  version // zero for Unreleased
	date     string  // YYYY-MM-DD; empty for Unreleased
	line     int     // 1-based line of the heading
	items    int     // "- " items in all its subsections
	breaking []entry // the items of its "### Breaking" subsection
}

// entry is one item of a "### Breaking" subsection.
type entry struct {
	text  string   // the item, continuation lines joined with spaces
	names []string // what it names: its `backticked` spans, normalized
	line  int      // 1-based line where the item starts
}

var (
	sectionRe  = regexp.MustCompile(`^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?\s*$`)
	backtickRe = regexp.MustCompile("`([^`]+)`")
)

// parseChangelog reads the sections of a Keep a Changelog file. Text before
// the first "## " heading (the preamble) and inside ``` fences is skipped, so
// the preamble can show example entries. A "## " heading that is neither
// "## [Unreleased]" nor "## [X.Y.Z] - YYYY-MM-DD" is an error.
func parseChangelog(text string) (changelog, error) {
	var (
		cl         changelog
		cur        *section
		inBreaking bool
		item       *entry // the Breaking item that continuation lines extend
		fenced     bool
	)
	finishItem := func() {
		if item != nil {
			item.names = namesIn(item.text)
			cur.breaking = append(cur.breaking, *item)
			item = nil
		}
	}
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimRight(line, " \t\r")
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		switch {
		case strings.HasPrefix(line, "## "):
			if cur != nil {
				finishItem()
			}
			m := sectionRe.FindStringSubmatch(line)
			if m == nil {
				return changelog{}, fmt.Errorf("line %d: %q: want \"## [Unreleased]\" or \"## [X.Y.Z] - YYYY-MM-DD\"", n, line)
			}
			s := section{name: m[1], date: m[2], line: n}
			if s.name == unreleased {
				if s.date != "" {
					return changelog{}, fmt.Errorf("line %d: %q: the Unreleased section has no date", n, line)
				}
			} else {
				v, err := parseVersion(s.name)
				if err != nil {
					return changelog{}, fmt.Errorf("line %d: %w", n, err)
				}
				if s.date == "" {
					return changelog{}, fmt.Errorf("line %d: %q: a released section needs its date: \"## [%s] - YYYY-MM-DD\"", n, line, s.name)
				}
				s.version = v
			}
			cl.sections = append(cl.sections, s)
			cur = &cl.sections[len(cl.sections)-1]
			inBreaking = false
		case cur == nil:
			// The preamble.
		case strings.HasPrefix(line, "### "):
			finishItem()
			inBreaking = strings.TrimSpace(strings.TrimPrefix(line, "### ")) == "Breaking"
		case strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "* "):
			finishItem()
			cur.items++
			if inBreaking {
				item = &entry{text: strings.TrimSpace(line[2:]), line: n}
			}
		case line == "":
			// A blank line between items, or inside one.
		case line[0] == ' ' || line[0] == '\t':
			if item != nil {
				item.text += " " + strings.TrimSpace(line)
			}
		default:
			finishItem()
		}
	}
	if cur != nil {
		finishItem()
	}
	return cl, nil
}

// namesIn returns the `backticked` spans of text, normalized by normName.
func namesIn(text string) []string {
	var names []string
	for _, m := range backtickRe.FindAllStringSubmatch(text, -1) {
		if n := normName(m[1]); n != "" {
			names = append(names, n)
		}
	}
	return names
}

// normName makes a name comparable however it was written: surrounding
// space is dropped, and so are apidiff's "./" package prefix and the
// parentheses and star of a pointer receiver, so `(*client.Pager).Close`,
// `client.(*Pager).Close` and `client.Pager.Close` are the same name.
func normName(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "./")
	return strings.NewReplacer("(", "", ")", "", "*", "").Replace(s)
}

// find returns the section with the given name, or nil.
func (cl changelog) find(name string) *section {
	for i := range cl.sections {
		if cl.sections[i].name == name {
			return &cl.sections[i]
		}
	}
	return nil
}

// released returns the released sections, newest first.
func (cl changelog) released() []section {
	var out []section
	for _, s := range cl.sections {
		if s.name != unreleased {
			out = append(out, s)
		}
	}
	return out
}
