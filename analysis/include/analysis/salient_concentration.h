#pragma once
// How concentrated a model's salient weights are where PTQ1.61 keeps 4 bits (paper Fig. 4, the
// claim of restorative LoRA; docs/preprocess.md): per block linear, the share of the top-K
// weights, by magnitude |w| and by the Hessian criterion w² / U_jj² (U = chol_upper(H⁻¹),
// PB-LLM's), that fall inside the structured mask's columns (the §2.2 mask of this model's own
// max|x| at `ratio`), with K = the number of weights the mask holds; and a row measure, the
// share of the top-K weights in the 20 % of rows holding most of them. Torch-free header.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "quantcore/jobs/progress.h"

namespace quantcore {
class CausalLM;
struct ActivationStats;
}  // namespace quantcore

namespace analysis {

inline constexpr double kTopRowShare = 0.2;

struct LinearConcentration {
  int64_t block = 0;
  std::string linear;
  int64_t mask_columns = 0;  // of in_features columns
  int64_t salient = 0;       // K = out_features x mask_columns
  double chance = 0;         // mask_columns / in_features: the in-mask share of K weights drawn at random
  double in_mask_magnitude = 0;
  double in_mask_hessian = 0;
  double top_rows_magnitude = 0;
  double top_rows_hessian = 0;
};

struct SalientConcentration {
  double ratio = 0;
  std::vector<LinearConcentration> linears;  // block by block, block_linears order
};

// The K largest of `scores` [rows, cols] (row-major; K = rows x the mask's columns): their share
// inside the mask's columns (mask [cols], nonzero = in the mask) and in the top 20 % rows.
struct ConcentrationShares {
  double in_mask = 0;
  double top_rows = 0;
};
ConcentrationShares concentration_shares(const float* scores, int64_t rows, int64_t cols, const uint8_t* mask);

// PTQ1.61's structured mask (§2.2) of one linear from its statistic at `ratio`, as flags per input
// channel (the engine's rule, for views that draw a second model's mask).
std::vector<uint8_t> salient_channel_flags(const std::vector<float>& statistic, double ratio);

// H of each linear from the FP chain of `windows` through `model` (one block at a time; the
// model is not changed: a shallow copy carries the observer). One progress step per block.
SalientConcentration salient_concentration(const quantcore::CausalLM& model, const quantcore::ActivationStats& stats,
                                           const std::vector<std::vector<int32_t>>& windows, double ratio,
                                           quantcore::ProgressSink& progress, const quantcore::CancelToken& cancel);

// {"ratio", "top_row_share", "mean": {in_mask_magnitude, in_mask_hessian, top_rows_magnitude,
// top_rows_hessian, chance}, "by_linear": {short name: the same means over blocks},
// "linears": [{block, linear, mask_columns, salient, chance, ...}]}.
nlohmann::json concentration_json(const SalientConcentration& c);

}  // namespace analysis
