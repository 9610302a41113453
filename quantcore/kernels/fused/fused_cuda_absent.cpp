// Built when nvcc was not found: the fused ops have no CUDA kernels, and the adaptors never ask
// for them (fused_rebuild_supported / abs_stats_supported say no for CUDA tensors).
#include <stdexcept>

#include "fused_cuda.h"

namespace quantcore::kernels::fused::detail {

namespace {
[[noreturn]] void absent() { throw std::logic_error("this build has no CUDA fused kernels (nvcc was not found)"); }
}  // namespace

int64_t row_chunks(int64_t) { absent(); }
void rebuild_cuda(int64_t, const FrozenRows&, const RowScales&, const float*, float*) { absent(); }
void gradient_cuda(int64_t, const FrozenRows&, const RowScales&, const float*, const float*, float*, float*, float*) {
  absent();
}
void abs_stats_cuda(DType, const void*, int64_t, int64_t, float*, double*) { absent(); }

}  // namespace quantcore::kernels::fused::detail
