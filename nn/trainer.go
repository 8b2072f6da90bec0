package nn

import (
	"fmt"
	"math"
	"strings"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn/statedict"
	"github.com/wageubn/wageubn/train"
	"github.com/wageubn/wageubn/train/data"
)

// PixelExp is the exponent of the network's input pixels: U8 codes
// pixel/256 (method.md A5).
const PixelExp = -8

// Step records one training step of net on a fresh recorder of the
// pixels' device and submits it once: Forward (p.Train set), the softmax
// cross-entropy of the logits (integer for I32 codes, see lossGrad; float32
// for F32), Backward of the loss
// gradient, opt's update of every trainable parameter; then it reads back
// the logits and the number of correct samples. pixels: U8 [N, C, H, W]
// with exponent PixelExp; labels: U32 [N]. p carries Seed, Step and GScale
// (p.R is replaced).
//
// It returns the mean loss over the batch, computed on the host in float64
// from the logits (code·2^exp): the logits are the same on every backend
// whenever the integer network is, so the reported loss is too.
func Step(net *List, opt *Optimizer, pixels, labels *gpu.Tensor, p Pass) (loss float64, correct int, err error) {
	r := pixels.Device().Record()
	p.R, p.Train = r, true
	logits := net.Forward(&p, pixels)
	grad, count, release := lossGrad(r, logits, labels)
	defer release()
	net.Backward(&p, grad)
	opt.Step(&p, net)
	return readLoss(r, logits, labels, count)
}

// lossGrad records the softmax cross-entropy of the logits and returns its
// gradient, the tensor of the correct count, and the release of both.
// Integer logits (I32 codes with a fixed exponent) take the integer
// softmax (gpu.SoftmaxXentInt), whose gradient is the same integers on
// every backend, so E2 after it and the whole backward pass are too; float
// logits take the float32 softmax.
func lossGrad(r *gpu.Recorder, logits, labels *gpu.Tensor) (grad, correct *gpu.Tensor, release func()) {
	if logits != nil && logits.DType() == gpu.I32 && logits.Scale == nil {
		x := r.SoftmaxXentInt(logits, labels)
		return x.Grad, x.Correct, x.Release
	}
	x := r.SoftmaxXent(logits, labels)
	return x.Grad, x.Correct, x.Release
}

// readLoss submits r and reads back the logits and the correct count; it
// returns the mean cross-entropy of the logits (host, float64).
func readLoss(r *gpu.Recorder, logits, labels, correct *gpu.Tensor) (float64, int, error) {
	if err := r.Submit(); err != nil {
		return 0, 0, err
	}
	c, err := correct.DownloadU32()
	if err != nil {
		return 0, 0, err
	}
	lb, err := labels.DownloadU32()
	if err != nil {
		return 0, 0, err
	}
	z, err := logitValues(logits)
	if err != nil {
		return 0, 0, err
	}
	return meanXent(z, lb, logits.Shape()[1]), int(c[0]), nil
}

// logitValues downloads logits (I32 codes with exponent, no Scale, or F32)
// as float64 values.
func logitValues(t *gpu.Tensor) ([]float64, error) {
	if t.DType() == gpu.F32 {
		f, err := t.DownloadF32()
		if err != nil {
			return nil, err
		}
		out := make([]float64, len(f))
		for i, v := range f {
			out[i] = float64(v)
		}
		return out, nil
	}
	c, err := t.DownloadI32()
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(c))
	for i, v := range c {
		out[i] = math.Ldexp(float64(v), t.Exp)
	}
	return out, nil
}

// meanXent is the mean softmax cross-entropy of logits z [N, k] against
// labels, in float64 (log Σ exp(z - max z) - (z_y - max z)); a label >= k
// counts 0 and still divides, as SoftmaxXent.
func meanXent(z []float64, labels []uint32, k int) float64 {
	n := len(labels)
	var sum float64
	for s, y := range labels {
		if int(y) >= k {
			continue
		}
		row := z[s*k : (s+1)*k]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		var e float64
		for _, v := range row {
			e += math.Exp(v - mx)
		}
		sum += math.Log(e) - (row[y] - mx)
	}
	return sum / float64(n)
}

