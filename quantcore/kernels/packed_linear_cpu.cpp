// The CPU entry point: folds the input once, then runs the AVX2 or the scalar path.
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

void packed_linear_cpu(const PackedLinearView& weight, const float* x, float* y, int64_t batch, CpuPath path) {
  if (path == CpuPath::Avx2 && !cpu_has_avx2()) throw std::invalid_argument("packed linear: this CPU has no AVX2/FMA");
  thread_local FoldedInput in;  // reused: a decode step allocates nothing
  fold_input(weight, x, batch, in);
  const bool avx2 = path == CpuPath::Avx2 || (path == CpuPath::Auto && cpu_has_avx2());
  if (avx2)
    packed_linear_avx2(weight, in, y);
  else
    packed_linear_scalar(weight, in, y);
}

}  // namespace quantcore::kernels
