#pragma once
#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace analysis {

// ids[begin, begin + length) as a [1, length] int64 tensor.
inline at::Tensor token_batch(const std::vector<int32_t>& ids, size_t begin, size_t length) {
  std::vector<int64_t> wide(ids.begin() + static_cast<std::ptrdiff_t>(begin),
                            ids.begin() + static_cast<std::ptrdiff_t>(begin + length));
  return at::tensor(wide, at::kLong).unsqueeze(0);
}

// Sum of -log p(next token) over a [1, T, V] logits tensor and its [1, T] ids, in float32.
inline double sum_next_token_nll(const at::Tensor& logits, const at::Tensor& ids) {
  const int64_t t = ids.size(1);
  at::Tensor log_probs = at::log_softmax(logits.narrow(1, 0, t - 1).to(at::kFloat), -1);
  at::Tensor targets = ids.narrow(1, 1, t - 1).to(log_probs.device()).unsqueeze(-1);
  return -log_probs.gather(-1, targets).to(at::kDouble).sum().item<double>();
}

}  // namespace analysis
