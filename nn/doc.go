// Package nn holds the quantized layers of wageubn-go and their settings.
//
// # Overview
//
// A layer's quantization setting is a [Config]: quant on/off, iostrict,
// retrain, every bit width of the PyTorch package's config ([Bits], dec and
// all widths) and the WAGEUBN backward and update widths. [Recipe] names
// the documented presets of method.md A7 and A15: full8 (default),
// full8plus, wageubn, float and pytorch. Invalid settings are rejected by
// [Config.Validate] with errors wrapping [ErrConfig].
//
// # Networks and training
//
// A network is a flat [List] of named layers (PyTorch module paths, so
// parameter keys are PyTorch's). [LeNet5], [ResNet20] and [VGG7] build the
// models of the project under a recipe ([Models] maps their names).
// [Optimizer] applies the update after Backward: the integer WAGEUBN
// update on integer masters (full8 or full8plus), PyTorch's SGD on float
// masters and Adam on retrained log2_t thresholds. [Step] records one
// training step (forward, softmax cross-entropy, backward, update) and
// submits it once; [Evaluate] runs evaluation mode over a dataset; [Model]
// is the train.Model that train.Run drives (cmd/wgtrain).
//
// # TQT thresholds
//
// Conv2d and Linear carry weight_log2_t (and bias_log2_t with a bias),
// BatchNorm weight_log2_t and bias_log2_t (of γ and β), ReLU and ReLU6
// acti_log2_t ([Thresholded]; method.md B§7.2, A5, A10):
// unset (nil Value, left out of Params) until threshold.InitNetwork sets
// them. Once set, FakeQuant layers compute TQT's modules (qsigned weights,
// biases and BN γ, β, qunsigned activations; the TQT gradient under
// Config.Retrain, trained by the Optimizer's Adam), and integer ReLUs take
// their activation exponent ceil(log2_t) - Acti.Dec from the threshold.
//
// # State dicts
//
// [List.StateDict] saves every parameter and buffer under its PyTorch key
// as exact integer codes with their exponent in the metadata (checkpoints);
// [List.FloatStateDict] gives float32 for PyTorch; [List.LoadStateDict]
// loads either form, strict or not, as PyTorch's load_state_dict reports
// keys. The file formats (safetensors and PyTorch .pt) are in subpackage
// statedict.
package nn
