#pragma once
// W(1+1)A(1×4) (Song et al., arXiv 2504.05352), weight side. The official code could not be
// obtained: this is baselines-spec §1.3's labelled reconstruction (a third-party port's weight
// side), not a verified port. Each group of input columns is split by a Hessian-weighted 2-means
// of |w| into two scales; W'_ij = sign(w_ij) · s_z. Torch-free.
#include <cstdint>
#include <string_view>

#include "quantcore/methods/w1a1x4/w1a1x4_linear.h"

namespace quantcore::methods::w1a1x4 {

inline constexpr std::string_view kName = "w1a1x4";

// The parameter table's defaults (§1.3: the third-party port's g = 128, shared by all rows).
struct W1a1x4Options {
  int64_t group_size = 128;  // contiguous input columns; -1: one group over all columns
  bool per_row = false;      // a scale pair per (row, group), as the official code may have it
  int em_iterations = 10;    // at most this many M+E rounds per group
  // The A side (§1.1; its rule is [inferred], docs/methods/w1a1x4.md): 0 keeps inputs as
  // computed; 2..8 quantises every linear's input per token to that many bits (A(1×4): 4).
  int activation_bits = 0;
  double smooth_alpha = -1;     // -1: error-based choice of the smoothing; else the fixed α in [0, 1]
  int64_t smooth_tokens = 2048;  // calibration tokens the error-based choice measures on
};

// `weight` [rows, cols] row-major, `hessian_diagonal` h_j [cols] (diag(H), §1.3 step 1: only
// its ratios matter). sign(0) = +1. Scales are stored rounded to fp16.
W1a1x4Linear quantize(const float* weight, int64_t rows, int64_t cols, const float* hessian_diagonal,
                      const W1a1x4Options& options);

}  // namespace quantcore::methods::w1a1x4
