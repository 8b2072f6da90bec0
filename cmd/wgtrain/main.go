// Command wgtrain trains a model with the integer WAGEUBN arithmetic of
// wageubn-go (default: LeNet-5-BN on MNIST with the full8 recipe, 2 epochs)
// and reports where its outputs went.
//
// Usage:
//
//	wgtrain [-model lenet5|resnet20|vgg7] [-data mnist|fashion|cifar10]
//	        [-data-dir DIR] [-recipe full8|full8plus|wageubn|float|pytorch]
//	        [-epochs 2] [-batch 64] [-lr LR] [-seed 1]
//	        [-backend auto|webgpu|cpu] [-out DIR] [-json FILE] [-resume]
//	        [-checkpoint-every N]
//
// For example, LeNet-5 on MNIST (found in the Go module cache, see
// data.DefaultMNISTDir), and ResNet-20 on CIFAR-10 (-data defaults to
// cifar10 for the CIFAR models):
//
//	go run ./cmd/wgtrain -epochs 2
//	go run ./cmd/wgtrain -model resnet20 -data-dir ~/data/cifar-10-batches-bin
//
// The run goes through train.Run: the learning-rate and g_scale phases of
// method.md A8 at 50%, 70% and 90% of the steps (lr 0.05·[1, 0.12, 0.06,
// 0.03]; -lr sets the first phase's rate and the later phases keep their
// ratios), a checkpoint at the end of every epoch (and every
// -checkpoint-every steps) in OUT/checkpoints, TensorBoard events, loss.png,
// accuracy.png and results.json in OUT, and at the end the trained
// network's state dict: OUT/model.safetensors (exact integer codes with
// their exponents) and OUT/model_float.safetensors (float32, PyTorch's
// keys). OUT defaults to ./runs/<model>-<recipe>-<time>.
//
// -resume continues the run whose checkpoints are in -out (which must then
// be given); without it a folder that already holds a checkpoint is refused.
// Ctrl-C (or SIGTERM) finishes the step in flight, writes a checkpoint and
// exits with status 130; run the same command with -resume to continue.
//
// Exit status: 0 on success, 2 for bad flags or a missing dataset, 130 when
// interrupted, 1 for any other failure.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/wageubn/wageubn/gpu"
	"github.com/wageubn/wageubn/nn"
	"github.com/wageubn/wageubn/nn/statedict"
	"github.com/wageubn/wageubn/train"
	"github.com/wageubn/wageubn/train/data"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

var (
	modelNames   = []string{"lenet5", "resnet20", "vgg7"}
	datasetNames = []string{"mnist", "fashion", "cifar10"}
	backendNames = []string{"auto", "webgpu", "cpu"}
)

// config is the parsed command line.
type config struct {
	model, dataset, dataDir string
	recipe                  nn.Recipe
	epochs, batch           int
	lr                      float64
	seed                    uint64
	backend                 gpu.Backend
	out, jsonPath           string
	resume                  bool
	checkpointEvery         int64
	synthetic               int // hidden: random data of the dataset's shape, for tests
}

// interrupt gives the run's context: cancelled by Ctrl-C and SIGTERM (tests
// replace it).
var interrupt = train.WithInterrupt

// hidden flags are left out of the usage text.
var hidden = map[string]bool{"synthetic": true}

