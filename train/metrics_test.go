package train_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/wageubn/wageubn/train"
)

// TestRecorderResumed checks that a Recorder started with the history of an
// earlier part of the run reports it in results.json, next to new epochs.
func TestRecorderResumed(t *testing.T) {
	dir := t.TempDir()
	earlier := []train.EpochMetrics{{Epoch: 1, Step: 10, TrainLoss: 2, TestLoss: 1.5, TrainAccuracy: 0.5, TestAccuracy: 0.6}}
	r, err := train.NewRecorder(dir, earlier)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Epoch(train.EpochMetrics{Epoch: 2, Step: 20, TrainLoss: 1, TestLoss: 0.9, TrainAccuracy: 0.7, TestAccuracy: 0.75}); err != nil {
		t.Fatal(err)
	}
	earlier[0].Epoch = 99 // the recorder keeps its own copy
	if err := r.WriteResult(train.Result{TestAccuracy: 0.75, Epochs: 2}); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, train.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	var res train.Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.History) != 2 || res.History[0].Epoch != 1 || res.History[1].Epoch != 2 || res.TestAccuracy != 0.75 {
		t.Errorf("results.json: %+v", res)
	}
	decode(t, filepath.Join(dir, train.LossPlotFile))
	decode(t, filepath.Join(dir, train.AccuracyPlotFile))
	if _, err := train.NewRecorder("", nil); !errors.Is(err, train.ErrConfig) {
		t.Errorf("NewRecorder(\"\") error %v, want ErrConfig", err)
	}
}
