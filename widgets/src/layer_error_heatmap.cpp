#include "widgets/layer_error_heatmap.h"

#include <limits>
#include <map>
#include <utility>

namespace widgets {

HeatmapContent layerErrorHeatmap(const std::vector<analysis::CompareRow>& rows) {
  HeatmapContent content;
  // ImGui's font has no ‖ or ′: the title is plain ASCII, short enough for a narrow canvas.
  content.title = "output error |(W-W')X| / |WX| per layer";
  content.rowAxis = "layer";
  content.columnAxis = "method";
  content.emptyMessage = "one column per method as the comparison's rows finish";
  std::vector<std::pair<int64_t, std::string>> layers;
  for (const analysis::CompareRow& row : rows)
    if (!row.layer_errors.empty()) {
      for (const analysis::LayerOutputError& e : row.layer_errors) layers.emplace_back(e.block, e.linear);
      break;
    }
  if (layers.empty()) return content;
  std::map<std::pair<int64_t, std::string>, int64_t> rowOf;
  for (size_t i = 0; i < layers.size(); ++i) rowOf[layers[i]] = int64_t(i);
  analysis::FloatMatrix& m = content.values;
  m.rows = int64_t(layers.size());
  m.cols = int64_t(rows.size());
  m.values.assign(size_t(m.rows * m.cols), std::numeric_limits<float>::quiet_NaN());
  for (size_t j = 0; j < rows.size(); ++j)
    for (const analysis::LayerOutputError& e : rows[j].layer_errors)
      if (const auto at = rowOf.find({e.block, e.linear}); at != rowOf.end())
        m.values[size_t(at->second * m.cols) + j] = float(e.relative_error);
  content.rowName = [layers](int64_t r) {
    return std::to_string(layers[size_t(r)].first) + "." + layers[size_t(r)].second;
  };
  for (size_t r = 0; r < layers.size(); ++r) {
    const auto& [block, linear] = layers[r];
    content.rowLabels.names.push_back("b" + std::to_string(block) + " " + linear.substr(linear.find_last_of('.') + 1));
    if (r == 0 || layers[r - 1].first != block)
      content.rowLabels.groups.push_back({int64_t(r), "b" + std::to_string(block)});
  }
  return content;
}

std::string methodColumnsAxis(const std::vector<analysis::CompareRow>& rows) {
  std::string axis = "method (";
  for (size_t j = 0; j < rows.size(); ++j) axis += (j ? ", " : "") + std::to_string(j) + " " + rows[j].spelling;
  return axis + ")";
}

}  // namespace widgets
