package train

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wageubn/wageubn/internal/atomicfile"
	"github.com/wageubn/wageubn/nn/statedict"
)

// MetaVersion is the format version of a checkpoint's metadata file. Latest
// rejects any other version.
const MetaVersion = 1

// Meta is the metadata of a checkpoint, stored as ckpt-<step>.json next to the
// tensors in ckpt-<step>.safetensors. It holds everything besides the model
// state that a run needs to continue exactly where it stopped.
type Meta struct {
	Version    int    `json:"version"`     // MetaVersion
	Step       int64  `json:"step"`        // steps completed
	TotalSteps int64  `json:"total_steps"` // steps of the whole run (epochs × batches per epoch)
	Epoch      int    `json:"epoch"`       // 0-based epoch of the next batch
	Batch      int    `json:"batch"`       // next batch within Epoch; the epoch's length means "evaluation pending"
	Batches    int    `json:"batches"`     // batches per epoch
	BatchSize  int    `json:"batch_size"`
	Seed       uint64 `json:"seed"`
	// RNGStep is the Philox step counter (quant.RNGKey.Step) of the next
	// step. The loop keys step s with RNGStep = uint32(s).
	RNGStep  uint32            `json:"rng_step"`
	Schedule ScheduleState     `json:"schedule"`
	Recipe   string            `json:"recipe,omitempty"`
	Model    string            `json:"model,omitempty"`
	Extra    map[string]string `json:"extra,omitempty"`

	EpochSums    EpochSums      `json:"epoch_sums"`        // training sums of the unfinished epoch
	History      []EpochMetrics `json:"history,omitempty"` // finished epochs
	TrainSeconds float64        `json:"train_seconds"`     // training time so far, over all resumes
	Images       int64          `json:"images"`            // images trained so far
	SavedAt      time.Time      `json:"saved_at,omitzero"` // wall time of the save
	Tensors      string         `json:"tensors"`           // base name of the safetensors file
	TensorsSize  int64          `json:"tensors_size"`      // its size in bytes
	TensorsHash  string         `json:"tensors_sha256"`    // its SHA-256, lower-case hex
}

// ScheduleState is the schedule's state at a checkpoint: the phase of the
// next step and the first step of every phase in this run.
type ScheduleState struct {
	Phase  int     `json:"phase"`
	LR     float64 `json:"lr"`
	LRCode int32   `json:"lr_code"`
	GScale int     `json:"g_scale"`
	Starts []int64 `json:"starts"`
}

// EpochSums are the running training sums of one epoch, kept in a checkpoint
// so that a resumed epoch reports the same loss and accuracy as an
// uninterrupted one.
type EpochSums struct {
	LossSum float64 `json:"loss_sum"` // Σ batch loss × batch size
	Correct int64   `json:"correct"`
	Seen    int64   `json:"seen"`
	Seconds float64 `json:"seconds"` // training time of the epoch so far
}

// Checkpoint does save and find the checkpoints of one run in folder Dir.
// A checkpoint is a pair of files,
//
//	ckpt-<step>.safetensors   the model state (package nn/statedict)
//	ckpt-<step>.json          Meta, written last
//
// each written atomically (temporary file, fsync, rename; package
// internal/atomicfile). The folder belongs to one run at a time.
type Checkpoint struct {
	Dir string
	// Keep is how many checkpoints Save keeps: after a save, the Keep-1
	// newest older checkpoints stay and the rest are removed. Keep <= 0
	// keeps all.
	Keep int
	// Logf receives one line for every checkpoint Latest skips, with the
	// reason. nil means log.Printf.
	Logf func(format string, args ...any)
}

const (
	ckptPrefix = "ckpt-"
	extTensors = ".safetensors"
	extMeta    = ".json"
)

func ckptName(step int64, ext string) string {
	return ckptPrefix + strconv.FormatInt(step, 10) + ext
}

