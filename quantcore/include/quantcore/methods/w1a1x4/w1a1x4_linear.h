#pragma once
// W(1+1)A(1×4)'s stored form of one linear W[n, m] (baselines-spec §1.2, §1.3 step 4): per
// weight a sign bit and a scale-select bit z, per group of input columns (shared by all rows,
// or per row) two fp16 scales s0 <= s1. Torch-free.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "quantcore/methods/quantized_linear.h"

namespace quantcore::methods::w1a1x4 {

// W'_ij = (positive_ij ? +1 : -1) * (in_high_ij ? high[g] : low[g]) / s_j, g = j / group_size,
// or g = i * groups + j / group_size per row; s_j = smoothing[j] (1 without): the signs and
// scales binarise W·diag(s), whose input is x / s (the A side, pack/input_quantization.h).
struct W1a1x4Linear {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t group_size = 0;               // columns per group; = cols for one group
  bool per_row = false;                 // a scale pair per (row, group) rather than per group
  std::vector<bool> positive, in_high;  // [rows * cols] each
  std::vector<float> low, high;         // [groups] or [rows, groups], fp16-representable
  int activation_bits = 0;              // 0: weights only; else the input's bits (A(1×4): 4)
  std::vector<float> smoothing;         // [cols] fp16-representable, with activation_bits only
  double smoothing_alpha = -1;          // how `smoothing` was chosen (−1: none), for summary.json
  double output_error = -1;             // its relative output error on calibration inputs (−1: not measured)

  int64_t groups() const { return (cols + group_size - 1) / group_size; }
  size_t group_of(int64_t row, int64_t col) const {
    return static_cast<size_t>((per_row ? row * groups() : 0) + col / group_size);
  }
};

// fp32 W' [rows, cols], row-major.
std::vector<float> dequantize(const W1a1x4Linear& q);

// 2 bits per weight + 2 fp16 scales per group (per row and group with per_row), + an fp16
// smoothing factor per input column when the input is quantised.
int64_t stored_bits(int64_t rows, int64_t cols, int64_t group_size, bool per_row, bool smoothed);
int64_t stored_bits(const W1a1x4Linear& q);  // the same, counted from q's own data

// The form as a run's stored form of block linear `name`.
std::shared_ptr<const QuantizedLinear> make_quantized(std::string name, W1a1x4Linear q);

}  // namespace quantcore::methods::w1a1x4
