#pragma once
// A run's loss history as the per-block curves of the quantized dump (docs/hdf5-dump.md) and of
// the Studio's charts. Torch-free.
#include <cstdint>
#include <map>

#include "analysis/dump_data.h"
#include "quantcore/quantize/loss_history.h"

namespace analysis {

// Steps are counted over the whole run.
std::map<int64_t, LossCurve> loss_curves(const quantcore::quantize::LossHistory& history);

}  // namespace analysis
