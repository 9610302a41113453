#pragma once
// The stored form (spec §4.2: a = r1 alpha, c = r1 mu, 1-bit signs, salient codes) of one
// finalised linear, with every vector rounded to `dtype`.
#include "quantcore/methods/ptq161/block_optimizer.h"
#include "quantcore/pack/packed_linear.h"

namespace quantcore::methods::ptq161 {

// `q` needs mask, mean, alpha, r1, r2, scale, zero, codes and signs (any device). Codes are
// packed at 4 bits when salient_bits <= 4, else at 8.
PackedLinear stored_linear(const LinearQuantization& q, int salient_bits, VectorDType dtype);

}  // namespace quantcore::methods::ptq161
