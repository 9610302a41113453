#include "widgets/weights_heatmap.h"

#include "widgets/studio_session.h"

namespace widgets {

WeightsHeatmap::WeightsHeatmap(StudioSession& session, QWidget* parent) : HeatmapCanvas(parent), session_(session) {
  connect(&session_, &StudioSession::selectionChanged, this, [this] { refreshContent(); });
  connect(&session_, &StudioSession::sliderChanged, this, [this] { refreshOverlay(); });
  refreshContent();
}

std::string WeightsHeatmap::title() const {
  const LayerId& id = session_.selectedLayer();
  const auto& w = content().values;
  return "|W| of block " + std::to_string(id.block) + " " + id.linear + "  [" + std::to_string(w.rows) + " x " +
         std::to_string(w.cols) + "], salient by " + analysis::criterion_name(criterion_);
}

void WeightsHeatmap::refreshContent() {
  HeatmapContent content;
  content.rowAxis = "output row";
  content.columnAxis = "input channel";
  content.emptyMessage = "Open a model and select a linear layer in the model tree.";
  if (session_.selectedLayer().valid()) content.values = session_.selectedWeightMagnitude();
  setContent(std::move(content));
  if (session_.selectedLayer().valid()) setTitle(title());
  refreshOverlay();
}

void WeightsHeatmap::setMarkTopK(bool on) {
  markTopK_ = on;
  refreshOverlay();
}

void WeightsHeatmap::setCriterion(analysis::SaliencyCriterion criterion, std::optional<analysis::SalientMarks> marks) {
  criterion_ = criterion;
  marks_ = criterion == analysis::SaliencyCriterion::Magnitude ? std::nullopt : std::move(marks);
  if (session_.selectedLayer().valid()) setTitle(title());
  refreshOverlay();
}

void WeightsHeatmap::refreshOverlay() {
  HeatmapOverlay overlay;
  marked_ = 0;
  if (markTopK_ && session_.selectedLayer().valid()) {
    const analysis::SalientMarks marks =
        criterion_ == analysis::SaliencyCriterion::Magnitude
            ? analysis::magnitude_marks(session_.selectedWeightMagnitude(), session_.salientRatio())
            : marks_.value_or(analysis::SalientMarks{criterion_});
    overlay.markThreshold = marks.threshold;
    overlay.markScores = marks.scores;
    overlay.markLabel =
        criterion_ == analysis::SaliencyCriterion::Magnitude ? "top-k weight" : "salient weight (Hessian)";
    marked_ = marks.count;
  }
  if (const auto& r = session_.sliderResult()) overlay.columnBands = r->mask;
  setOverlay(std::move(overlay));
}

}  // namespace widgets