func (c Checkpoint) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// Save does write checkpoint step: state to ckpt-<step>.safetensors, then
// meta (with Version, Step, Tensors, TensorsSize, TensorsHash and, when zero,
// SavedAt filled in) to ckpt-<step>.json. Both writes are atomic and the JSON
// comes last, so a checkpoint exists only once it is complete; a process
// killed midway leaves at most a tensor file without metadata (or a temporary
// file), which Latest ignores, and every earlier checkpoint intact. Then it
// prunes to Keep checkpoints. state is not modified.
//
// Errors: ErrConfig for a negative step or an empty Dir; statedict's errors
// for an invalid state; I/O errors, prefixed "train: ".
func (c Checkpoint) Save(step int64, state statedict.Dict, meta Meta) error {
	if c.Dir == "" {
		return fmt.Errorf("%w: checkpoint folder not set", ErrConfig)
	}
	if step < 0 {
		return fmt.Errorf("%w: checkpoint step %d is negative", ErrConfig, step)
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return fmt.Errorf("train: checkpoint folder: %w", err)
	}
	tpath := filepath.Join(c.Dir, ckptName(step, extTensors))
	if err := statedict.SaveSafetensors(tpath, state); err != nil {
		return fmt.Errorf("train: saving checkpoint %d: %w", step, err)
	}
	size, hash, err := fileDigest(tpath)
	if err != nil {
		return fmt.Errorf("train: saving checkpoint %d: %w", step, err)
	}
	meta.Version = MetaVersion
	meta.Step = step
	meta.Tensors = filepath.Base(tpath)
	meta.TensorsSize = size
	meta.TensorsHash = hash
	if meta.SavedAt.IsZero() {
		meta.SavedAt = time.Now().UTC()
	}
	js, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return fmt.Errorf("train: saving checkpoint %d: %w", step, err)
	}
	if err := atomicfile.WriteFile(filepath.Join(c.Dir, ckptName(step, extMeta)), append(js, '\n'), 0o644); err != nil {
		return fmt.Errorf("train: saving checkpoint %d: %w", step, err)
	}
	return c.prune(step)
}

// fileDigest does return the size and the SHA-256 (lower-case hex) of the
// file at path.
func fileDigest(path string) (int64, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, "", err
	}
	sum := sha256.Sum256(b)
	return int64(len(b)), hex.EncodeToString(sum[:]), nil
}

// listing is what a checkpoint folder holds, by step.
type listing struct {
	meta    []int64  // steps with a ckpt-<step>.json, newest first
	tensors []int64  // steps with a ckpt-<step>.safetensors, newest first
	temps   []string // leftover temporary files of interrupted saves
}

// list does read c.Dir; a missing folder is an empty listing.
func (c Checkpoint) list() (listing, error) {
	var l listing
	entries, err := os.ReadDir(c.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("train: reading checkpoint folder: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, "."+ckptPrefix) && strings.Contains(name, ".tmp-") {
			l.temps = append(l.temps, name)
			continue
		}
		if !e.Type().IsRegular() || !strings.HasPrefix(name, ckptPrefix) {
			continue
		}
		ext := filepath.Ext(name)
		step, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(name, ckptPrefix), ext), 10, 64)
		if err != nil || step < 0 || name != ckptName(step, ext) {
			continue // not one of ours, e.g. ckpt-007.json or ckpt-x.json
		}
		switch ext {
		case extMeta:
			l.meta = append(l.meta, step)
		case extTensors:
			l.tensors = append(l.tensors, step)
		}
	}
	desc := func(a, b int64) int { return cmp.Compare(b, a) }
	slices.SortFunc(l.meta, desc)
	slices.SortFunc(l.tensors, desc)
	return l, nil
}