// Evaluate runs net in evaluation mode (Pass.Train false: BN uses its
// running statistics; nothing the state dict holds changes) over ds in
// batches of batch samples, in order, and returns the mean loss and the
// accuracy (a fraction).
func Evaluate(dev *gpu.Device, net *List, ds *data.Dataset, batch int) (loss, accuracy float64, err error) {
	if err := ds.Validate(); err != nil {
		return 0, 0, err
	}
	if batch < 1 {
		return 0, 0, fmt.Errorf("%w: evaluation batch %d", ErrConfig, batch)
	}
	if ds.N == 0 {
		return 0, 0, fmt.Errorf("%w: dataset %s is empty", ErrConfig, ds.Name)
	}
	ss := ds.SampleSize()
	var lossSum float64
	var correct int
	for lo := 0; lo < ds.N; lo += batch {
		n := min(batch, ds.N-lo)
		px, lb, err := upload(dev, ds.Pixels[lo*ss:(lo+n)*ss], ds.Labels[lo:lo+n], n, ds.C, ds.H, ds.W)
		if err != nil {
			return 0, 0, err
		}
		r := dev.Record()
		p := Pass{R: r}
		logits := net.Forward(&p, px)
		_, count, release := lossGrad(r, logits, lb)
		l, c, err := readLoss(r, logits, lb, count)
		release()
		px.Release()
		lb.Release()
		if err != nil {
			return 0, 0, err
		}
		lossSum += l * float64(n)
		correct += c
	}
	return lossSum / float64(ds.N), float64(correct) / float64(ds.N), nil
}

// upload copies a batch to the device: pixels U8 [n, c, h, w] exponent
// PixelExp, labels U32 [n].
func upload(dev *gpu.Device, pixels, labels []uint8, n, c, h, w int) (px, lb *gpu.Tensor, err error) {
	px, err = dev.UploadU8([]int{n, c, h, w}, PixelExp, pixels)
	if err != nil {
		return nil, nil, err
	}
	l32 := make([]uint32, n)
	for i, v := range labels[:n] {
		l32[i] = uint32(v)
	}
	if lb, err = dev.UploadU32([]int{n}, 0, l32); err != nil {
		px.Release()
		return nil, nil, err
	}
	return px, lb, nil
}

// Model is a network with its optimizer, the [train.Model] that train.Run
// drives: Step uploads the batch and runs [Step] with the phase's
// learning-rate code (integer masters), nominal learning rate (float ones)
// and g_scale, keyed for stochastic rounding by (StepInfo.Seed,
// StepInfo.RNGStep); Evaluate runs [Evaluate]; State and LoadState save and
// restore everything a resumed run needs.
type Model struct {
	Dev *gpu.Device
	Net *List
	Opt *Optimizer
	// EvalBatch is the batch size of Evaluate (default 256).
	EvalBatch int
}

var _ train.Model = (*Model)(nil)

// NewModel returns the Model of net on dev with a fresh optimizer.
func NewModel(dev *gpu.Device, net *List) *Model {
	return &Model{Dev: dev, Net: net, Opt: NewOptimizer(0, 0), EvalBatch: 256}
}

// Step implements train.Model.
func (m *Model) Step(b *data.Batch, s train.StepInfo) (loss float64, correct int, err error) {
	px, lb, err := upload(m.Dev, b.Pixels, b.Labels, b.N, b.C, b.H, b.W)
	if err != nil {
		return 0, 0, err
	}
	defer px.Release()
	defer lb.Release()
	m.Opt.LRCode, m.Opt.LR = int(s.Phase.LRCode), float32(s.Phase.LR)
	return Step(m.Net, m.Opt, px, lb, Pass{Seed: s.Seed, Step: s.RNGStep, GScale: s.Phase.GScale})
}

// Evaluate implements train.Model.
func (m *Model) Evaluate(ds *data.Dataset) (loss, accuracy float64, err error) {
	batch := m.EvalBatch
	if batch < 1 {
		batch = 256
	}
	return Evaluate(m.Dev, m.Net, ds, batch)
}

// Optimizer-state keys of Model.State: the network's state dict (exact
// codes, List.StateDict) plus, for every parameter with an optimizer slot,
// key+MomentumSuffix (and key+AdamVSuffix for Adam's second moment), and
// AdamStepsKey.
const (
	MomentumSuffix = ".momentum"
	AdamVSuffix    = ".adam_v"
	AdamStepsKey   = "optimizer.adam_steps"
)

func isOptimKey(k string) bool {
	return strings.HasSuffix(k, MomentumSuffix) || strings.HasSuffix(k, AdamVSuffix) || k == AdamStepsKey
}

