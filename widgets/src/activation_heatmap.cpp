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
  // Ticks name each row ("b3 q_proj" for self_attn.q_proj of block 3) where there is room, else
  // each block at its first row.
  for (size_t r = 0; r < map.rows.size(); ++r) {
    const auto& [block, linear] = map.rows[r];
    const std::string shortName = linear.substr(linear.find_last_of('.') + 1);  // npos + 1 == 0: the whole name
    content.rowLabels.names.push_back("b" + std::to_string(block) + " " + shortName);
    if (r == 0 || map.rows[r - 1].first != block)
      content.rowLabels.groups.push_back({static_cast<int64_t>(r), "b" + std::to_string(block)});
  }
  return content;
}

}  // namespace widgets