func parseFlags(args []string, stderr io.Writer) (config, int) {
	var cfg config
	fs := flag.NewFlagSet("wgtrain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.model, "model", "lenet5", "model: "+strings.Join(modelNames, "|"))
	fs.StringVar(&cfg.dataset, "data", "mnist", "dataset: "+strings.Join(datasetNames, "|")+" (lenet5: mnist or fashion; resnet20, vgg7: cifar10, their default)")
	fs.StringVar(&cfg.dataDir, "data-dir", "", "dataset folder (default: mnist from the Go module cache, fashion from /usr/share/datasets/fashion-mnist, cifar10 from the current folder)")
	recipe := fs.String("recipe", string(nn.Full8), "recipe: "+recipeList())
	fs.IntVar(&cfg.epochs, "epochs", 2, "passes over the training set")
	fs.IntVar(&cfg.batch, "batch", 64, "samples per batch")
	fs.Float64Var(&cfg.lr, "lr", 0, "learning rate of the first phase; later phases keep their ratios 0.12, 0.06, 0.03 (default 0.05)")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the weights, the batch order and stochastic rounding")
	backend := fs.String("backend", "auto", "backend: "+strings.Join(backendNames, "|")+" (auto: WebGPU if an adapter exists, else CPU)")
	fs.StringVar(&cfg.out, "out", "", "output `DIR` (default ./runs/<model>-<recipe>-<time>)")
	fs.StringVar(&cfg.jsonPath, "json", "", "also write the run's results as JSON to `FILE`")
	fs.BoolVar(&cfg.resume, "resume", false, "continue the run whose checkpoints are in -out")
	fs.Int64Var(&cfg.checkpointEvery, "checkpoint-every", 0, "steps between checkpoints within an epoch (0: at the end of each epoch only)")
	fs.IntVar(&cfg.synthetic, "synthetic", 0, "use N random training samples (and N/4+1 test samples) of the dataset's shape instead of reading it")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: wgtrain [flags]\n\nwgtrain trains a model with WAGEUBN's integer arithmetic (see go doc ./cmd/wgtrain).\n\nflags:\n")
		show := flag.NewFlagSet("wgtrain", flag.ContinueOnError)
		show.SetOutput(stderr)
		fs.VisitAll(func(f *flag.Flag) {
			if !hidden[f.Name] {
				show.Var(f.Value, f.Name, f.Usage)
			}
		})
		show.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, 0
		}
		return cfg, 2
	}
	bad := func(format string, a ...any) (config, int) {
		fmt.Fprintf(stderr, "wgtrain: "+format+"\n", a...)
		fmt.Fprintf(stderr, "run wgtrain -help for the flags\n")
		return cfg, 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["data"] && cfg.model != "lenet5" {
		cfg.dataset = "cifar10" // the CIFAR models' default
	}
	switch {
	case fs.NArg() > 0:
		return bad("unexpected arguments %q", fs.Args())
	case !slices.Contains(modelNames, cfg.model):
		return bad("-model %q: want one of %s", cfg.model, strings.Join(modelNames, ", "))
	case !slices.Contains(datasetNames, cfg.dataset):
		return bad("-data %q: want one of %s", cfg.dataset, strings.Join(datasetNames, ", "))
	case !slices.Contains(nn.Recipes, nn.Recipe(*recipe)):
		return bad("-recipe %q: want one of %s", *recipe, recipeList())
	case !slices.Contains(backendNames, *backend):
		return bad("-backend %q: want one of %s", *backend, strings.Join(backendNames, ", "))
	case cfg.epochs < 1:
		return bad("-epochs %d: want 1 or more", cfg.epochs)
	case cfg.batch < 1:
		return bad("-batch %d: want 1 or more", cfg.batch)
	case set["lr"] && !(cfg.lr > 0 && cfg.lr < 1):
		return bad("-lr %v: want a rate in (0, 1)", cfg.lr)
	case cfg.checkpointEvery < 0:
		return bad("-checkpoint-every %d: want 0 or more", cfg.checkpointEvery)
	case cfg.resume && cfg.out == "":
		return bad("-resume needs -out, the folder of the run to continue")
	case cfg.synthetic < 0:
		return bad("-synthetic %d: want 0 or more", cfg.synthetic)
	}
	if want := modelInput(cfg.model); want != datasetInput(cfg.dataset) {
		return bad("-model %s takes %s images, -data %s has %s", cfg.model, want, cfg.dataset, datasetInput(cfg.dataset))
	}
	cfg.recipe = nn.Recipe(*recipe)
	cfg.backend = map[string]gpu.Backend{"auto": gpu.Auto, "webgpu": gpu.WebGPU, "cpu": gpu.CPU}[*backend]
	return cfg, -1
}

func recipeList() string {
	s := make([]string, len(nn.Recipes))
	for i, r := range nn.Recipes {
		s[i] = string(r)
	}
	return strings.Join(s, "|")
}

func modelInput(model string) string {
	if model == "lenet5" {
		return "1×28×28"
	}
	return "3×32×32"
}

func datasetInput(ds string) string {
	if ds == "cifar10" {
		return "3×32×32"
	}
	return "1×28×28"
}

