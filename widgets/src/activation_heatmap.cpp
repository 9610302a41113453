#include "widgets/activation_heatmap.h"

namespace widgets {

HeatmapContent activationHeatmap(const analysis::ActivationMap& map, analysis::ActivationStatistic statistic,
                                 const std::string& source, std::string emptyMessage) {
  HeatmapContent content;
  content.rowAxis = "layer";
  content.columnAxis = "input channel";
  const bool mean = statistic == analysis::ActivationStatistic::MeanAbs;
  content.title = std::string(mean ? "mean" : "max") + " |x| per input channel (" + source + ")";
  content.emptyMessage = std::move(emptyMessage);
  if (map.rows.empty()) return content;
  content.values = map.values;
  content.rowName = [rows = map.rows](int64_t r) {
    return "block " + std::to_string(rows[r].first) + " " + rows[r].second;
  };
  return content;
}

}  // namespace widgets
