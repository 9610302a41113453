#include "widgets/weights_heatmap.h"

#include <cmath>

#include "analysis/heatmap_pool.h"
#include "widgets/studio_session.h"

namespace widgets {

WeightsHeatmap::WeightsHeatmap(StudioSession& session, QWidget* parent) : HeatmapCanvas(parent), session_(session) {
  connect(&session_, &StudioSession::selectionChanged, this, [this] { refreshContent(); });
  connect(&session_, &StudioSession::sliderChanged, this, [this] { refreshOverlay(); });
  refreshContent();
}

void WeightsHeatmap::refreshContent() {
  HeatmapContent content;
  content.rowAxis = "output row";
  content.columnAxis = "input channel";
  content.emptyMessage = "Open a model and select a linear layer in the model tree.";
  const LayerId& id = session_.selectedLayer();
  if (id.valid()) {
    content.values = session_.selectedWeightMagnitude();
    content.title = "|W| of block " + std::to_string(id.block) + " " + id.linear + "  [" +
                    std::to_string(content.values.rows) + " x " + std::to_string(content.values.cols) + "]";
  }
  setContent(std::move(content));
  refreshOverlay();
}

void WeightsHeatmap::setMarkTopK(bool on) {
  markTopK_ = on;
  refreshOverlay();
}

void WeightsHeatmap::refreshOverlay() {
  HeatmapOverlay overlay;
  const auto& w = session_.selectedWeightMagnitude();
  marked_ = 0;
  if (markTopK_ && session_.selectedLayer().valid()) {
    const auto k = static_cast<int64_t>(std::llround(session_.salientRatio() * static_cast<double>(w.values.size())));
    overlay.markThreshold = analysis::kth_largest(w.values, k);
    for (float v : w.values) marked_ += v >= overlay.markThreshold;
  }
  if (const auto& r = session_.sliderResult()) overlay.columnBands = r->mask;
  setOverlay(std::move(overlay));
}

}  // namespace widgets
