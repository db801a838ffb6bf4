package cli

import (
	"fmt"
	"io"
	"sync"
)

// progress is the line `N items, M pages` on stderr while a listing of
// several pages runs, for a person at a terminal. It is drawn only while
// more pages follow (a one-page listing shows none), erased before rows are
// written (stdout is often the same terminal), and replaced by a final
// count at the end.
type progress struct {
	w     io.Writer
	on    bool
	shown bool
	items int
	pages int
}

// eraseLine returns to the start of the line and clears it.
const eraseLine = "\r\x1b[K"

func (p *progress) draw() {
	if !p.on {
		return
	}
	p.shown = true
	_, _ = fmt.Fprintf(p.w, "%s%d items, %d pages so far…", eraseLine, p.items, p.pages)
}

func (p *progress) clear() {
	if p.shown {
		_, _ = io.WriteString(p.w, eraseLine)
	}
}

// finish replaces a progress line that was shown by the final count.
func (p *progress) finish() {
	if p.shown {
		_, _ = fmt.Fprintf(p.w, "%s%d items, %d pages\n", eraseLine, p.items, p.pages)
		p.shown = false
	}
}

// lockedWriter serialises writes to stderr, which the client's logger
// (--verbose) writes to from its prefetching goroutine while the command
// writes its progress and errors.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
