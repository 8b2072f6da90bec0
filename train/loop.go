package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"time"

	"github.com/wageubn/wageubn/train/data"
)

// DefaultKeep is the number of checkpoints Run keeps when
// Config.KeepCheckpoints is 0.
const DefaultKeep = 3

// CheckpointSubdir is the folder under Config.OutDir that holds the
// checkpoints when Config.CheckpointDir is not set.
const CheckpointSubdir = "checkpoints"

// Config is the setting of one run of Run. Epochs and BatchSize are
// required; every other zero value means the default given.
type Config struct {
	Epochs    int    // passes over the training set, >= 1
	BatchSize int    // samples per batch, >= 1
	Seed      uint64 // fixes the batch order (data.Permutation) and the model's random draws
	NoShuffle bool   // keep the dataset order instead of shuffling each epoch
	DropLast  bool   // drop a final partial batch (data.Sampler.DropLast)
	Schedule  Schedule

	// OutDir receives the metrics (see Recorder): TensorBoard events,
	// loss.png, accuracy.png and results.json. "" writes none.
	OutDir string
	// CheckpointDir holds the checkpoints; "" means OutDir/checkpoints, and
	// with OutDir "" too no checkpoint is written or resumed.
	CheckpointDir string
	// CheckpointEvery is the number of steps between checkpoints within an
	// epoch; 0 means only at the end of each epoch (which always gets one).
	CheckpointEvery int64
	// KeepCheckpoints is how many checkpoints to keep: 0 means DefaultKeep,
	// a negative number keeps all.
	KeepCheckpoints int
	// NoResume refuses to start when CheckpointDir already holds a usable
	// checkpoint, instead of resuming from it.
	NoResume bool

	Progress *Progress                        // nil reports nothing
	Logf     func(format string, args ...any) // skipped checkpoints; nil means log.Printf
	Now      func() time.Time                 // clock of train_seconds and images/s; nil means time.Now

	// Labels of the run, stored in checkpoints and results.json. A
	// checkpoint resumes only under the same Recipe and Model.
	Recipe, Model, Backend, Adapter string
	Extra                           map[string]string
}

func (cfg *Config) checkpointDir() string {
	if cfg.CheckpointDir != "" {
		return cfg.CheckpointDir
	}
	if cfg.OutDir != "" {
		return filepath.Join(cfg.OutDir, CheckpointSubdir)
	}
	return ""
}

func (cfg *Config) now() time.Time {
	if cfg.Now == nil {
		return time.Now()
	}
	return cfg.Now()
}

// run is the state of one Run call: the position reached and the sums a
// checkpoint carries.
type run struct {
	cfg     *Config
	m       Model
	sched   Schedule
	ck      Checkpoint
	ckOn    bool
	total   int64
	batches int

	epoch, batch int   // position of the next batch
	step         int64 // steps completed
	sums         EpochSums
	history      []EpochMetrics
	seconds      float64 // training time, all resumes
	images       int64
	resumed      bool
}

// Run does train m on train for cfg.Epochs epochs and evaluates it on test
// after each: a plain loop over steps
//
//	for each epoch e, for each batch b of data.Sampler{cfg}.Epoch(train, e):
//	    phase = cfg.Schedule.At(step, total)
//	    loss, correct = m.Step(batch, StepInfo{step, phase, ...}); step++
//	    checkpoint every cfg.CheckpointEvery steps
//	evaluate on test, record the epoch's metrics, checkpoint
//
// with total = cfg.Epochs × batches per epoch, so the schedule's phases fall
// at the same fractions of any run (method.md A8).
//
// Resume: when the checkpoint folder holds a usable checkpoint (see
// Checkpoint.Latest), Run loads its state into m and continues at its exact
// position (epoch e, batch b: Sampler.Epoch(train, e) from batch b), with
// the epoch's partial sums, the history and the step counter restored, so
// the run ends as an uninterrupted one would (for a deterministic m).
//
// Interrupts: ctx is checked before every step and before each evaluation.
// When it is done, Run writes a checkpoint of the position reached and
// returns the partial Result with an error wrapping ErrInterrupted.
//
// Errors: ErrConfig (bad cfg, nil m or dataset, an invalid dataset, no
// batch in an epoch); ErrResume (a checkpoint of another run, or NoResume
// with a checkpoint present); ErrDiverged (a non-finite loss); ErrInterrupted;
// errors of m, of the checkpoint files and of the metrics, wrapped with
// "train: ".
func Run(ctx context.Context, cfg Config, m Model, train, test *data.Dataset) (Result, error) {
	r, err := newRun(&cfg, m, train, test)
	if err != nil {
		return Result{}, err
	}
	if err := r.resume(); err != nil {
		return Result{}, err
	}
	var rec *Recorder
	if cfg.OutDir != "" {
		if rec, err = NewRecorder(cfg.OutDir, r.history); err != nil {
			return Result{}, err
		}
		defer rec.Close() // after the Close below this returns ErrClosed, ignored
	}
	if cfg.Progress != nil {
		defer cfg.Progress.Close()
	}
	if err := r.loop(ctx, train, test, rec); err != nil {
		return r.result(train), err
	}
	res := r.result(train)
	if rec != nil {
		if err := rec.WriteResult(res); err != nil {
			return res, err
		}
		if err := rec.Close(); err != nil {
			return res, err
		}
	}
	return res, nil
}

