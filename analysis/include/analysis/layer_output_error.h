#pragma once
// Each quantised linear's relative output error ‖(W − W′)X‖_F / ‖W X‖_F, X = the inputs the FP
// model feeds that linear on calibration windows: the per-layer FP-vs-quantised comparison of
// the comparison table and view. Torch-free.
#include <cstdint>
#include <string>
#include <vector>

#include "quantcore/jobs/progress.h"

namespace quantcore {
class CausalLM;
}
namespace quantcore::methods {
struct QuantizedModel;
}

namespace analysis {

struct LayerOutputError {
  int64_t block = 0;
  std::string linear;
  double relative_error = 0;
};

// In block order, then block_linears(spec) order. With H = X Xᵀ of each linear's FP inputs the
// ratio is sqrt(tr(ΔHΔᵀ) / tr(WHWᵀ)), Δ = W − W′, so one pass of the FP chain (batch 1, one
// block's Hessians at a time) serves every linear. A form that quantises its input
// (QuantizedLinear::input_quantization) is measured on X itself as ‖XWᵀ − Q(X)W′ᵀ‖ / ‖XWᵀ‖, the
// product the model computes. One progress step per block.
std::vector<LayerOutputError> layer_output_errors(const quantcore::CausalLM& fp_model,
                                                  const quantcore::methods::QuantizedModel& quantized,
                                                  const std::vector<std::vector<int32_t>>& windows,
                                                  quantcore::ProgressSink& progress,
                                                  const quantcore::CancelToken& cancel);

}  // namespace analysis
