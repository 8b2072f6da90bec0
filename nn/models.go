package nn

import (
	"fmt"

	"github.com/wageubn/wageubn/gpu"
)

// builder appends layers to a List, keeping the first error.
type builder struct {
	dev    *gpu.Device
	l      *List
	seed   uint64
	cfg    Config // inner layers
	edge   Config // first conv and last fc (float32 under WAGEUBN)
	err    error
	recipe Recipe
}

func newBuilder(dev *gpu.Device, recipe Recipe, seed uint64) *builder {
	b := &builder{dev: dev, l: &List{}, seed: seed, recipe: recipe}
	b.cfg, b.err = recipe.Config()
	b.edge = b.cfg
	if recipe.Edge() {
		b.edge.Quant = false // [OFF]: first conv and last fc in float32
	}
	return b
}

// add appends m (made by a constructor that returned err) reading inputs.
func add[M Module](b *builder, m M, err error, inputs ...string) {
	if b.err != nil {
		return
	}
	if err != nil {
		b.err = err
		return
	}
	b.err = b.l.Add(m, inputs...)
}

func (b *builder) conv(name string, cfg Config, in, out, k, stride, pad int, inputs ...string) {
	if b.err != nil {
		return
	}
	m, err := NewConv2d(b.dev, name, cfg, in, out, k, ConvOptions{Stride: stride, Padding: pad, Groups: 1}, b.seed)
	add(b, m, err, inputs...)
}

func (b *builder) linear(name string, cfg Config, in, out int, bias bool) {
	if b.err != nil {
		return
	}
	m, err := NewLinear(b.dev, name, cfg, in, out, bias, b.seed)
	add(b, m, err)
}

func (b *builder) bn2d(name string, c int) {
	if b.err != nil {
		return
	}
	m, err := NewBatchNorm2d(b.dev, name, b.cfg, c)
	add(b, m, err)
}

func (b *builder) bn1d(name string, c int) {
	if b.err != nil {
		return
	}
	m, err := NewBatchNorm1d(b.dev, name, b.cfg, c)
	add(b, m, err)
}

func (b *builder) relu(name string) {
	if b.err != nil {
		return
	}
	m, err := NewReLU(name, b.cfg)
	add(b, m, err)
}

func (b *builder) maxpool(name string, k int) {
	if b.err != nil {
		return
	}
	m, err := NewMaxPool2d(name, k, k, 0)
	add(b, m, err)
}

func (b *builder) flatten(name string) {
	if b.err != nil {
		return
	}
	m, err := NewFlatten(name)
	add(b, m, err)
}

func (b *builder) done(model string) (*List, error) {
	if b.err != nil {
		return nil, fmt.Errorf("nn: building %s (recipe %s): %w", model, b.recipe, b.err)
	}
	return b.l, nil
}

// LeNet5 builds LeNet-5-BN of method.md A14 for 1×28×28 inputs under
// recipe (Recipe.Config on every layer; Recipe.Edge keeps conv1 and fc3
// float32), with weights drawn from seed:
//
//	conv1 1->6 5x5 pad 2, bn1, relu1, pool1 (max 2)
//	conv2 6->16 5x5,      bn2, relu2, pool2 (max 2)
//	flatten, fc1 400->120, bn3 (BatchNorm1d), relu3
//	fc2 120->84, bn4 (BatchNorm1d), relu4, fc3 84->10 with bias
//
// and no other biases. The layer names are the PyTorch module names, so
// the state dict keys are conv1.weight, bn1.running_mean, fc3.bias, ...
func LeNet5(dev *gpu.Device, recipe Recipe, seed uint64) (*List, error) {
	b := newBuilder(dev, recipe, seed)
	b.conv("conv1", b.edge, 1, 6, 5, 1, 2)
	b.bn2d("bn1", 6)
	b.relu("relu1")
	b.maxpool("pool1", 2)
	b.conv("conv2", b.cfg, 6, 16, 5, 1, 0)
	b.bn2d("bn2", 16)
	b.relu("relu2")
	b.maxpool("pool2", 2)
	b.flatten("flatten")
	b.linear("fc1", b.cfg, 400, 120, false)
	b.bn1d("bn3", 120)
	b.relu("relu3")
	b.linear("fc2", b.cfg, 120, 84, false)
	b.bn1d("bn4", 84)
	b.relu("relu4")
	b.linear("fc3", b.edge, 84, 10, true)
	return b.done("lenet5")
}