// prune does remove, after checkpoint saved was written: the checkpoints
// older than the Keep-1 newest older ones (metadata first, so that a prune
// cut short leaves a partial checkpoint, never a corrupt-looking complete
// one), tensor files without metadata older than saved, and leftover
// temporary files. Checkpoints newer than saved are left alone.
func (c Checkpoint) prune(saved int64) error {
	l, err := c.list()
	if err != nil {
		return err
	}
	var errs []error
	rm := func(name string) {
		if err := os.Remove(filepath.Join(c.Dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	complete := map[int64]bool{}
	older := 0
	for _, s := range l.meta {
		complete[s] = true
		if s >= saved {
			continue
		}
		older++
		if c.Keep > 0 && older >= c.Keep {
			rm(ckptName(s, extMeta))
			rm(ckptName(s, extTensors))
			complete[s] = false
		}
	}
	for _, s := range l.tensors {
		if s < saved && !complete[s] {
			rm(ckptName(s, extTensors))
		}
	}
	for _, name := range l.temps {
		rm(name)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("train: pruning checkpoints: %w", err)
	}
	return nil
}

// Latest does return the newest usable checkpoint of c.Dir: its metadata and
// its state. Checkpoints are tried from the highest step down; one is skipped,
// with its reason passed to Logf, when its JSON does not parse, has another
// Version, or names another step or tensor file, or when its tensor file is
// missing, of the wrong size, has another SHA-256 or does not load. A tensor
// file without metadata is an unfinished save and is not a checkpoint.
//
// Errors: ErrNoCheckpoint when nothing is usable (a missing or empty folder
// included); its message lists the reasons. I/O errors on the folder itself
// are returned as they are, prefixed "train: ".
func (c Checkpoint) Latest() (Meta, statedict.Dict, error) {
	l, err := c.list()
	if err != nil {
		return Meta{}, statedict.Dict{}, err
	}
	var reasons []error
	for _, step := range l.meta {
		meta, d, err := c.load(step)
		if err == nil {
			return meta, d, nil
		}
		c.logf("train: skipping checkpoint %d in %s: %v", step, c.Dir, err)
		reasons = append(reasons, err)
	}
	if len(reasons) == 0 {
		return Meta{}, statedict.Dict{}, fmt.Errorf("%w in %s", ErrNoCheckpoint, c.Dir)
	}
	return Meta{}, statedict.Dict{}, fmt.Errorf("%w in %s: %w", ErrNoCheckpoint, c.Dir, errors.Join(reasons...))
}

// Load does read and verify checkpoint step, as Latest does for each
// candidate. Errors wrap ErrCheckpoint.
func (c Checkpoint) Load(step int64) (Meta, statedict.Dict, error) {
	return c.load(step)
}

func (c Checkpoint) load(step int64) (Meta, statedict.Dict, error) {
	bad := func(format string, args ...any) (Meta, statedict.Dict, error) {
		return Meta{}, statedict.Dict{}, fmt.Errorf("%w %d: %s", ErrCheckpoint, step, fmt.Sprintf(format, args...))
	}
	mpath := filepath.Join(c.Dir, ckptName(step, extMeta))
	js, err := os.ReadFile(mpath)
	if err != nil {
		return bad("%v", err)
	}
	var meta Meta
	if err := json.Unmarshal(js, &meta); err != nil {
		return bad("metadata %s: %v", filepath.Base(mpath), err)
	}
	want := ckptName(step, extTensors)
	switch {
	case meta.Version != MetaVersion:
		return bad("metadata version %d, want %d", meta.Version, MetaVersion)
	case meta.Step != step:
		return bad("metadata says step %d", meta.Step)
	case meta.Tensors != want:
		return bad("metadata names tensor file %q, want %q", meta.Tensors, want)
	}
	tpath := filepath.Join(c.Dir, want)
	size, hash, err := fileDigest(tpath)
	switch {
	case err != nil:
		return bad("%v", err)
	case size != meta.TensorsSize:
		return bad("%s holds %d bytes, metadata says %d (truncated?)", want, size, meta.TensorsSize)
	case hash != meta.TensorsHash:
		return bad("%s has SHA-256 %s, metadata says %s (corrupt)", want, hash, meta.TensorsHash)
	}
	d, err := statedict.LoadSafetensors(tpath)
	if err != nil {
		return bad("%v", err)
	}
	return meta, d, nil
}
