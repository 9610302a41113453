#pragma once
// Downsampling of heatmaps for display: a region of a matrix max-pooled onto at most a given
// number of cells, so a view never uploads more than its viewport's pixels, with the share of
// marked (salient) cells under each pooled cell counted in the same pass. Torch-free.
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "analysis/float_matrix.h"

namespace analysis {

// A half-open rectangle of matrix cells.
struct CellRegion {
  int64_t row0 = 0, col0 = 0;
  int64_t row1 = 0, col1 = 0;  // exclusive
  int64_t rows() const { return row1 - row0; }
  int64_t cols() const { return col1 - col0; }
};

// A pooled region: the largest value of each block and how many of the block's cells are marked.
struct PooledRegion {
  FloatMatrix values;
  std::vector<uint32_t> marked;    // per output cell, row-major; empty when nothing could be marked
  std::vector<int64_t> row_edges;  // output row i covers source rows [row_edges[i], row_edges[i + 1])
  std::vector<int64_t> col_edges;  // likewise for columns

  int64_t cells(int64_t i, int64_t j) const {
    return (row_edges[i + 1] - row_edges[i]) * (col_edges[j + 1] - col_edges[j]);
  }
  uint32_t marked_cells(int64_t i, int64_t j) const {
    return marked.empty() ? 0 : marked[static_cast<size_t>(i * values.cols + j)];
  }
  // marked / cells: 0 for a block without marks, 1 for a block of marked cells only.
  float marked_fraction(int64_t i, int64_t j) const {
    return static_cast<float>(marked_cells(i, j)) / static_cast<float>(cells(i, j));
  }
  // The output cell (i, j) whose block holds source cell (row, col), which lies in the region.
  std::pair<int64_t, int64_t> cell_of(int64_t row, int64_t col) const;
};

// `region` (clipped to the matrix) pooled onto min(region rows, max_rows) x min(region cols,
// max_cols) cells. Output cell (i, j) covers source rows [row0 + floor(i*R/out_rows),
// row0 + floor((i+1)*R/out_rows)) and likewise for columns; its value is the largest finite value
// there (NaN cells are skipped; NaN if the block has none). A source cell is marked iff its score
// is >= threshold; the score is its value, or the same cell of `scores` (same shape as `source`)
// where given. With an infinite threshold nothing is counted. max_rows, max_cols must be >= 1.
PooledRegion pool_region(const FloatMatrix& source, CellRegion region, int64_t max_rows, int64_t max_cols,
                         const FloatMatrix* scores = nullptr, float threshold = std::numeric_limits<float>::infinity());

// The values of pool_region without marks.
FloatMatrix max_pool_region(const FloatMatrix& source, CellRegion region, int64_t max_rows, int64_t max_cols);

// Per-column flags [begin, end) pooled onto min(end - begin, max_out) runs with pool_region's
// edges: the fraction of set flags in each run. max_out must be >= 1.
std::vector<float> pool_flags(const std::vector<uint8_t>& flags, int64_t begin, int64_t end, int64_t max_out);

// The k-th largest finite value of `values` (k >= 1; +inf when k is 0, the smallest when k is
// larger than the count): cells >= it are the top-k by value (ties at the threshold included).
float kth_largest(const std::vector<float>& values, int64_t k);

}  // namespace analysis
