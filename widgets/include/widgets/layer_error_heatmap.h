#pragma once
// The Methods view's heatmap content: layers ("block.linear") as rows, the comparison's methods
// as columns, each cell the layer's relative output error ‖(W − W′)X‖ / ‖WX‖ under that method,
// on one colour scale (NaN where a method has no value for the layer).
#include <vector>

#include "analysis/compare_job.h"
#include "widgets/heatmap_canvas.h"

namespace widgets {

// Rows in the first row's layer order; columns in `rows` order.
HeatmapContent layerErrorHeatmap(const std::vector<analysis::CompareRow>& rows);
// "method (0 rtn:bits=3, 1 gptq:bits=3)": the column axis of an exported figure, which has no
// room for a legend.
std::string methodColumnsAxis(const std::vector<analysis::CompareRow>& rows);

}  // namespace widgets
