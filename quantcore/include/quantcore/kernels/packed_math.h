#pragma once
// The arithmetic of the packed PTQ1.61 linear (docs/packed-format.md, spec §4.2), written once
// for the CUDA kernel and the CPU paths: the scalar CPU path calls these directly, the vector
// path is tested against it, so the CPU tests exercise the math the GPU runs.
//
// With the input folded once per call (x'_j = r2_j x_j over the binarised columns in their
// packed order, x^s_k = x over the salient columns):
//   y_i = a_i (sum_j S_ij x'_j) + c_i (sum_j x'_j) + scale_i (sum_k Q_ik x^s_k - zero_i sum_k x^s_k)
#include <cstdint>

#include "quantcore/kernels/host_device.h"

namespace quantcore::kernels {

// S of bit `bit` of a sign word: 1 -> +1, 0 -> -1.
QUANTLENS_HD float sign_of(uint32_t word, int bit) { return ((word >> bit) & 1u) ? 1.0f : -1.0f; }

// Salient codes per 32-bit word (8 nibbles or 4 bytes, low first).
QUANTLENS_HD int codes_per_word(int code_bits) { return 32 / code_bits; }

QUANTLENS_HD uint32_t code_of(uint32_t word, int index, int code_bits) {
  return (word >> (index * code_bits)) & ((1u << code_bits) - 1u);
}

// sum_j S_j x'_j over the first `count` (<= 32) entries one sign word covers.
QUANTLENS_HD float signed_sum_word(uint32_t word, const float* folded, int count) {
  float sum = 0.0f;
  for (int j = 0; j < count; ++j) sum += sign_of(word, j) * folded[j];
  return sum;
}

// sum_j Q_j x^s_j over the first `count` (<= codes_per_word) codes of one code word.
QUANTLENS_HD float code_sum_word(uint32_t word, const float* salient, int count, int code_bits) {
  float sum = 0.0f;
  for (int j = 0; j < count; ++j) sum += static_cast<float>(code_of(word, j, code_bits)) * salient[j];
  return sum;
}

// The per-row epilogue: every scale of §4.2 applied to the row's four sums.
QUANTLENS_HD float packed_row_output(float a, float c, float scale, float zero, float signed_sum, float folded_sum,
                                     float code_sum, float salient_sum) {
  return a * signed_sum + c * folded_sum + scale * (code_sum - zero * salient_sum);
}

}  // namespace quantcore::kernels
