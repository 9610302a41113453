#pragma once
// Views of a loaded model's data as plain float buffers for display. Torch-free header.
#include <cstdint>
#include <string>

#include "analysis/float_matrix.h"
#include "quantcore/calib/activation_stats.h"
#include "quantcore/io/model_spec.h"

namespace quantcore {
class CausalLM;
}

namespace analysis {

// |W| of one block linear, [out_features, in_features], as float32.
FloatMatrix linear_weight_magnitude(const quantcore::CausalLM& model, int64_t block, const std::string& linear);

// |W_a - W_b| of one block linear of two models of the same architecture (InputError when the
// shapes differ).
FloatMatrix linear_weight_difference(const quantcore::CausalLM& a, const quantcore::CausalLM& b, int64_t block,
                                     const std::string& linear);

// Which statistic of LinearInputStats a view shows.
enum class ActivationStatistic { MaxAbs, MeanAbs };

// One row per (block, linear) in block order and block_linears(spec) order, one column per input
// channel; rows of linears with fewer input channels than the widest are padded with NaN.
struct ActivationMap {
  FloatMatrix values;
  std::vector<std::pair<int64_t, std::string>> rows;  // (block, linear) of each row
};
ActivationMap activation_map(const quantcore::ModelSpec& spec, const quantcore::ActivationStats& stats,
                             ActivationStatistic statistic);

}  // namespace analysis
