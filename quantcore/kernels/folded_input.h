#pragma once
// The input of one packed-linear call, folded once (spec §4.2: r2 applied to x, not to W):
// x'_j = r2_j x_j over the binarised columns in packed order and x^s over the salient columns,
// each zero-padded to whole words so that padding bits (0) add nothing, with their sums.
#include <cstdint>
#include <vector>

#include "quantcore/kernels/packed_operand.h"

namespace quantcore::kernels {

struct FoldedInput {
  int64_t batch = 0;
  int64_t folded_stride = 0;                   // sign_words * 32
  int64_t salient_stride = 0;                  // code_words * codes_per_word
  std::vector<float> folded;                   // [batch, folded_stride]
  std::vector<float> salient;                  // [batch, salient_stride]
  std::vector<float> folded_sum, salient_sum;  // [batch]
};

// Reuses `in`'s buffers (a call on the same shapes allocates nothing).
void fold_input(const PackedLinearView& weight, const float* x, int64_t batch, FoldedInput& in);

}  // namespace quantcore::kernels
