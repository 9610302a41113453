#pragma once
// BiLLM's structural searches on one block (baselines-spec §2.3 steps 1-3, utils/structure.py,
// autosearch.py, mask.py), shared by ARB-LLM (§7.3 steps 1-5): the saliency matrix T, the
// salient-column count search, and threshold splits of a zone of T at numpy quantiles.
// Torch-free.
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "quantcore/methods/billm/zone_fit.h"
#include "quantcore/methods/salient_metric.h"

namespace quantcore::methods::billm {

using methods::SalientMetric;

// The searches' constants; the defaults are the official code's, except the metric: the README
// commands all pass --salient_metric hessian, the code's default is magnitude (§2.1, §7.6).
struct StructureOptions {
  SalientMetric metric = SalientMetric::Hessian;
  int64_t salient_cap = 50;  // top columns searched (up_lim), i = 1 .. cap - 1
  double split_from = 0.10;  // the break-point grid torch.linspace(0.10, 0.90, 81)
  double split_to = 0.90;
  int64_t split_points = 81;
};

// Step 1: hessian T = B² / U_jj² (the diagonal of U, not of H⁻¹); magnitude T = B (signed).
Matrix saliency(const Matrix& block, const float* u_diagonal, SalientMetric metric);

struct SalientSearch {
  std::vector<int64_t> ranked;   // the min(cap, β) columns of largest Σ_r |T_rj|, descending (ties: lower first)
  std::vector<double> errors;    // errors[i - 1] = err(i) for the counts tried
  int64_t count = 0;             // i* (first minimum; 1 when no error is finite)
  std::vector<int64_t> columns;  // ranked[0 .. i*), ascending
};

// Step 2: for i = 1 .. min(cap, β) - 1 (at least 1), err(i) = mean((T - BIN_2(T, S_i) -
// BIN_2(T, ¬S_i))²) with S_i the top-i columns; i* = the first strict minimum.
SalientSearch search_salient_columns(const Matrix& t, int64_t cap);

// torch.linspace(from, to, points) in float32, as the code builds the break-point grid.
std::vector<float> split_grid(const StructureOptions& options);
// numpy.quantile(values, q) for each q of `grid` (linear interpolation, numpy's lerp), in double
// then float; empty when `values` is.
std::vector<float> linear_quantiles(std::vector<float> values, const std::vector<float>& grid);
// Candidate thresholds: quantiles of |T ⊙ region| flattened over every entry (the zeros outside
// the region included, §2.3 step 3) or over its nonzero entries only (CGB, §7.3 step 4).
std::vector<float> split_thresholds(const Matrix& t, const Mask& region, bool nonzero_only,
                                    const std::vector<float>& grid);

using ErrorMeasure = std::function<double(const Matrix& residual)>;
double mean_square(const Matrix& residual);  // torch.mean(residual²) over the whole block

struct Split {
  float threshold = 0;
  double error = std::numeric_limits<double>::infinity();
  bool found = false;  // false: no candidate's error was below +inf (the first candidate is used)
  Mask low;            // region ∧ |T| < p (concentrated)
  Mask high;           // region ∧ |T| >= p (sparse)
};

// Step 3 (and ARB's §7.3 steps 4-5): for each threshold p in order, error(T - fixed -
// BIN_order(T, low) - BIN_order(T, high)); the first strict minimum, else the first threshold.
// No thresholds: p = 0 (everything in `high`). `fixed` (the fit of a disjoint zone) must be 0 on
// the region; an empty `error` is mean_square, summed row by row without a residual matrix.
Split search_split(const Matrix& t, const Mask& region, const std::vector<float>& thresholds, int order,
                   const Matrix& fixed, const ErrorMeasure& error = {});

// Steps 1-3 of BiLLM on one block: the salient columns (order-2 zone), then the split of the other
// columns (order-1 zones) against BIN_2 of T on the salient columns, by mean square error.
struct BillmPartition {
  SalientSearch salient;
  Mask salient_mask;
  Split split;
};
BillmPartition billm_partition(const Matrix& t, const StructureOptions& options);

}  // namespace quantcore::methods::billm
