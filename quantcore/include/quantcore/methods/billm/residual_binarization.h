#pragma once
// BiLLM's building block BIN_k (baselines-spec §2.2, binary.py high_order_residual): per row,
// over the zone's entries only, k rounds of μ = mean(R), c = R - μ, α = mean|c|, b = sign(c)
// (sign(0) = 0, so an exactly centred entry maps to μ), R ← R - (α b + μ). A row without zone
// entries gets μ = α = 0. Torch-free.
#include "quantcore/methods/billm/zone_fit.h"

namespace quantcore::methods::billm {

// The fit of x on `zone` with `order` rounds: means = order (μ_1, μ_2 kept apart as coded).
ZoneFit binarize_residual(const Matrix& x, const Mask& zone, int order);

}  // namespace quantcore::methods::billm