// run is wgtrain with arguments args (without the program name), writing
// where the outputs went to stdout and progress and errors to stderr; it
// returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, code := parseFlags(args, stderr)
	if code >= 0 {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "wgtrain: "+format+"\n", a...)
		return code
	}
	trainSet, testSet, err := loadData(cfg)
	if err != nil {
		if errors.Is(err, data.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return fail(2, "%v\n(pass -data-dir with the folder that holds the %s files)", err, cfg.dataset)
		}
		return fail(1, "%v", err)
	}
	schedule, err := scheduleFor(cfg.lr)
	if err != nil {
		return fail(2, "-lr %v: %v", cfg.lr, err)
	}
	dev, err := gpu.Open(gpu.Options{Backend: cfg.backend})
	if err != nil {
		return fail(1, "opening the %v backend: %v", cfg.backend, err)
	}
	defer dev.Close()
	net, err := buildModel(cfg.model, dev, cfg.recipe, cfg.seed)
	if err != nil {
		return fail(1, "%v", err)
	}
	if cfg.out == "" {
		cfg.out = filepath.Join("runs", fmt.Sprintf("%s-%s-%s", cfg.model, cfg.recipe, time.Now().Format("20060102-150405")))
	}
	info := dev.Info()
	fmt.Fprintf(stderr, "wgtrain: %s on %s (%d train, %d test), recipe %s, %d epochs of batch %d, %v\n",
		cfg.model, trainSet.Name, trainSet.N, testSet.N, cfg.recipe, cfg.epochs, cfg.batch, info.Backend)
	ctx, stop := interrupt(context.Background())
	defer stop()
	m := nn.NewModel(dev, net)
	res, err := train.Run(ctx, train.Config{
		Epochs: cfg.epochs, BatchSize: cfg.batch, Seed: cfg.seed, Schedule: schedule,
		OutDir: cfg.out, CheckpointEvery: cfg.checkpointEvery, NoResume: !cfg.resume,
		Progress: train.NewProgress(stderr),
		Logf:     func(format string, a ...any) { fmt.Fprintf(stderr, "wgtrain: "+format+"\n", a...) },
		Recipe:   string(cfg.recipe), Model: cfg.model,
		Backend: info.Backend.String(), Adapter: info.Adapter,
		Extra: map[string]string{"dataset": cfg.dataset},
	}, m, trainSet, testSet)
	if errors.Is(err, train.ErrInterrupted) {
		fmt.Fprintf(stderr, "wgtrain: %v\nwgtrain: run the same command with -resume -out %s to continue\n", err, cfg.out)
		return 130
	}
	if err != nil {
		if errors.Is(err, train.ErrResume) {
			if !cfg.resume {
				return fail(2, "%v\n(-out %s holds another run: add -resume to continue it, or choose another -out)", err, cfg.out)
			}
			return fail(2, "%v", err)
		}
		return fail(1, "%v", err)
	}
	exact, float := filepath.Join(cfg.out, "model.safetensors"), filepath.Join(cfg.out, "model_float.safetensors")
	if err := saveModel(net, exact, float); err != nil {
		return fail(1, "%v", err)
	}
	if cfg.jsonPath != "" {
		if err := writeJSON(cfg.jsonPath, res); err != nil {
			return fail(1, "%v", err)
		}
	}
	fmt.Fprintf(stdout, "test accuracy %.2f%% (loss %.4f) after %d epochs, %d steps, %.0f images/s\n",
		100*res.TestAccuracy, res.TestLoss, len(res.History), res.Steps, res.ImagesPerSecond)
	fmt.Fprintf(stdout, "outputs in %s:\n", cfg.out)
	fmt.Fprintf(stdout, "  results      %s\n", filepath.Join(cfg.out, train.ResultsFile))
	fmt.Fprintf(stdout, "  plots        %s, %s\n", filepath.Join(cfg.out, train.LossPlotFile), filepath.Join(cfg.out, train.AccuracyPlotFile))
	fmt.Fprintf(stdout, "  tensorboard  %s\n", filepath.Join(cfg.out, train.TensorBoardDir))
	fmt.Fprintf(stdout, "  checkpoints  %s\n", filepath.Join(cfg.out, train.CheckpointSubdir))
	fmt.Fprintf(stdout, "  model        %s (exact codes), %s (float32)\n", exact, float)
	if cfg.jsonPath != "" {
		fmt.Fprintf(stdout, "  json         %s\n", cfg.jsonPath)
	}
	return 0
}

// scheduleFor returns the default phases with the first phase's rate lr
// (0: the default 0.05) and the later ones scaled alike.
func scheduleFor(lr float64) (train.Schedule, error) {
	phases := train.DefaultPhases()
	if lr > 0 {
		base := phases[0].LR
		for i := range phases {
			phases[i].LR *= lr / base
		}
	}
	return train.NewSchedule(phases)
}

// loadData reads the dataset, or makes a synthetic one (-synthetic).
func loadData(cfg config) (trainSet, testSet *data.Dataset, err error) {
	if cfg.synthetic > 0 {
		c, hw := 1, 28
		if cfg.dataset == "cifar10" {
			c, hw = 3, 32
		}
		rng := rand.New(rand.NewPCG(cfg.seed, 99))
		mk := func(name string, n int) *data.Dataset {
			ds := &data.Dataset{Name: name, N: n, C: c, H: hw, W: hw, Classes: 10,
				Pixels: make([]uint8, n*c*hw*hw), Labels: make([]uint8, n)}
			for i := range ds.Pixels {
				ds.Pixels[i] = uint8(rng.IntN(256))
			}
			for i := range ds.Labels {
				ds.Labels[i] = uint8(rng.IntN(10))
			}
			return ds
		}
		return mk("synthetic/train", cfg.synthetic), mk("synthetic/test", cfg.synthetic/4+1), nil
	}
	switch cfg.dataset {
	case "mnist":
		return data.MNIST(cfg.dataDir)
	case "fashion":
		return data.FashionMNIST(cfg.dataDir)
	}
	return data.CIFAR10(cfg.dataDir)
}

// saveModel writes the trained network's exact and float state dicts.
func saveModel(net *nn.List, exact, float string) error {
	d, err := net.StateDict()
	if err != nil {
		return err
	}
	if err := statedict.SaveSafetensors(exact, d); err != nil {
		return err
	}
	f, err := nn.ToFloat(d)
	if err != nil {
		return err
	}
	return statedict.SaveSafetensors(float, f)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
