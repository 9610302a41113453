#pragma once
// Weight-magnitude views of one linear W[n, m] (row-major float32) for heatmaps. Torch-free.
#include <cstdint>

#include "analysis/dump_data.h"
#include "analysis/dump_schema.h"

namespace analysis {

// |W| max-pooled into cells of pool_rows x pool_cols weights, pool_* = ceil(n or m / max_side),
// so the map has ceil(n / pool_rows) x ceil(m / pool_cols) <= max_side x max_side cells; edge
// cells cover what is left.
SaliencyMap max_pool_abs(const float* weight, int64_t rows, int64_t cols, int64_t max_side = kSaliencyMapSide);

// The PB-LLM magnitude criterion: the round(ratio * n * m) largest |W_ij|, at most `cap` of
// them (the largest are kept), ties broken towards the lower row-major index; positions in
// row-major order.
SalientWeights top_magnitude_weights(const float* weight, int64_t rows, int64_t cols, double ratio,
                                     int64_t cap = kSalientWeightsCap);

}  // namespace analysis