// newRun does check the arguments and compute the run's shape.
func newRun(cfg *Config, m Model, train, test *data.Dataset) (*run, error) {
	switch {
	case cfg.Epochs < 1:
		return nil, fmt.Errorf("%w: epochs %d, want >= 1", ErrConfig, cfg.Epochs)
	case cfg.BatchSize < 1:
		return nil, fmt.Errorf("%w: batch size %d, want >= 1", ErrConfig, cfg.BatchSize)
	case cfg.CheckpointEvery < 0:
		return nil, fmt.Errorf("%w: checkpoint interval %d, want >= 0", ErrConfig, cfg.CheckpointEvery)
	case m == nil:
		return nil, fmt.Errorf("%w: nil model", ErrConfig)
	case train == nil || test == nil:
		return nil, fmt.Errorf("%w: nil dataset", ErrConfig)
	}
	for _, ds := range []*data.Dataset{train, test} {
		if err := ds.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	ep, err := cfg.sampler().Epoch(train, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if ep.Len() == 0 {
		return nil, fmt.Errorf("%w: %s has no batch of %d samples", ErrConfig, train.Name, cfg.BatchSize)
	}
	keep := cfg.KeepCheckpoints
	if keep == 0 {
		keep = DefaultKeep
	}
	dir := cfg.checkpointDir()
	return &run{
		cfg:     cfg,
		m:       m,
		sched:   cfg.Schedule.resolved(),
		ck:      Checkpoint{Dir: dir, Keep: keep, Logf: cfg.Logf},
		ckOn:    dir != "",
		total:   int64(cfg.Epochs) * int64(ep.Len()),
		batches: ep.Len(),
	}, nil
}

func (cfg *Config) sampler() data.Sampler {
	return data.Sampler{BatchSize: cfg.BatchSize, Shuffle: !cfg.NoShuffle, Seed: cfg.Seed, DropLast: cfg.DropLast}
}

// resume does load the latest usable checkpoint, if any, after checking
// that it belongs to this run.
func (r *run) resume() error {
	if !r.ckOn {
		return nil
	}
	meta, state, err := r.ck.Latest()
	if errors.Is(err, ErrNoCheckpoint) {
		return nil
	}
	if err != nil {
		return err
	}
	if r.cfg.NoResume {
		return fmt.Errorf("%w: %s holds checkpoint %d of an earlier run and NoResume is set; remove it or choose another folder", ErrResume, r.ck.Dir, meta.Step)
	}
	if err := r.compatible(meta); err != nil {
		return err
	}
	if err := r.m.LoadState(state); err != nil {
		return fmt.Errorf("train: loading checkpoint %d into the model: %w", meta.Step, err)
	}
	r.epoch, r.batch, r.step = meta.Epoch, meta.Batch, meta.Step
	r.sums, r.history = meta.EpochSums, meta.History
	r.seconds, r.images = meta.TrainSeconds, meta.Images
	r.resumed = true
	return nil
}

// compatible does check that meta was written by a run of the same shape.
func (r *run) compatible(meta Meta) error {
	cfg := r.cfg
	mismatch := func(what string, got, want any) error {
		return fmt.Errorf("%w: checkpoint %d in %s has %s %v, this run %v", ErrResume, meta.Step, r.ck.Dir, what, got, want)
	}
	switch {
	case meta.Seed != cfg.Seed:
		return mismatch("seed", meta.Seed, cfg.Seed)
	case meta.BatchSize != cfg.BatchSize:
		return mismatch("batch size", meta.BatchSize, cfg.BatchSize)
	case meta.Batches != r.batches:
		return mismatch("batches per epoch", meta.Batches, r.batches)
	case meta.TotalSteps != r.total:
		return mismatch("total steps", meta.TotalSteps, r.total)
	case meta.Recipe != cfg.Recipe:
		return mismatch("recipe", meta.Recipe, cfg.Recipe)
	case meta.Model != cfg.Model:
		return mismatch("model", meta.Model, cfg.Model)
	case !slices.Equal(meta.Schedule.Starts, r.sched.Starts(r.total)):
		return mismatch("phase starts", meta.Schedule.Starts, r.sched.Starts(r.total))
	case meta.Epoch < 0 || meta.Epoch > cfg.Epochs || meta.Batch < 0 || meta.Batch > r.batches ||
		meta.Step != int64(meta.Epoch)*int64(r.batches)+int64(meta.Batch):
		return fmt.Errorf("%w: checkpoint %d in %s has an inconsistent position (epoch %d, batch %d)", ErrResume, meta.Step, r.ck.Dir, meta.Epoch, meta.Batch)
	case len(meta.History) != meta.Epoch:
		return fmt.Errorf("%w: checkpoint %d in %s has %d epochs of history at epoch %d", ErrResume, meta.Step, r.ck.Dir, len(meta.History), meta.Epoch)
	}
	return nil
}

// loop does the epochs from the current position on.
func (r *run) loop(ctx context.Context, train, test *data.Dataset, rec *Recorder) error {
	cfg, pr := r.cfg, r.cfg.Progress
	sampler := cfg.sampler()
	var b data.Batch
	for r.epoch < cfg.Epochs {
		ep, err := sampler.Epoch(train, r.epoch)
		if err != nil {
			return fmt.Errorf("train: %w", err)
		}
		if pr != nil {
			pr.StartEpoch(r.epoch, cfg.Epochs, r.batches, r.batch)
		}
		for r.batch < r.batches {
			if ctx.Err() != nil {
				return r.interrupt(ctx)
			}
			if err := r.trainStep(ep, &b); err != nil {
				return err
			}
			if cfg.CheckpointEvery > 0 && r.step%cfg.CheckpointEvery == 0 && r.batch < r.batches {
				if err := r.save(); err != nil {
					return err
				}
			}
		}
		if ctx.Err() != nil {
			return r.interrupt(ctx) // position (epoch, batches): the evaluation is pending
		}
		if err := r.endEpoch(test, rec); err != nil {
			return err
		}
	}
	return nil
}

// trainStep does run batch r.batch of ep through the model and advance the
// position and the counters past it.
func (r *run) trainStep(ep *data.Epoch, b *data.Batch) error {
	t0 := r.cfg.now()
	if err := ep.Batch(r.batch, b); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	info := StepInfo{
		Step: r.step, Total: r.total, Epoch: r.epoch, Batch: r.batch,
		Seed: r.cfg.Seed, RNGStep: uint32(r.step), Phase: r.sched.At(r.step, r.total),
	}
	loss, correct, err := r.m.Step(b, info)
	if err != nil {
		return fmt.Errorf("train: step %d (epoch %d, batch %d): %w", r.step, r.epoch, r.batch, err)
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) || correct < 0 || correct > b.N {
		return fmt.Errorf("%w: step %d (epoch %d, batch %d): loss %v, %d of %d correct", ErrDiverged, r.step, r.epoch, r.batch, loss, correct, b.N)
	}
	dt := r.cfg.now().Sub(t0).Seconds()
	r.step++
	r.batch++
	r.sums.LossSum += loss * float64(b.N)
	r.sums.Correct += int64(correct)
	r.sums.Seen += int64(b.N)
	r.sums.Seconds += dt
	r.seconds += dt
	r.images += int64(b.N)
	if pr := r.cfg.Progress; pr != nil {
		pr.Step(StepReport{
			Epoch: r.epoch, Batch: r.batch - 1, Step: r.step, Images: b.N,
			Loss: r.sums.LossSum / float64(r.sums.Seen), Accuracy: float64(r.sums.Correct) / float64(r.sums.Seen),
		})
	}
	return nil
}

// endEpoch does evaluate, record the epoch, advance to the start of the
// next one and checkpoint it.
func (r *run) endEpoch(test *data.Dataset, rec *Recorder) error {
	loss, acc, err := r.m.Evaluate(test)
	if err != nil {
		return fmt.Errorf("train: evaluating epoch %d: %w", r.epoch+1, err)
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) || !(acc >= 0 && acc <= 1) {
		return fmt.Errorf("%w: evaluating epoch %d: loss %v, accuracy %v", ErrDiverged, r.epoch+1, loss, acc)
	}
	ph := r.sched.At(r.step-1, r.total)
	m := EpochMetrics{
		Epoch: r.epoch + 1, Step: r.step,
		TestLoss: loss, TestAccuracy: acc, Seconds: r.sums.Seconds,
		Phase: ph.Index, LR: ph.LRQuantized(), GScale: ph.GScale,
	}
	if r.sums.Seen > 0 {
		m.TrainLoss = r.sums.LossSum / float64(r.sums.Seen)
		m.TrainAccuracy = float64(r.sums.Correct) / float64(r.sums.Seen)
	}
	if r.sums.Seconds > 0 {
		m.ImagesPerSecond = float64(r.sums.Seen) / r.sums.Seconds
	}
	r.history = append(r.history, m)
	if rec != nil {
		if err := rec.Epoch(m); err != nil {
			return err
		}
	}
	if pr := r.cfg.Progress; pr != nil {
		pr.EndEpoch(m)
	}
	r.epoch, r.batch, r.sums = r.epoch+1, 0, EpochSums{}
	return r.save()
}

// interrupt does checkpoint the current position and return the error of
// an interrupted run.
func (r *run) interrupt(ctx context.Context) error {
	cause := context.Cause(ctx)
	if !r.ckOn {
		return fmt.Errorf("%w at step %d (epoch %d, batch %d), no checkpoint folder: %w", ErrInterrupted, r.step, r.epoch, r.batch, cause)
	}
	if err := r.save(); err != nil {
		return fmt.Errorf("%w at step %d: %w; saving its checkpoint failed: %w", ErrInterrupted, r.step, cause, err)
	}
	return fmt.Errorf("%w at step %d (epoch %d, batch %d), checkpoint in %s: %w", ErrInterrupted, r.step, r.epoch, r.batch, r.ck.Dir, cause)
}

// save does write a checkpoint of the current position.
func (r *run) save() error {
	if !r.ckOn {
		return nil
	}
	state, err := r.m.State()
	if err != nil {
		return fmt.Errorf("train: model state at step %d: %w", r.step, err)
	}
	ph := r.sched.At(r.step, r.total)
	meta := Meta{
		TotalSteps: r.total, Epoch: r.epoch, Batch: r.batch, Batches: r.batches,
		BatchSize: r.cfg.BatchSize, Seed: r.cfg.Seed, RNGStep: uint32(r.step),
		Schedule: ScheduleState{
			Phase: ph.Index, LR: ph.LR, LRCode: ph.LRCode, GScale: ph.GScale,
			Starts: r.sched.Starts(r.total),
		},
		Recipe: r.cfg.Recipe, Model: r.cfg.Model, Extra: r.cfg.Extra,
		EpochSums: r.sums, History: r.history,
		TrainSeconds: r.seconds, Images: r.images,
		SavedAt: r.cfg.now().UTC(),
	}
	return r.ck.Save(r.step, state, meta)
}

// result does summarise the run so far.
func (r *run) result(train *data.Dataset) Result {
	cfg := r.cfg
	res := Result{
		TrainSeconds: r.seconds, Images: r.images, Steps: r.step,
		Backend: cfg.Backend, Adapter: cfg.Adapter, Recipe: cfg.Recipe, Model: cfg.Model,
		Dataset: train.Name, Epochs: cfg.Epochs, Batch: cfg.BatchSize, Seed: cfg.Seed,
		Resumed: r.resumed, Extra: cfg.Extra,
		History: append([]EpochMetrics{}, r.history...),
	}
	if r.seconds > 0 {
		res.ImagesPerSecond = float64(r.images) / r.seconds
	}
	if n := len(r.history); n > 0 {
		last := r.history[n-1]
		res.TestAccuracy, res.TestLoss = last.TestAccuracy, last.TestLoss
		res.TrainAccuracy, res.TrainLoss = last.TrainAccuracy, last.TrainLoss
	}
	return res
}
