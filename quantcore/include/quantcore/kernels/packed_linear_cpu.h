#pragma once
// CPU implementations of the packed linear, side by side (all fp32, x [batch, m], y [batch, n]).
#include <cstdint>
#include <vector>

#include "quantcore/kernels/packed_operand.h"

namespace quantcore::kernels {

// The reference: W' = dequantize(linear) (the one dequantisation, quantcore/pack), then plain
// dot products accumulated in double. Obviously correct, slow.
std::vector<float> packed_linear_reference(const PackedLinear& linear, const float* x, int64_t batch);

// Worst-case forward error of any packed path against the exact product, per output (spec of
// the bound: docs/kernels.md): (3m + 24) u * B_i with u = 2^-24 and
//   B_i = (|a_i| + |c_i|) sum_j |r2_j x_j| + |scale_i| sum_k (Q_ik + |zero_i|) |x_k|.
std::vector<float> packed_linear_error_bound(const PackedLinear& linear, const float* x, int64_t batch);

enum class CpuPath { Auto, Scalar, Avx2, Avx512 };
bool cpu_has_avx2();    // AVX2 and FMA, detected at run time
bool cpu_has_avx512();  // AVX-512 F, BW, DQ, VL and VBMI (and FMA), detected at run time

// Auto picks AVX-512 where the CPU has it, else AVX2, else scalar; Avx2 or Avx512 on a CPU
// without it throws std::invalid_argument.
void packed_linear_cpu(const PackedLinearView& weight, const float* x, float* y, int64_t batch,
                       CpuPath path = CpuPath::Auto);

// The paths themselves (packed_linear_cpu prepares the folded input both share).
struct FoldedInput;
void packed_linear_scalar(const PackedLinearView& weight, const FoldedInput& in, float* y);
void packed_linear_avx2(const PackedLinearView& weight, const FoldedInput& in, float* y);
void packed_linear_avx512(const PackedLinearView& weight, const FoldedInput& in, float* y);

}  // namespace quantcore::kernels
