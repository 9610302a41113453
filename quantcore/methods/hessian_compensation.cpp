#include "quantcore/methods/hessian_compensation.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <stdexcept>

#include "quantcore/io/errors.h"
#include "quantcore/methods/inverse_hessian.h"
#include "quantcore/methods/method_settings.h"

namespace quantcore::methods {

namespace {
void check_shapes(const CompensationInputs& in, int64_t block_size) {
  if (block_size <= 0) throw std::invalid_argument("compensation: block size must be positive");
  if (in.weight.dim() != 2 || in.upper.dim() != 2 || in.upper.size(0) != in.weight.size(1))
    throw std::invalid_argument("compensation: W [n, m] and U [m, m] do not match");
}
}  // namespace

CompensationInputs prepare_compensation(const at::Tensor& weight, const at::Tensor& hessian, double percdamp,
                                        const std::string& where, const NoticeSink& notice) {
  if (weight.dim() != 2 || hessian.dim() != 2 || hessian.size(0) != weight.size(1))
    throw std::invalid_argument("prepare_compensation: W [n, m] and H [m, m] do not match");
  if (!at::isfinite(hessian).all().item<bool>())
    throw InputError(where, "the Hessian holds NaN or infinite values (the calibration inputs overflowed)");
  CompensationInputs out;
  const auto next_damping = [](double damp) { return std::min(1.0, std::max(damp * 10, kDefaultPercDamp)); };
  for (double damp = percdamp;; damp = next_damping(damp)) {
    try {
      InverseHessian inverse = prepare_inverse_hessian(hessian, damp);
      if (!at::isfinite(inverse.upper).all().item<bool>()) throw std::runtime_error("non-finite U");
      out.upper = std::move(inverse.upper);
      out.dead = std::move(inverse.dead);
      out.percdamp = damp;
      break;
    } catch (const std::runtime_error& e) {
      if (damp >= 1.0)
        throw InputError(where, std::string("H is not positive definite even at percdamp 1 (") + e.what() + ")");
      if (notice)
        notice(where + ": H is not positive definite at percdamp " + format_real(damp) + "; retried with " +
               format_real(next_damping(damp)));
    }
  }
  out.weight = weight.to(at::kFloat).clone();
  out.weight.index_fill_(1, out.dead.nonzero().flatten(), 0.0);
  return out;
}

at::Tensor compensate_columns(CompensationInputs& in, int64_t block_size, const ColumnQuantizer& quantize_column,
                              const CancelToken& cancel) {
  check_shapes(in, block_size);
  at::Tensor& W = in.weight;
  const int64_t m = W.size(1);
  at::Tensor Q = at::zeros_like(W);
  for (int64_t i1 = 0; i1 < m; i1 += block_size) {
    cancel.throw_if_requested();
    const int64_t count = std::min(block_size, m - i1), i2 = i1 + count;
    at::Tensor W1 = W.narrow(1, i1, count).clone();
    at::Tensor E1 = at::zeros_like(W1);
    const at::Tensor U1 = in.upper.narrow(0, i1, count).narrow(1, i1, count);
    for (int64_t i = 0; i < count; ++i) {
      const at::Tensor w = W1.select(1, i);
      const at::Tensor q = quantize_column(i1 + i, w, W);
      Q.select(1, i1 + i).copy_(q);
      const at::Tensor err = (w - q) / U1[i][i];
      W1.narrow(1, i, count - i).sub_(err.unsqueeze(1) * U1[i].narrow(0, i, count - i).unsqueeze(0));
      E1.select(1, i).copy_(err);
    }
    if (i2 < m) W.narrow(1, i2, m - i2).sub_(E1.mm(in.upper.narrow(0, i1, count).narrow(1, i2, m - i2)));
  }
  return Q;
}

at::Tensor compensate_blocks(CompensationInputs& in, int64_t block_size, const BlockQuantizer& quantize_block,
                             const CancelToken& cancel) {
  check_shapes(in, block_size);
  at::Tensor& W = in.weight;
  const int64_t m = W.size(1);
  const at::Tensor diagonal = in.upper.diagonal();
  at::Tensor Q = at::zeros_like(W);
  for (int64_t c = 0; c < m; c += block_size) {
    cancel.throw_if_requested();
    const int64_t count = std::min(block_size, m - c), end = c + count;
    const at::Tensor B = W.narrow(1, c, count).clone();
    const at::Tensor Qb = quantize_block(c, B);
    Q.narrow(1, c, count).copy_(Qb);
    if (end < m) {
      const at::Tensor E = (B - Qb) / diagonal.narrow(0, c, count).unsqueeze(0);
      W.narrow(1, end, m - end).sub_(E.mm(in.upper.narrow(0, c, count).narrow(1, end, m - end)));
    }
  }
  return Q;
}

}  // namespace quantcore::methods
