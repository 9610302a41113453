#pragma once
// The packed PTQ1.61 linear as the kernels read it: the stored words as they are in the file
// (docs/packed-format.md), plus what every call needs and is cheap to keep once: the
// binarised columns in packed order with their r2, and the vectors widened to fp32.
#include <cstdint>
#include <vector>

#include "quantcore/kernels/host_device.h"
#include "quantcore/pack/packed_linear.h"

namespace quantcore::kernels {

// Raw pointers (all in one device's memory) and shapes: what a kernel takes.
struct PackedLinearView {
  int64_t rows = 0;                            // n, output features
  int64_t cols = 0;                            // m, input features
  int64_t salient = 0;                         // k salient columns
  int code_bits = 4;                           // 4 or 8
  int64_t sign_words = 0;                      // per row: ceil((m - k) / 32)
  int64_t code_words = 0;                      // per row: ceil(k / codes_per_word)
  const uint32_t* signs = nullptr;             // [n, sign_words]
  const uint32_t* codes = nullptr;             // [n, code_words]
  const int32_t* salient_columns = nullptr;    // [k]
  const int32_t* binarised_columns = nullptr;  // [m - k], ascending
  const float* r2_binarised = nullptr;         // [m - k]
  const float* a = nullptr;                    // [n]
  const float* c = nullptr;
  const float* scale = nullptr;
  const float* zero = nullptr;
  // Optional CPU copies with 16 rows side by side ([rows / 16][words][16], whole blocks of 16 rows
  // only): word v of the 16 rows of a block is one 64-byte vector. Null where absent.
  const uint32_t* signs_by_16 = nullptr;
  const uint32_t* codes_by_16 = nullptr;

  QUANTLENS_HD int64_t binarised() const { return cols - salient; }
};

// Host copies in the kernels' layout.
struct PackedOperand {
  int64_t rows = 0, cols = 0;
  int code_bits = 4;
  std::vector<uint32_t> signs, codes;
  std::vector<int32_t> salient_columns, binarised_columns;
  std::vector<float> r2_binarised, a, c, scale, zero;
  std::vector<uint32_t> signs_by_16, codes_by_16;  // see PackedLinearView

  PackedLinearView view() const;
};

// Checks the linear (check_consistent) and lays it out for the kernels.
PackedOperand make_packed_operand(const PackedLinear& linear);

}  // namespace quantcore::kernels
