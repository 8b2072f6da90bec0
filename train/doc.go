// Package train does run the training of a model: the learning-rate and
// g_scale schedule, the loop over epochs and batches, checkpoints that
// survive a crash, progress reporting and the run's metrics. The datasets
// and their seeded batches are in subpackage data.
//
// # Overview
//
// Run drives a Model (the network with its quantized optimizer, built from
// package nn) through Config.Epochs epochs:
//
//	ctx, stop := train.WithInterrupt(context.Background()) // Ctrl-C, SIGTERM
//	defer stop()
//	res, err := train.Run(ctx, train.Config{
//		Epochs: 10, BatchSize: 64, Seed: 1, OutDir: "runs/lenet5",
//		CheckpointEvery: 500, Progress: train.NewProgress(os.Stderr),
//	}, model, trainSet, testSet)
//
// Each step gets a StepInfo: the step number (also the Philox step counter of
// stochastic rounding, quant.RNGKey.Step), the position in the epoch and the
// schedule's Phase. The batch order is data.Sampler's: a pure function of
// (seed, epoch). After every epoch the model is evaluated on the test set and
// the epoch's EpochMetrics go to the Recorder: TensorBoard scalars, loss.png
// and accuracy.png, and at the end results.json (Result, accuracies as
// fractions). Progress draws a bar on a terminal and writes plain lines
// otherwise.
//
// Schedule places method.md A8's phases at fractions of the total step count:
// by default the learning rate and g_scale change at 50%, 70% and 90% of the
// steps, lr = 0.05·[1, 0.12, 0.06, 0.03] and g_scale = [128, 128, 32, 8], so
// a 2-epoch and a 100-epoch run have the same shape. Phase i starts at the
// step nearest Start_i·total.
//
// # Number format
//
// The learning rate reaches the update as a 10-bit code: lr_q =
// C_10(Q(lr, 10)) = LRCode·2^-9 (method.md B§2.8, computed by quant.Weight),
// so the default phases have codes 26, 3, 2 and 1 (26/512, 3/512, 2/512,
// 1/512). Phase.LR keeps the nominal value; Phase.LRQuantized gives lr_q.
// Losses and accuracies are float64 host numbers, reported only.
//
// # Checkpoints
//
// A checkpoint at step s is two files in the checkpoint folder
// (Config.CheckpointDir, default OutDir/checkpoints):
//
//	ckpt-<s>.safetensors   Model.State (package nn/statedict)
//	ckpt-<s>.json          Meta: position (epoch, batch), seed, Philox step
//	                       counter, schedule state, recipe, model, epoch sums,
//	                       history, format version, size and SHA-256 of the
//	                       tensor file
//
// Each is written atomically (temporary file, fsync, rename, fsync of the
// folder) and the JSON comes last, so a checkpoint exists only once it is
// complete. Checkpoint.Latest tries them from the newest down and skips, with
// a logged reason, any whose metadata does not parse or disagrees with its
// name, whose tensor file is missing, truncated or differs from its
// recorded SHA-256; a process killed in the middle of a save therefore never
// hides the previous checkpoint. Save keeps the newest Keep checkpoints.
//
// Run writes a checkpoint every Config.CheckpointEvery steps, at the end of
// each epoch, and when interrupted; when it starts and finds a usable
// checkpoint it resumes from it at the exact batch (Sampler.Epoch(ds,
// epoch).From(batch)), so that a deterministic model ends as an uninterrupted
// run would. A checkpoint whose position is an epoch's length marks an epoch
// trained but not yet evaluated.
//
// # Invariants
//
// Datasets and the Dict passed to Save are never modified. The position,
// the counters and the sums saved in a checkpoint are exactly those an
// uninterrupted run has at that step. Run reads the clock (Config.Now) only
// for reported times; nothing else depends on it.
//
// # Errors
//
// Errors start with "train: " and wrap a sentinel for errors.Is: ErrConfig
// (invalid settings or schedule), ErrNoCheckpoint (nothing to resume from),
// ErrCheckpoint (one broken checkpoint), ErrResume (a checkpoint of another
// run), ErrDiverged (a non-finite loss), ErrInterrupted (the context was
// cancelled; a checkpoint was written and the error also wraps the
// context's cause). Errors of the model, of package statedict and of the
// file system are wrapped with %w.
package train
