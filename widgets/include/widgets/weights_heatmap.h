#pragma once
// |W| of the session's selected linear on a heatmap, with the structured mask at the session's
// salient ratio as column bands and the salient weights of a criterion marked: by default the
// top-k by magnitude (k = ratio x weights, PB-LLM's magnitude criterion), or marks computed
// elsewhere (PB-LLM's Hessian criterion). Shared by the weights and slider views.
#include <QString>

#include <optional>
#include <string>

#include "analysis/salient_marks.h"
#include "widgets/heatmap_canvas.h"

namespace widgets {

class StudioSession;

class WeightsHeatmap : public HeatmapCanvas {
  Q_OBJECT
public:
  WeightsHeatmap(StudioSession& session, QWidget* parent);
  int64_t markedWeights() const { return marked_; }  // 0 while marking is off or marks are pending
  void setMarkTopK(bool on);
  analysis::SaliencyCriterion criterion() const { return criterion_; }
  // Magnitude marks are computed here; other criteria show `marks` (none while pending).
  void setCriterion(analysis::SaliencyCriterion criterion, std::optional<analysis::SalientMarks> marks = {});

private:
  void refreshContent();
  void refreshOverlay();
  std::string title() const;

  StudioSession& session_;
  int64_t marked_ = 0;
  bool markTopK_ = true;
  analysis::SaliencyCriterion criterion_ = analysis::SaliencyCriterion::Magnitude;
  std::optional<analysis::SalientMarks> marks_;
};

}  // namespace widgets
