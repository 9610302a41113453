#pragma once
// GPTQ's quantizer grid (baselines-spec §4.1 find_params), shared by GPTQ and PB-LLM's salient
// part (§3.2 step 1). Include only from translation units that compute with tensors.
#include <ATen/core/Tensor.h>

namespace quantcore::methods::gptq {

// Per row of x [n, k]: the fp32 scale (codes are computed with it), its fp16 rounding (what is
// stored and dequantised) and the zero point, each [n] float32. The range is min/max with 0
// inside it ([-1, 1] for an all-zero row); symmetric: ±max|x| with zero point 2^(bits-1). A zero
// point of −0 is +0.
struct GridParams {
  at::Tensor scale, stored_scale, zero;
};

GridParams find_params(const at::Tensor& x, int bits, bool symmetric);

}  // namespace quantcore::methods::gptq
