#pragma once
// Downsampling of heatmaps for display: a region of a matrix max-pooled onto at most a given
// number of cells, so a view never uploads more than its viewport's pixels. Torch-free.
#include <cstdint>

#include "analysis/float_matrix.h"

namespace analysis {

// A half-open rectangle of matrix cells.
struct CellRegion {
  int64_t row0 = 0, col0 = 0;
  int64_t row1 = 0, col1 = 0;  // exclusive
  int64_t rows() const { return row1 - row0; }
  int64_t cols() const { return col1 - col0; }
};

// `region` (clipped to the matrix) pooled onto min(region rows, max_rows) x min(region cols,
// max_cols) cells. Output cell (i, j) covers source rows [row0 + floor(i*R/out_rows),
// row0 + floor((i+1)*R/out_rows)) and likewise for columns; its value is the largest finite value
// there (NaN cells are skipped; NaN if the block has none). max_rows, max_cols must be >= 1.
FloatMatrix max_pool_region(const FloatMatrix& source, CellRegion region, int64_t max_rows, int64_t max_cols);

// The k-th largest finite value of `values` (k >= 1; +inf when k is 0, the smallest when k is
// larger than the count): cells >= it are the top-k by value (ties at the threshold included).
float kth_largest(const std::vector<float>& values, int64_t k);

}  // namespace analysis
