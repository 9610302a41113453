#pragma once
#include <ATen/core/Tensor.h>

#include "quantcore/io/model_spec.h"

namespace quantcore {

// Inverse frequencies of the rotary embedding, float32 on CPU, [head_dim / 2], as HF computes
// them (default: 1 / theta^(2i/d); "llama3": Llama-3.1 wavelength-dependent scaling).
at::Tensor rope_inverse_frequencies(const RopeSpec& rope, int64_t head_dim);

// cos and sin for positions [offset, offset + length), [length, head_dim], computed in
// float32 like HF (positions x inv_freq, duplicated halves) and then cast to `dtype`.
struct RopeCosSin {
  at::Tensor cos;
  at::Tensor sin;
};
RopeCosSin rope_cos_sin(const at::Tensor& inv_freq, int64_t offset, int64_t length, c10::ScalarType dtype);

// x: [B, heads, T, head_dim]; cos/sin: [T, head_dim] in x's dtype and device.
// HF's rotate-half convention.
at::Tensor apply_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin);

}  // namespace quantcore
