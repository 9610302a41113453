#include "quantcore/methods/pbllm/saliency.h"

#include <ATen/ATen.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace quantcore::methods::pbllm {

at::Tensor hessian_saliency(const at::Tensor& weight, const at::Tensor& upper_diagonal, const at::Tensor& dead) {
  if (weight.dim() != 2 || upper_diagonal.dim() != 1 || weight.size(1) != upper_diagonal.size(0) ||
      !dead.sizes().equals(upper_diagonal.sizes()))
    throw std::invalid_argument("pbllm::hessian_saliency: weight columns do not match diag(U)");
  const at::Tensor w = weight.to(at::kFloat).masked_fill(dead.to(weight.device()).unsqueeze(0), 0.0);
  const at::Tensor d = upper_diagonal.to(w.device(), at::kFloat);
  return w.square() / d.square().unsqueeze(0);
}

double binarize_threshold(const at::Tensor& saliency, double low_frac) {
  if (!(low_frac >= 0.0 && low_frac <= 1.0))
    throw std::invalid_argument("pbllm::binarize_threshold: low_frac outside [0, 1]");
  const int64_t numel = saliency.numel();
  const auto index = static_cast<int64_t>(std::floor(static_cast<double>(numel) * low_frac));
  if (index >= numel) return std::numeric_limits<double>::infinity();
  // kthvalue is 1-based: the (index+1)-th smallest is the index-th of the ascending sort.
  return std::get<0>(saliency.reshape({-1}).kthvalue(index + 1)).item<double>();
}

}  // namespace quantcore::methods::pbllm
