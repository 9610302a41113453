#pragma once
// The layers × input channels heatmap of an activation map, whichever its source (the session's
// calibration statistics or an analysis dump's): titles, axes and row names.
#include <string>

#include "analysis/layer_view.h"
#include "widgets/heatmap_canvas.h"

namespace widgets {

// `source` ends the title ("max |x| per input channel (SOURCE)"); an empty map shows `emptyMessage`.
HeatmapContent activationHeatmap(const analysis::ActivationMap& map, analysis::ActivationStatistic statistic,
                                 const std::string& source, std::string emptyMessage);

}  // namespace widgets
