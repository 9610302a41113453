#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "quantcore/methods/ptq161/quantizers.h"

namespace quantcore::methods::ptq161 {

namespace {

// Values rounded to the nearest fp16 (ties to even, c10::Half's conversion), kept in float32 so
// the sort and comparison need no fp16 CPU kernels; fp16 values are exact in float32.
at::Tensor through_half(const at::Tensor& x) { return x.to(at::kHalf).to(at::kFloat); }

}  // namespace

at::Tensor salient_channel_mask(const at::Tensor& statistic, double ratio) {
  if (statistic.dim() != 1 || statistic.numel() == 0)
    throw std::invalid_argument("salient_channel_mask: statistic must be a non-empty vector");
  if (!(ratio >= 0.0 && ratio <= 1.0)) throw std::invalid_argument("salient_channel_mask: ratio must lie in [0, 1]");
  const int64_t m = statistic.numel();
  // §2.2 step 1: fp16 cast then clamp(min=1e-5) in fp16, i.e. the clamped value rounded again.
  at::Tensor a = through_half(at::clamp_min(through_half(statistic.to(at::kFloat)), 1e-5));
  // §2.2 step 2: thr = sorted_desc[floor(ratio * m)] (ratio 1 selects every channel).
  const auto index = std::min<int64_t>(static_cast<int64_t>(std::floor(ratio * static_cast<double>(m))), m - 1);
  at::Tensor sorted = std::get<0>(at::sort(a, /*dim=*/0, /*descending=*/true));
  at::Tensor thr = sorted[index];
  // §2.2 step 3: ties at thr are salient too.
  return a >= thr;
}

}  // namespace quantcore::methods::ptq161
