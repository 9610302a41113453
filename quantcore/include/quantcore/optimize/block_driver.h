#pragma once
// The method-agnostic block driver (spec §1.2, baselines-spec §0.2): any registered method over
// every decoder block, with the FP chain, the quantised chain and the per-block targets it asks
// for. Torch-free header.
#include <cstdint>
#include <vector>

#include "quantcore/jobs/loss_events.h"
#include "quantcore/jobs/progress.h"
#include "quantcore/methods/method_settings.h"
#include "quantcore/methods/quantized_linear.h"

namespace quantcore {
class CausalLM;
struct ActivationStats;
}  // namespace quantcore

namespace quantcore::optimize {

// Where the three calibration chains (§1.2: 3 x N x L x H values in the model's dtype) live.
// Host: in CPU memory, one sample at a time copied to the model's device (for a device that is
// short of memory; the same numbers, slower).
enum class ChainPlacement { Device, Host };
const char* chain_placement_name(ChainPlacement placement);  // "device", "host"

// `windows`: the calibration windows (all the same length; may be empty for a method that needs
// no calibration), `stats`: the per-linear input statistics of the FP model on them (null when
// the method needs none). One progress stage per block (its steps_per_block steps). The model is
// unchanged on return, also on cancellation or error: each block holds W' only while the
// quantised chain passes it; the result keeps the stored forms (W' on demand).
methods::QuantizedModel quantize_blocks(CausalLM& model, const std::vector<std::vector<int32_t>>& windows,
                                        const ActivationStats* stats, const methods::MethodSettings& settings,
                                        ChainPlacement chains, OptimizationEvents& events, ProgressSink& progress,
                                        const CancelToken& cancel);

}  // namespace quantcore::optimize
