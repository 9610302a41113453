#pragma once
// The forward pass's op for InputQuantization (quantcore/pack/input_quantization.h, the CPU
// reference it is tested against): x -> s ⊙ scale·(q − zero) per token, on any device. Include
// only from translation units that compute with tensors.
#include <ATen/core/Tensor.h>

namespace quantcore {

// x [..., channels] in any floating dtype, quantised per row of the last dimension in float32
// and returned in x's dtype. `smoothing` [channels] float32 on x's device, or undefined for none.
at::Tensor fake_quantize_input(const at::Tensor& x, int bits, const at::Tensor& smoothing);

}  // namespace quantcore
