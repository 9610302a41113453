#pragma once
// What the Studio's dump view draws from an analysis dump (docs/hdf5-dump.md), as plain data:
// the activation map over all blocks, the marks and bands on a linear's saliency map, and the
// loss curves as the optimiser's events. Torch- and HDF5-free.
#include <cstdint>
#include <vector>

#include "analysis/dump_data.h"
#include "analysis/layer_view.h"
#include "quantcore/jobs/loss_events.h"

namespace analysis {

// One row per (block, linear) in block order and the dump's linear order, one column per input
// channel of act_max_abs or act_mean_abs; narrower rows are padded with NaN (as activation_map).
ActivationMap dump_activation_map(const std::vector<DumpBlock>& blocks, ActivationStatistic statistic);

// The structured mask over the saliency map's columns: map column c pools input channels
// [c * pool_cols, (c + 1) * pool_cols) and is salient when any of them is.
std::vector<uint8_t> pooled_column_mask(const std::vector<uint8_t>& mask, const SaliencyMap& map);

// The smallest map value among the cells that hold one of `salient_weights`; +inf without any.
// Map cells at or above it are the cells holding a top-K weight (ties at the threshold
// included): a cell's value is its largest |W|, and every listed weight is at least as large as
// every unlisted one.
float salient_cell_threshold(const SaliencyMap& map, const SalientWeights& salient_weights);

// A block's loss curve as the engine reported it: `step` of a LossEvent is the sample index
// within the epoch.
std::vector<quantcore::LossEvent> loss_events(int64_t block, const LossCurve& curve);

}  // namespace analysis
