#pragma once
// Heatmap of a float matrix on the ImGui canvas: colour map and colour bar, linear or log scale,
// ticked axes (row names where the content has them), hover tooltip (row / column / value, and
// the salient share of a pooled cell), pan by dragging or the arrow keys, zoom with the wheel or
// the + and - keys, click selects a cell. Only the visible region is uploaded, max-pooled to at
// most the plot's pixel size; a pooled cell is as red as the share of its cells that is marked.
#include <QRectF>
#include <QSize>
#include <QString>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "analysis/float_matrix.h"
#include "analysis/heatmap_pool.h"
#include "widgets/axis_ticks.h"
#include "widgets/colour_scale.h"
#include "widgets/imgui_canvas.h"

namespace widgets {

struct HeatmapContent {
  analysis::FloatMatrix values;
  std::string title;
  std::string rowAxis = "row";
  std::string columnAxis = "column";
  std::string emptyMessage = "no data";         // shown while `values` is empty
  std::function<std::string(int64_t)> rowName;  // optional: the label of a row in the tooltip
  AxisLabels rowLabels;                         // optional: tick labels of the rows (else numbers)
};

// Drawn over the colours: input columns as bands (PTQ1.61's structured mask: a strip above the
// plot, at least a pixel per band, and a faint tint) and cells whose score is at or above a
// threshold in a marker colour (the salient weights of a criterion; a pooled cell mixes it in by
// its marked share). The score is the cell's value unless markScores (same shape as the content)
// gives another.
struct HeatmapOverlay {
  std::vector<uint8_t> columnBands;  // empty, or one flag per column
  float markThreshold = std::numeric_limits<float>::infinity();
  std::shared_ptr<const analysis::FloatMatrix> markScores;
  std::string markLabel = "top-k weight";   // the tooltip's word for a marked cell
  std::string markedCellsName = "weights";  // a pooled cell's tooltip: "salient: 3 of 16 weights (18.8 %)"
};

class HeatmapCanvas : public ImGuiCanvas {
  Q_OBJECT
public:
  explicit HeatmapCanvas(QWidget* parent = nullptr);
  ~HeatmapCanvas() override;

  void setContent(HeatmapContent content);  // resets pan and zoom
  void setTitle(std::string title);         // keeps pan and zoom
  void setOverlay(HeatmapOverlay overlay);
  void setLogScale(bool on);
  void setSelectedRow(int64_t row);  // -1: none
  // Colour scale shared with other canvases (call after setContent, which resets it to the
  // content's own range). loPositive: the bottom of the log scale.
  void setValueRange(float lo, float hi, float loPositive);
  std::pair<float, float> valueRange() const { return {range_.lo, range_.hi}; }
  float smallestPositive() const { return range_.loPositive; }  // the lower end of the log scale

  // Pan and zoom: top-left visible cell (fractional) and zoom over the fitted scale.
  struct ViewState {
    double col = 0, row = 0;
    float zoom = 1;
    bool operator==(const ViewState&) const = default;
  };
  ViewState viewState() const { return {viewCol_, viewRow_, zoom_}; }
  void setViewState(const ViewState& view);  // clamped; emits nothing
  bool logScale() const { return logScale_; }
  const HeatmapContent& content() const { return content_; }
  const HeatmapOverlay& overlay() const { return overlay_; }

  // What the last frame uploaded and showed, for tests and benchmarks.
  QSize uploadedTextureSize() const { return uploaded_; }
  QRectF plotArea() const { return {plot_.x, plot_.y, plot_.w, plot_.h}; }    // widget coordinates
  const std::vector<std::string>& tickLabels() const { return tickLabels_; }  // axes and colour bar
  analysis::CellRegion visibleRegion() const { return region_; }
  float zoom() const { return zoom_; }

Q_SIGNALS:
  void cellClicked(qint64 row, qint64 column);
  // The user panned or zoomed (not emitted for setViewState or setContent).
  void viewChanged();

protected:
  void drawFrame() override;

private:
  struct PlotRect {
    float x = 0, y = 0, w = 0, h = 0;
  };
  PlotRect plotRect();
  void clampView();
  void applyKeyboard(double visibleCols, double visibleRows);
  void uploadTexture(const analysis::CellRegion& region, int64_t maxRows, int64_t maxCols);
  ColourScale colourScale() const { return {range_, logScale_}; }
  void drawBands(const PlotRect& plot, const analysis::CellRegion& region);
  void drawAxes(const PlotRect& plot);
  void drawColourBar(const PlotRect& plot);
  void drawTooltip(int64_t row, int64_t col);

  HeatmapContent content_;
  HeatmapOverlay overlay_;
  bool logScale_ = false;
  int64_t selectedRow_ = -1;
  ValueRange range_;

  // View: top-left visible cell (fractional) and zoom over the fitted scale.
  double viewCol_ = 0.0, viewRow_ = 0.0;
  float zoom_ = 1.0f;
  bool pressActive_ = false, dragging_ = false;
  float pressX_ = 0.0f, pressY_ = 0.0f;

  unsigned texture_ = 0;
  bool textureDirty_ = true;
  bool clickPending_ = false;
  analysis::CellRegion region_;
  analysis::PooledRegion pooled_;  // what the texture shows: block edges and marked counts for the tooltip
  QSize uploaded_;
  PlotRect plot_;
  float rowLabelWidth_ = -1;  // the widest row tick label the content may show; < 0: not measured yet
  std::vector<std::string> tickLabels_;
  int64_t uploadedMaxRows_ = 0, uploadedMaxCols_ = 0;
};

}  // namespace widgets
