#pragma once
// H⁻¹ in the form the GPTQ family works with (baselines-spec §0.4): U = chol_upper(H⁻¹), so
// H⁻¹ = Uᵀ U, after dead inputs are neutralised and H is damped.
#include <ATen/core/Tensor.h>

namespace quantcore {

inline constexpr double kDefaultPercDamp = 0.01;

struct InverseHessian {
  at::Tensor upper;  // U [m, m] float32, upper-triangular
  at::Tensor dead;   // bool [m]: inputs with H_jj == 0; their weight columns are to be zeroed
};

// §0.4 on a copy of h ([m, m], symmetric positive semi-definite): H_jj = 1 where H_jj == 0;
// H += percdamp · mean(diag H) · I; L = chol(H); H⁻¹ = cholesky_inverse(L); U = chol_upper(H⁻¹).
// All in float32 on h's device. Throws std::runtime_error when a factorisation fails (H not
// positive definite even after damping, e.g. percdamp = 0 on a singular H or non-finite input).
InverseHessian prepare_inverse_hessian(const at::Tensor& h, double percdamp = kDefaultPercDamp);

}  // namespace quantcore
