#pragma once
// The row kernels of the fused W' rebuild on raw pointers (no LibTorch), shared by the adaptor
// in w_rebuild.cpp. Each element follows the ATen formula's rounding order:
//   b = mu + alpha . s,  x = b . r1,  W' = x . (r2 . (1 - mask))   (spec §4.2)
// with the salient entries written afterwards from the compact [n, k] part.
#include <cstdint>

namespace quantcore::kernels::fused::detail {

struct RowScales {
  const float* alpha;  // [n]
  const float* r1;     // [n]
  const float* mean;   // [n]
};

struct FrozenRows {
  int64_t m = 0;                     // columns
  int64_t k = 0;                     // salient columns
  const int8_t* signs = nullptr;     // [n, m]
  const int64_t* salient = nullptr;  // [k]
  const float* high = nullptr;       // [n, k]
};

// Rows [begin, end) of W' into out [n, m]; r2_low [m] = r2 . (1 - mask).
void rebuild_rows(int64_t begin, int64_t end, const FrozenRows& f, const RowScales& s, const float* r2_low, float* out);

// Rows [begin, end) of the backward from grad [n, m] (spec §5.2 [derived]):
//   d_alpha[i] = r1_i sum_j G_ij r2l_j S_ij,  d_r1[i] = sum_j G_ij r2l_j b_ij,
//   columns[j] += sum_{i in rows} G_ij x_ij   (d_r2 = (1 - mask) . the sum over all rows).
void gradient_rows(int64_t begin, int64_t end, const FrozenRows& f, const RowScales& s, const float* r2_low,
                   const float* grad, float* d_alpha, float* d_r1, float* columns);

}  // namespace quantcore::kernels::fused::detail
