// The CPU entry point: folds the input once, then runs the AVX-512, AVX2 or scalar path.
#include <stdexcept>

#include "folded_input.h"
#include "quantcore/kernels/packed_linear_cpu.h"

namespace quantcore::kernels {

bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
#else
  return false;
#endif
}

bool cpu_has_avx512() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
                          __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("fma");
  return has;
#else
  return false;
#endif
}

void packed_linear_cpu(const PackedLinearView& weight, const float* x, float* y, int64_t batch, CpuPath path) {
  if (path == CpuPath::Avx2 && !cpu_has_avx2()) throw std::invalid_argument("packed linear: this CPU has no AVX2/FMA");
  if (path == CpuPath::Avx512 && !cpu_has_avx512())
    throw std::invalid_argument("packed linear: this CPU has no AVX-512 (F, BW, DQ, VL, VBMI)");
  if (path == CpuPath::Auto) path = cpu_has_avx512() ? CpuPath::Avx512 : cpu_has_avx2() ? CpuPath::Avx2 : CpuPath::Scalar;
  thread_local FoldedInput in;  // reused: a decode step allocates nothing
  fold_input(weight, x, batch, in);
  switch (path) {
    case CpuPath::Avx512: packed_linear_avx512(weight, in, y); break;
    case CpuPath::Avx2: packed_linear_avx2(weight, in, y); break;
    default: packed_linear_scalar(weight, in, y); break;
  }
}

}  // namespace quantcore::kernels
