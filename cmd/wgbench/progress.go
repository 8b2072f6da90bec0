package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/wageubn/wageubn/bench"
)

// lineEvery is how often the plain-line progress display prints.
const lineEvery = 2 * time.Second

// progress shows how far Measure is: a progress bar when stderr is a
// terminal, otherwise a plain line at most every lineEvery (and one at the
// end), so that logs stay short. A nil *progress shows nothing.
type progress struct {
	w    io.Writer
	tty  bool                     // w is a terminal: draw a bar
	bar  *progressbar.ProgressBar // the bar, from the first update on
	last time.Time
}

// newProgress returns the display for w.
func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && isTerminal(f), last: time.Now()}
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// update is bench.Options.Progress: done of total runs, c the case just run.
func (p *progress) update(done, total int, c bench.Case) {
	if p.tty {
		if p.bar == nil {
			p.bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionShowCount(),
				progressbar.OptionSetElapsedTime(true),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionClearOnFinish())
		}
		p.bar.Describe(fmt.Sprintf("%-24s", c.Name()))
		_ = p.bar.Set(done)
		return
	}
	if now := time.Now(); now.Sub(p.last) >= lineEvery || done == total {
		p.last = now
		fmt.Fprintf(p.w, "wgbench: %d/%d runs (%s)\n", done, total, c.Name())
	}
}

// finish clears the bar.
func (p *progress) finish() {
	if p != nil && p.bar != nil {
		_ = p.bar.Finish()
	}
}
