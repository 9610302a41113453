#include "quantcore/methods/inverse_hessian.h"

#include <ATen/ATen.h>

#include <stdexcept>

namespace quantcore {

namespace {
at::Tensor cholesky_or_throw(const at::Tensor& a, bool upper, const char* what) {
  auto [factor, info] = at::linalg_cholesky_ex(a, upper);
  if (info.item<int64_t>() != 0)
    throw std::runtime_error(std::string("inverse Hessian: ") + what + " is not positive definite (leading minor " +
                             std::to_string(info.item<int64_t>()) + ")");
  return factor;
}
}  // namespace

InverseHessian prepare_inverse_hessian(const at::Tensor& h, double percdamp) {
  if (h.dim() != 2 || h.size(0) != h.size(1) || h.size(0) == 0)
    throw std::invalid_argument("prepare_inverse_hessian: H must be a non-empty square matrix");
  if (!(percdamp >= 0)) throw std::invalid_argument("prepare_inverse_hessian: percdamp must be >= 0");
  at::Tensor H = h.to(at::kFloat).clone();
  at::Tensor diag = H.diagonal();
  InverseHessian out;
  out.dead = diag == 0;
  diag.masked_fill_(out.dead, 1.0);
  diag.add_(percdamp * diag.mean().item<double>());
  const at::Tensor lower = cholesky_or_throw(H, /*upper=*/false, "the damped H");
  const at::Tensor inverse = at::cholesky_inverse(lower);
  out.upper = cholesky_or_throw(inverse, /*upper=*/true, "H⁻¹");
  return out;
}

}  // namespace quantcore
