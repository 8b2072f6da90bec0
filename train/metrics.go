package train

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wageubn/wageubn/internal/atomicfile"
	"github.com/wageubn/wageubn/plot"
	"github.com/wageubn/wageubn/tensorboard"
)

// EpochMetrics are the numbers of one finished epoch. Accuracies are
// fractions in [0, 1].
type EpochMetrics struct {
	Epoch           int     `json:"epoch"` // 1-based
	Step            int64   `json:"step"`  // steps completed at the end of the epoch
	TrainLoss       float64 `json:"train_loss"`
	TrainAccuracy   float64 `json:"train_accuracy"`
	TestLoss        float64 `json:"test_loss"`
	TestAccuracy    float64 `json:"test_accuracy"`
	Seconds         float64 `json:"seconds"` // training time of the epoch (evaluation excluded)
	ImagesPerSecond float64 `json:"images_per_second"`
	Phase           int     `json:"phase"` // schedule phase of the epoch's last step
	LR              float64 `json:"lr"`    // its quantized learning rate, LRCode·2^-9
	GScale          int     `json:"g_scale"`
}

// Result is the outcome of a run, written to results.json. Accuracies are
// fractions in [0, 1]; TestAccuracy is the last epoch's.
type Result struct {
	TestAccuracy    float64           `json:"test_accuracy"`
	TestLoss        float64           `json:"test_loss"`
	TrainAccuracy   float64           `json:"train_accuracy"`
	TrainLoss       float64           `json:"train_loss"`
	TrainSeconds    float64           `json:"train_seconds"` // training steps only, over all resumes
	ImagesPerSecond float64           `json:"images_per_second"`
	Images          int64             `json:"images"` // images trained
	Steps           int64             `json:"steps"`
	Backend         string            `json:"backend,omitempty"`
	Adapter         string            `json:"adapter,omitempty"`
	Recipe          string            `json:"recipe,omitempty"`
	Model           string            `json:"model,omitempty"`
	Dataset         string            `json:"dataset,omitempty"`
	Epochs          int               `json:"epochs"`
	Batch           int               `json:"batch"`
	Seed            uint64            `json:"seed"`
	Resumed         bool              `json:"resumed"` // whether the run continued from a checkpoint
	Extra           map[string]string `json:"extra,omitempty"`
	History         []EpochMetrics    `json:"history"`
}

// File names written by a Recorder in its folder.
const (
	ResultsFile      = "results.json"
	LossPlotFile     = "loss.png"
	AccuracyPlotFile = "accuracy.png"
	TensorBoardDir   = "tensorboard"
)

// Recorder does write a run's metrics to folder Dir: per epoch, TensorBoard
// scalars (train/loss, train/accuracy, test/loss, test/accuracy, lr, g_scale,
// images_per_second, at the epoch's last step) under Dir/tensorboard and the
// PNG curves loss.png and accuracy.png against the epoch; at the end,
// results.json. The plots and results.json are rewritten atomically each time.
// A Recorder is not safe for concurrent use.
type Recorder struct {
	dir     string
	tb      *tensorboard.Writer
	history []EpochMetrics
}

// NewRecorder does create dir and a TensorBoard event file in
// dir/tensorboard. history holds the epochs of an earlier part of a resumed
// run (nil for a fresh run); they are plotted and reported, not re-sent to
// TensorBoard (the earlier event file has them).
func NewRecorder(dir string, history []EpochMetrics) (*Recorder, error) {
	if dir == "" {
		return nil, fmt.Errorf("%w: metrics folder not set", ErrConfig)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("train: metrics folder: %w", err)
	}
	tb, err := tensorboard.NewWriter(filepath.Join(dir, TensorBoardDir))
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return &Recorder{dir: dir, tb: tb, history: append([]EpochMetrics(nil), history...)}, nil
}

// History does return a copy of the epochs recorded so far.
func (r *Recorder) History() []EpochMetrics { return append([]EpochMetrics(nil), r.history...) }

// Epoch does record one finished epoch: its TensorBoard scalars, then the
// loss and accuracy curves of every epoch so far.
func (r *Recorder) Epoch(m EpochMetrics) error {
	r.history = append(r.history, m)
	scalars := []struct {
		tag string
		v   float64
	}{
		{"train/loss", m.TrainLoss},
		{"train/accuracy", m.TrainAccuracy},
		{"test/loss", m.TestLoss},
		{"test/accuracy", m.TestAccuracy},
		{"lr", m.LR},
		{"g_scale", float64(m.GScale)},
		{"images_per_second", m.ImagesPerSecond},
	}
	for _, s := range scalars {
		if err := r.tb.AddScalar(s.tag, m.Step, float32(s.v)); err != nil {
			return fmt.Errorf("train: %w", err)
		}
	}
	if err := r.tb.Flush(); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return r.plots()
}

// plots does draw loss.png and accuracy.png from the history.
func (r *Recorder) plots() error {
	n := len(r.history)
	trainLoss := make([]plot.XY, n)
	testLoss := make([]plot.XY, n)
	trainAcc := make([]plot.XY, n)
	testAcc := make([]plot.XY, n)
	for i, m := range r.history {
		x := float64(m.Epoch)
		trainLoss[i] = plot.XY{X: x, Y: m.TrainLoss}
		testLoss[i] = plot.XY{X: x, Y: m.TestLoss}
		trainAcc[i] = plot.XY{X: x, Y: m.TrainAccuracy}
		testAcc[i] = plot.XY{X: x, Y: m.TestAccuracy}
	}
	if err := plot.Curves(filepath.Join(r.dir, LossPlotFile), "loss", "epoch", "loss",
		[]plot.Series{{Name: "train", Points: trainLoss}, {Name: "test", Points: testLoss}}); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := plot.Curves(filepath.Join(r.dir, AccuracyPlotFile), "accuracy", "epoch", "accuracy",
		[]plot.Series{{Name: "train", Points: trainAcc}, {Name: "test", Points: testAcc}}); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// WriteResult does write res to Dir/results.json atomically, as indented
// JSON. A nil res.History is written as the recorder's history.
func (r *Recorder) WriteResult(res Result) error {
	if res.History == nil {
		res.History = r.History()
	}
	return WriteResult(filepath.Join(r.dir, ResultsFile), res)
}

// WriteResult does write res to path atomically as indented JSON.
func WriteResult(path string, res Result) error {
	if res.History == nil {
		res.History = []EpochMetrics{}
	}
	js, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("train: results: %w", err)
	}
	if err := atomicfile.WriteFile(path, append(js, '\n'), 0o644); err != nil {
		return fmt.Errorf("train: results: %w", err)
	}
	return nil
}

// Close does flush and close the TensorBoard file.
func (r *Recorder) Close() error {
	if err := r.tb.Close(); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}