// ResNet20 builds the CIFAR ResNet-20 (He et al. 2016, 3×32×32 inputs)
// under recipe, weights drawn from seed:
//
//	conv1 3->16 3x3 pad 1, bn1, relu
//	layer1..layer3: 3 BasicBlocks each, 16, 32, 64 channels, the first
//	block of layer2 and layer3 with stride 2
//	avgpool (global), flatten, fc 64->10 with bias
//
// A BasicBlock layerX.Y is conv1 (3x3, stride s), bn1, relu1, conv2 (3x3),
// bn2, the residual add of bn2 and the shortcut, relu2; the shortcut is the
// block input, or where the shape changes the projection
// downsample.0 (1x1 conv, stride s) and downsample.1 (BN), so that the keys
// are those of torchvision-style CIFAR ResNets (layer2.0.downsample.0.weight).
// Convolutions have no bias.
func ResNet20(dev *gpu.Device, recipe Recipe, seed uint64) (*List, error) {
	b := newBuilder(dev, recipe, seed)
	b.conv("conv1", b.edge, 3, 16, 3, 1, 1)
	b.bn2d("bn1", 16)
	b.relu("relu")
	prev, in := "relu", 16
	for stage, planes := range []int{16, 32, 64} {
		for blk := range 3 {
			stride := 1
			if stage > 0 && blk == 0 {
				stride = 2
			}
			p := fmt.Sprintf("layer%d.%d.", stage+1, blk)
			b.conv(p+"conv1", b.cfg, in, planes, 3, stride, 1, prev)
			b.bn2d(p+"bn1", planes)
			b.relu(p + "relu1")
			b.conv(p+"conv2", b.cfg, planes, planes, 3, 1, 1)
			b.bn2d(p+"bn2", planes)
			short := prev
			if stride != 1 || in != planes {
				b.conv(p+"downsample.0", b.cfg, in, planes, 1, stride, 0, prev)
				b.bn2d(p+"downsample.1", planes)
				short = p + "downsample.1"
			}
			if b.err == nil {
				m, err := NewAdd(p+"add", b.cfg)
				add(b, m, err, p+"bn2", short)
			}
			b.relu(p + "relu2")
			prev, in = p+"relu2", planes
		}
	}
	if b.err == nil {
		m, err := NewGlobalAvgPool("avgpool")
		add(b, m, err)
	}
	b.flatten("flatten")
	b.linear("fc", b.edge, 64, 10, true)
	return b.done("resnet20")
}

// VGG7 builds the CIFAR model of WAGE/WAGEUBN (3×32×32 inputs) under
// recipe, weights drawn from seed:
//
//	conv1 3->128, conv2 128->128, pool1; conv3 128->256, conv4 256->256,
//	pool2; conv5 256->512, conv6 512->512, pool3 (every conv 3x3 pad 1
//	without bias, followed by bnK and reluK; pools max 2)
//	flatten, fc1 8192->1024 (no bias), bn7 (BatchNorm1d), relu7,
//	fc2 1024->10 with bias
func VGG7(dev *gpu.Device, recipe Recipe, seed uint64) (*List, error) {
	b := newBuilder(dev, recipe, seed)
	in := 3
	for i, out := range []int{128, 128, 256, 256, 512, 512} {
		cfg := b.cfg
		if i == 0 {
			cfg = b.edge
		}
		k := i + 1
		b.conv(fmt.Sprintf("conv%d", k), cfg, in, out, 3, 1, 1)
		b.bn2d(fmt.Sprintf("bn%d", k), out)
		b.relu(fmt.Sprintf("relu%d", k))
		if k%2 == 0 {
			b.maxpool(fmt.Sprintf("pool%d", k/2), 2)
		}
		in = out
	}
	b.flatten("flatten")
	b.linear("fc1", b.cfg, 512*4*4, 1024, false)
	b.bn1d("bn7", 1024)
	b.relu("relu7")
	b.linear("fc2", b.edge, 1024, 10, true)
	return b.done("vgg7")
}

// Models maps the model names of cmd/wgtrain to their builders.
var Models = map[string]func(dev *gpu.Device, recipe Recipe, seed uint64) (*List, error){
	"lenet5":   LeNet5,
	"resnet20": ResNet20,
	"vgg7":     VGG7,
}
