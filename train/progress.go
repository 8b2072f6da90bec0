package train

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// DefaultLogEvery is the number of batches between two progress lines when
// Progress.Every is not set.
const DefaultLogEvery = 100

// Progress does report a run's progress on a writer: a progress bar
// (github.com/schollz/progressbar/v3) when the writer is a terminal, plain
// log lines otherwise, one every Every batches and one per finished epoch:
//
//	epoch 1/10 batch 100/938 step 100 loss 0.4123 acc 0.8812 images/s 1234.5
//	epoch 1/10 done step 938 train loss 0.2950 acc 0.9112 test loss 0.1010 acc 0.9702 lr 0.05078 g_scale 128 images/s 1234.5 time 48.6s
//
// loss and acc in a batch line are the running means of the epoch so far;
// images/s counts the images of this epoch trained since StartEpoch (in this
// process) over the time since then. The zero Progress writes lines to
// os.Stderr. A Progress is not safe for concurrent use.
type Progress struct {
	W     io.Writer        // destination; nil means os.Stderr
	Bar   bool             // draw a bar instead of batch lines; NewProgress sets it for a terminal
	Every int              // batches between lines; <= 0 means DefaultLogEvery
	Now   func() time.Time // clock; nil means time.Now

	epoch, epochs, batches int
	start                  time.Time
	images                 int64
	bar                    *progressbar.ProgressBar
}

// NewProgress does return a Progress writing to w, with a bar when w is a
// terminal (an *os.File for which golang.org/x/term.IsTerminal holds).
func NewProgress(w io.Writer) *Progress {
	return &Progress{W: w, Bar: isTerminal(w)}
}

// isTerminal does report whether w is a file descriptor of a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

func (p *Progress) writer() io.Writer {
	if p.W == nil {
		return os.Stderr
	}
	return p.W
}

func (p *Progress) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

func (p *Progress) every() int {
	if p.Every <= 0 {
		return DefaultLogEvery
	}
	return p.Every
}

// StepReport is what the loop tells Progress after each step.
type StepReport struct {
	Epoch    int     // 0-based
	Batch    int     // 0-based batch just trained
	Step     int64   // steps completed
	Images   int     // images in the batch
	Loss     float64 // running mean loss of the epoch
	Accuracy float64 // running training accuracy of the epoch
}

// StartEpoch does begin epoch (0-based) of epochs, which has batches batches;
// first is the batch the run starts at (non-zero when resumed mid-epoch).
func (p *Progress) StartEpoch(epoch, epochs, batches, first int) {
	p.epoch, p.epochs, p.batches = epoch, epochs, batches
	p.start = p.now()
	p.images = 0
	if p.Bar {
		p.bar = progressbar.NewOptions(batches,
			progressbar.OptionSetWriter(p.writer()),
			progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch+1, epochs)),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("batch"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		_ = p.bar.Set(first) // writes to a terminal; a failed redraw is not worth stopping a run
	}
}

// rate does return the images per second since StartEpoch.
func (p *Progress) rate() float64 {
	s := p.now().Sub(p.start).Seconds()
	if s <= 0 {
		return 0
	}
	return float64(p.images) / s
}

// Step does report one finished step: it moves the bar, or writes a line
// when Batch+1 is a multiple of Every.
func (p *Progress) Step(r StepReport) {
	p.images += int64(r.Images)
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4f acc %.4f", r.Epoch+1, p.epochs, r.Loss, r.Accuracy))
		_ = p.bar.Set(r.Batch + 1)
		return
	}
	if (r.Batch+1)%p.every() != 0 {
		return
	}
	fmt.Fprintf(p.writer(), "epoch %d/%d batch %d/%d step %d loss %.4f acc %.4f images/s %.1f\n",
		r.Epoch+1, p.epochs, r.Batch+1, p.batches, r.Step, r.Loss, r.Accuracy, p.rate())
}

// EndEpoch does close the epoch's bar, if any, and write the epoch's line.
func (p *Progress) EndEpoch(m EpochMetrics) {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
	fmt.Fprintf(p.writer(), "epoch %d/%d done step %d train loss %.4f acc %.4f test loss %.4f acc %.4f lr %.4g g_scale %d images/s %.1f time %.1fs\n",
		m.Epoch, p.epochs, m.Step, m.TrainLoss, m.TrainAccuracy, m.TestLoss, m.TestAccuracy, m.LR, m.GScale, m.ImagesPerSecond, m.Seconds)
}

// Printf does write one line of text, above the bar if one is drawn.
func (p *Progress) Printf(format string, args ...any) {
	if p.bar != nil {
		_ = p.bar.Clear()
	}
	fmt.Fprintf(p.writer(), format+"\n", args...)
}

// Close does remove a bar left open by an interrupted epoch.
func (p *Progress) Close() {
	if p.bar != nil {
		_ = p.bar.Exit()
		p.bar = nil
	}
}
