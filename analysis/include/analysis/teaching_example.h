#pragma once
// A small weight matrix and one activation vector worked through PTQ1.61's analytic
// initialisation (spec §2.2 mask, §3 4-bit salient columns, §4.1-§4.2 binarisation), with every
// intermediate the teaching view shows. Torch-free header.
#include <cstdint>
#include <vector>

#include "quantcore/methods/ptq161/options.h"

namespace analysis {

struct TeachingInput {
  int64_t rows = 0, cols = 0;
  std::vector<float> weight;  // [rows, cols] row-major, W[out, in]
  std::vector<float> x;       // [cols] activation; the mask statistic is |x| (spec §2.1 for one token)
  double ratio = 0.2;         // salient ratio, spec §2.2
  int salient_bits = quantcore::methods::ptq161::kDefaultSalientBits;
};

struct TeachingResult {
  std::vector<uint8_t> mask;           // [cols] 1 = salient column
  std::vector<uint8_t> codes;          // [rows, cols] §3 codes Q_ij (used on the salient columns)
  std::vector<float> scale, zero;      // [rows] §3 per-row scale and zero point
  std::vector<float> mu, alpha;        // [rows] §4.1 over the non-salient non-zero entries
  std::vector<int8_t> signs;           // [rows, cols] sgn(W - mu) on the non-salient columns, 0 on salient
  std::vector<float> dequantized;      // [rows, cols] W' with the mask (§4.2, r1 = r2 = 1)
  std::vector<float> binarized_only;   // [rows, cols] W' with no salient column (every column binarised)
  std::vector<float> exact_output;     // [rows] W x
  std::vector<float> masked_output;    // [rows] W' x
  std::vector<float> unmasked_output;  // [rows] W'' x, W'' = binarized_only
  double error_with_mask = 0.0;        // ||W' x - W x||_2
  double error_without_mask = 0.0;     // ||W'' x - W x||_2
};

// Throws std::invalid_argument when the sizes disagree, the matrix is empty or ratio is outside [0, 1].
TeachingResult teach(const TeachingInput& input);

// A 6 x 8 example: Gaussian-like weights and an activation with two outlier channels.
TeachingInput default_teaching_input();

}  // namespace analysis
