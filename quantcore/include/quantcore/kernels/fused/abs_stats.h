#pragma once
// One-pass activation statistics of a linear's input (spec §2.1): per input channel, max |x|
// and sum |x| read in a single pass. Include only from translation units that compute with tensors.
#include <ATen/core/Tensor.h>

#include <utility>

namespace quantcore::kernels::fused {

// x [..., C], fp32 or bf16 on the CPU (fp32, fp16 or bf16 on a GPU, where the build has the
// CUDA kernels). Returns {max |x| as float [C], sum |x| as double [C]}:
// the same values as at::amax(x.abs()) widened to float and x.abs().sum(kDouble) over all
// leading dimensions (the sum up to the order of accumulation).
std::pair<at::Tensor, at::Tensor> abs_max_and_sum(const at::Tensor& x);

// Whether abs_max_and_sum takes x.
bool abs_stats_supported(const at::Tensor& x);
// Whether the statistics use it: supported, and on a GPU only with QUANTLENS_FUSED_CUDA=1.
bool abs_stats_enabled(const at::Tensor& x);

}  // namespace quantcore::kernels::fused
