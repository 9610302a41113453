#pragma once
// |W| of the session's selected linear on a heatmap, with the structured mask at the session's
// salient ratio as column bands and the top-k weights by magnitude (k = ratio x weights,
// PB-LLM's criterion) marked. Shared by the weights and slider views.
#include <QString>

#include "widgets/heatmap_canvas.h"

namespace widgets {

class StudioSession;

class WeightsHeatmap : public HeatmapCanvas {
  Q_OBJECT
public:
  WeightsHeatmap(StudioSession& session, QWidget* parent);
  int64_t markedWeights() const { return marked_; }  // 0 while marking is off
  void setMarkTopK(bool on);

private:
  void refreshContent();
  void refreshOverlay();

  StudioSession& session_;
  int64_t marked_ = 0;
  bool markTopK_ = true;
};

}  // namespace widgets