// State implements train.Model: the exact state dict of the network and
// the optimizer state (momentum codes with their exponent, Adam moments
// and step count).
func (m *Model) State() (statedict.Dict, error) {
	d, err := m.Net.StateDict()
	if err != nil {
		return d, err
	}
	add := func(key string, t *gpu.Tensor, shape []int) error {
		st, exp, err := downloadState(t, shape)
		if err != nil {
			return fmt.Errorf("%w: downloading %s: %w", ErrState, key, err)
		}
		d.Set(key, st)
		if exp {
			d.SetExp(key, t.Exp)
		}
		return nil
	}
	for _, p := range m.Net.Params() {
		if p.Momentum != nil {
			if err := add(p.Key+MomentumSuffix, p.Momentum, p.Shape); err != nil {
				return statedict.Dict{}, err
			}
		}
		if v := m.Opt.adamV[p.Param]; v != nil {
			if err := add(p.Key+AdamVSuffix, v, p.Shape); err != nil {
				return statedict.Dict{}, err
			}
		}
	}
	steps, err := statedict.FromInt64([]int{1}, []int64{int64(m.Opt.adamSteps)})
	if err != nil {
		return statedict.Dict{}, err
	}
	d.Set(AdamStepsKey, steps)
	return d, nil
}

// LoadState implements train.Model: it loads the network part strictly
// (List.LoadStateDict) and restores the optimizer slots exactly; a slot
// that the state does not hold is zeroed (the value a lazily allocated
// slot starts at), as in the run that saved it.
func (m *Model) LoadState(d statedict.Dict) error {
	var net statedict.Dict
	for _, k := range d.Keys {
		if isOptimKey(k) {
			continue
		}
		net.Set(k, d.Tensors[k])
		if e, ok := d.Metadata[k+statedict.ExpSuffix]; ok {
			if net.Metadata == nil {
				net.Metadata = map[string]string{}
			}
			net.Metadata[k+statedict.ExpSuffix] = e
		}
	}
	// Unset TQT thresholds that the checkpoint holds are placed first, so
	// that their optimizer slots are known and restored.
	undo, err := m.Net.placeThresholds(net)
	if err != nil {
		return err
	}
	params := m.Net.Params()
	known := map[string]bool{AdamStepsKey: true}
	for _, p := range params {
		known[p.Key+MomentumSuffix], known[p.Key+AdamVSuffix] = true, true
	}
	for _, k := range d.Keys {
		if isOptimKey(k) && !known[k] {
			undo()
			return fmt.Errorf("%w: unexpected optimizer state %q", ErrState, k)
		}
	}
	if _, err := m.Net.LoadStateDict(net, true); err != nil {
		undo()
		return err
	}
	for _, p := range params {
		slot := func(key string, cur *gpu.Tensor) (*gpu.Tensor, error) {
			if _, ok := d.Tensors[key]; !ok {
				if cur == nil {
					return nil, nil
				}
				// Not saved: zero, what a lazily allocated slot starts
				// at (layers that allocate their slots keep one).
				t, err := zerosLike(cur)
				if err != nil {
					return nil, err
				}
				cur.Release()
				return t, nil
			}
			proto := cur
			if proto == nil {
				var err error
				if isIntegerMaster(p.Value) {
					proto, err = m.Dev.Empty(gpu.I32, p.Value.Shape(), gpu.ExpMomentum)
				} else {
					proto, err = m.Dev.Empty(gpu.F32, p.Value.Shape(), 0)
				}
				if err != nil {
					return nil, err
				}
				defer proto.Release()
			}
			t, err := convertState(NamedParam{Key: key, Param: &Param{Name: key, Shape: p.Shape, Value: proto}}, d.Tensors[key], d)
			if err != nil {
				return nil, fmt.Errorf("%w: loading %s: %w", ErrState, key, err)
			}
			cur.Release()
			return t, nil
		}
		var err error
		if p.Momentum, err = slot(p.Key+MomentumSuffix, p.Momentum); err != nil {
			return err
		}
		v, err := slot(p.Key+AdamVSuffix, m.Opt.adamV[p.Param])
		if err != nil {
			return err
		}
		if v == nil {
			delete(m.Opt.adamV, p.Param)
		} else {
			if m.Opt.adamV == nil {
				m.Opt.adamV = map[*Param]*gpu.Tensor{}
			}
			m.Opt.adamV[p.Param] = v
		}
	}
	m.Opt.adamSteps = 0
	if st, ok := d.Tensors[AdamStepsKey]; ok {
		s, err := st.Int64s()
		if err != nil || len(s) != 1 || s[0] < 0 || s[0] > math.MaxInt32 {
			return fmt.Errorf("%w: %s: %v", ErrState, AdamStepsKey, err)
		}
		m.Opt.adamSteps = int(s[0])
	}
	return nil
}

// zerosLike returns a zeroed tensor of t's dtype, shape and exponent.
func zerosLike(t *gpu.Tensor) (*gpu.Tensor, error) {
	return t.Device().UploadWords(t.DType(), t.Shape(), t.Exp, make([]uint32, t.Words()))
}
