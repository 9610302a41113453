#include "widgets/heatmap_canvas.h"

#include <QMetaObject>

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "widgets/colormap.h"

namespace widgets {

namespace {
// Margins around the plot: the title and the mask strip above, row ticks left (kLeft plus the
// widest row label), the colour bar right, column ticks and the status line below.
constexpr float kLeft = 8.0f, kTop = 34.0f, kRight = 110.0f, kBottom = 44.0f;
constexpr float kTick = 4.0f, kTickGap = 3.0f;
constexpr float kStripTop = 11.0f, kStripBottom = 3.0f;  // above the plot
constexpr ImU32 kNoData = IM_COL32(45, 45, 50, 255);
constexpr ImU32 kText = IM_COL32(220, 220, 220, 255);
constexpr ImU32 kTickColour = IM_COL32(170, 170, 170, 255);
constexpr ImU32 kStripTrack = IM_COL32(40, 40, 45, 255);
constexpr Rgb kBandColour = {255, 160, 40};
constexpr int kBandTintAlpha = 56;  // over a column of masked channels only; less where pooled with others

ImU32 imColour(Rgb c, int alpha = 255) { return IM_COL32(c.r, c.g, c.b, alpha); }
}  // namespace

HeatmapCanvas::HeatmapCanvas(QWidget* parent) : ImGuiCanvas(parent) { setMinimumSize(320, 240); }

HeatmapCanvas::~HeatmapCanvas() {
  if (texture_ == 0) return;
  makeCurrent();
  glDeleteTextures(1, &texture_);
  doneCurrent();
}

void HeatmapCanvas::setContent(HeatmapContent content) {
  content_ = std::move(content);
  rowLabelWidth_ = -1;
  range_ = scanValueRange(content_.values.values);
  viewCol_ = viewRow_ = 0.0;
  zoom_ = 1.0f;
  selectedRow_ = -1;
  textureDirty_ = true;
  update();
}

void HeatmapCanvas::setValueRange(float lo, float hi, float loPositive) {
  range_ = {lo, hi, loPositive};
  textureDirty_ = true;
  update();
}

void HeatmapCanvas::setViewState(const ViewState& view) {
  if (view == viewState()) return;
  viewCol_ = view.col, viewRow_ = view.row, zoom_ = view.zoom;
  clampView();
  update();
}

void HeatmapCanvas::setTitle(std::string title) {
  content_.title = std::move(title);
  update();
}

void HeatmapCanvas::setOverlay(HeatmapOverlay overlay) {
  overlay_ = std::move(overlay);
  if (static_cast<int64_t>(overlay_.columnBands.size()) != content_.values.cols) overlay_.columnBands.clear();
  if (overlay_.markScores &&
      (overlay_.markScores->rows != content_.values.rows || overlay_.markScores->cols != content_.values.cols)) {
    overlay_.markScores.reset();  // scores of another matrix: mark nothing rather than the wrong cells
    overlay_.markThreshold = std::numeric_limits<float>::infinity();
  }
  textureDirty_ = true;
  update();
}

void HeatmapCanvas::setLogScale(bool on) {
  if (logScale_ == on) return;
  logScale_ = on;
  textureDirty_ = true;
  update();
}

void HeatmapCanvas::setSelectedRow(int64_t row) {
  selectedRow_ = row;
  update();
}

HeatmapCanvas::PlotRect HeatmapCanvas::plotRect() {
  if (rowLabelWidth_ < 0) {  // once per content: the margin fits every label a zoom may show
    rowLabelWidth_ = 0;
    for (const std::string& label : possibleAxisLabels(content_.rowLabels, content_.values.rows))
      rowLabelWidth_ = std::max(rowLabelWidth_, ImGui::CalcTextSize(label.c_str()).x);
  }
  const float left = kLeft + rowLabelWidth_ + kTickGap + kTick;
  return {left, kTop, std::max(1.0f, width() - left - kRight), std::max(1.0f, height() - kTop - kBottom)};
}

void HeatmapCanvas::clampView() {
  const auto& m = content_.values;
  const float zoomMax = std::max(1.0f, static_cast<float>(std::min(m.rows, m.cols)) / 2.0f);
  zoom_ = std::clamp(zoom_, 1.0f, zoomMax);
  viewCol_ = std::clamp(viewCol_, 0.0, std::max(0.0, m.cols - m.cols / double(zoom_)));
  viewRow_ = std::clamp(viewRow_, 0.0, std::max(0.0, m.rows - m.rows / double(zoom_)));
}

void HeatmapCanvas::uploadTexture(const analysis::CellRegion& region, int64_t maxRows, int64_t maxCols) {
  // Scores of another shape (content replaced before its overlay) mark nothing rather than the wrong cells.
  const analysis::FloatMatrix* scores = overlay_.markScores.get();
  const bool scoresFit = !scores || (scores->rows == content_.values.rows && scores->cols == content_.values.cols);
  pooled_ = analysis::pool_region(content_.values, region, maxRows, maxCols, scoresFit ? scores : nullptr,
                                  scoresFit ? overlay_.markThreshold : std::numeric_limits<float>::infinity());
  const analysis::FloatMatrix& pooled = pooled_.values;
  std::vector<uint32_t> pixels(pooled.values.size());
  const ColourScale scale = colourScale();
  for (int64_t i = 0; i < pooled.rows; ++i)
    for (int64_t j = 0; j < pooled.cols; ++j) {
      const auto at = static_cast<size_t>(i * pooled.cols + j);
      const float v = pooled.values[at];
      if (!std::isfinite(v)) {
        pixels[at] = kNoData;
        continue;
      }
      const Rgb c = colormap(float(scale.normalised(v)));
      pixels[at] = imColour(pooled_.marked_cells(i, j) ? markedColour(c, pooled_.marked_fraction(i, j)) : c);
    }
  const bool fresh = texture_ == 0;
  if (fresh) glGenTextures(1, &texture_);
  glBindTexture(GL_TEXTURE_2D, texture_);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  const QSize size(static_cast<int>(pooled.cols), static_cast<int>(pooled.rows));
  if (!fresh && size == uploaded_)  // panning keeps the size: refill the texture instead of reallocating it
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, size.width(), size.height(), GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  else
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, size.width(), size.height(), 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  region_ = region;
  uploaded_ = size;
  uploadedMaxRows_ = maxRows;
  uploadedMaxCols_ = maxCols;
  textureDirty_ = false;
}

// Arrows pan by a tenth of the visible cells, + and - zoom around the centre, 0 or Home shows
// the whole matrix.
void HeatmapCanvas::applyKeyboard(double visibleCols, double visibleRows) {
  const auto pressed = [](ImGuiKey key) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(key)); };
  if (pressed(ImGuiKey_LeftArrow)) viewCol_ -= 0.1 * visibleCols;
  if (pressed(ImGuiKey_RightArrow)) viewCol_ += 0.1 * visibleCols;
  if (pressed(ImGuiKey_UpArrow)) viewRow_ -= 0.1 * visibleRows;
  if (pressed(ImGuiKey_DownArrow)) viewRow_ += 0.1 * visibleRows;
  if (pressed(ImGuiKey_Home)) viewCol_ = viewRow_ = 0.0, zoom_ = 1.0f;
  for (const ImWchar c : ImGui::GetIO().InputQueueCharacters) {
    float factor = 1.0f;
    if (c == '+' || c == '=') factor = 1.25f;
    if (c == '-') factor = 0.8f;
    if (c == '0') viewCol_ = viewRow_ = 0.0, zoom_ = 1.0f;
    if (factor == 1.0f) continue;
    const double centreCol = viewCol_ + visibleCols / 2, centreRow = viewRow_ + visibleRows / 2;
    const float oldZoom = zoom_;
    zoom_ *= factor;
    clampView();
    visibleCols *= oldZoom / zoom_, visibleRows *= oldZoom / zoom_;
    viewCol_ = centreCol - visibleCols / 2, viewRow_ = centreRow - visibleRows / 2;
  }
}

void HeatmapCanvas::drawFrame() {
  ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
  ImGui::Begin("##heatmap", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddText(ImVec2(kLeft, 6), IM_COL32(230, 230, 230, 255), content_.title.c_str());

  const auto& m = content_.values;
  const PlotRect plot = plotRect();
  plot_ = plot;
  if (m.rows == 0 || m.cols == 0) {
    dl->AddText(ImVec2(plot.x + 10, plot.y + plot.h / 2), IM_COL32(200, 200, 200, 255), content_.emptyMessage.c_str());
    ImGui::End();
    ImGui::PopStyleVar(2);
    return;
  }

  // Input: zoom around the mouse, drag to pan, click (press + release without drag) to select.
  const float fitX = plot.w / m.cols, fitY = plot.h / m.rows;
  const ImVec2 mouse = io.MousePos;
  const bool inPlot = mouse.x >= plot.x && mouse.x < plot.x + plot.w && mouse.y >= plot.y && mouse.y < plot.y + plot.h;
  const ViewState before = viewState();
  if (inPlot && io.MouseWheel != 0.0f) {
    const double cellX = viewCol_ + (mouse.x - plot.x) / (fitX * zoom_);
    const double cellY = viewRow_ + (mouse.y - plot.y) / (fitY * zoom_);
    zoom_ *= std::pow(1.25f, io.MouseWheel);
    clampView();
    viewCol_ = cellX - (mouse.x - plot.x) / (fitX * zoom_);
    viewRow_ = cellY - (mouse.y - plot.y) / (fitY * zoom_);
  }
  if (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && inPlot) {
    pressActive_ = true;
    dragging_ = false;
    pressX_ = mouse.x, pressY_ = mouse.y;
  }
  if (pressActive_ && io.MouseDown[ImGuiMouseButton_Left]) {
    if (std::hypot(mouse.x - pressX_, mouse.y - pressY_) > 3.0f) dragging_ = true;
    if (dragging_) {
      viewCol_ -= io.MouseDelta.x / (fitX * zoom_);
      viewRow_ -= io.MouseDelta.y / (fitY * zoom_);
    }
  }
  if (pressActive_ && ImGui::IsMouseReleased(ImGuiMouseButton_Left)) {
    if (!dragging_ && inPlot) {
      const auto row = static_cast<qint64>(viewRow_ + (mouse.y - plot.y) / (fitY * zoom_));
      const auto col = static_cast<qint64>(viewCol_ + (mouse.x - plot.x) / (fitX * zoom_));
      QMetaObject::invokeMethod(
          this, [this, row, col] { Q_EMIT cellClicked(row, col); }, Qt::QueuedConnection);
    }
    pressActive_ = dragging_ = false;
  }
  applyKeyboard(m.cols / zoom_, m.rows / zoom_);  // Qt delivers keys only to the focused canvas
  clampView();
  if (!(viewState() == before))
    QMetaObject::invokeMethod(
        this, [this] { Q_EMIT viewChanged(); }, Qt::QueuedConnection);
  const float sx = fitX * zoom_, sy = fitY * zoom_;

  // Upload only the visible cells, pooled to the plot's pixel size.
  analysis::CellRegion region;
  region.col0 = static_cast<int64_t>(std::floor(viewCol_));
  region.row0 = static_cast<int64_t>(std::floor(viewRow_));
  region.col1 = std::min<int64_t>(m.cols, static_cast<int64_t>(std::ceil(viewCol_ + plot.w / sx)));
  region.row1 = std::min<int64_t>(m.rows, static_cast<int64_t>(std::ceil(viewRow_ + plot.h / sy)));
  const float dpr = io.DisplayFramebufferScale.x;
  const auto maxCols = std::max<int64_t>(1, static_cast<int64_t>(plot.w * dpr));
  const auto maxRows = std::max<int64_t>(1, static_cast<int64_t>(plot.h * dpr));
  if (textureDirty_ || region.col0 != region_.col0 || region.col1 != region_.col1 || region.row0 != region_.row0 ||
      region.row1 != region_.row1 || maxCols != uploadedMaxCols_ || maxRows != uploadedMaxRows_)
    uploadTexture(region, maxRows, maxCols);

  auto screenX = [&](double col) { return static_cast<float>(plot.x + (col - viewCol_) * sx); };
  auto screenY = [&](double row) { return static_cast<float>(plot.y + (row - viewRow_) * sy); };
  dl->PushClipRect(ImVec2(plot.x, plot.y), ImVec2(plot.x + plot.w, plot.y + plot.h), true);
  dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture_)),
               ImVec2(screenX(region.col0), screenY(region.row0)), ImVec2(screenX(region.col1), screenY(region.row1)));
  dl->PopClipRect();
  drawBands(plot, region);
  if (selectedRow_ >= 0) {
    dl->PushClipRect(ImVec2(plot.x, plot.y), ImVec2(plot.x + plot.w, plot.y + plot.h), true);
    dl->AddRect(ImVec2(plot.x, screenY(selectedRow_)),
                ImVec2(plot.x + plot.w, std::max(screenY(selectedRow_ + 1), screenY(selectedRow_) + 2)),
                IM_COL32(255, 255, 255, 255), 0.0f, 0, 2.0f);
    dl->PopClipRect();
  }
  dl->AddRect(ImVec2(plot.x - 1, plot.y - 1), ImVec2(plot.x + plot.w + 1, plot.y + plot.h + 1),
              IM_COL32(120, 120, 120, 255));

  tickLabels_.clear();
  drawAxes(plot);
  char line[256];
  std::snprintf(line, sizeof line, "%s %lld..%lld of %lld   |   %s %lld..%lld of %lld   |   zoom %.2fx%s",
                content_.columnAxis.c_str(), (long long)region.col0, (long long)region.col1 - 1, (long long)m.cols,
                content_.rowAxis.c_str(), (long long)region.row0, (long long)region.row1 - 1, (long long)m.rows, zoom_,
                logScale_ ? "   |   log scale" : "");
  const float lineX = kLeft;
  if (lineX + ImGui::CalcTextSize(line).x > width() - 4)  // a narrow canvas: the short form
    std::snprintf(line, sizeof line, "cols %lld..%lld/%lld  rows %lld..%lld/%lld  %.2fx%s", (long long)region.col0,
                  (long long)region.col1 - 1, (long long)m.cols, (long long)region.row0, (long long)region.row1 - 1,
                  (long long)m.rows, zoom_, logScale_ ? "  log" : "");
  dl->AddText(ImVec2(lineX, plot.y + plot.h + 25), IM_COL32(200, 200, 200, 255), line);
  drawColourBar(plot);

  if (inPlot && !dragging_) {
    const auto row = static_cast<int64_t>(viewRow_ + (mouse.y - plot.y) / sy);
    const auto col = static_cast<int64_t>(viewCol_ + (mouse.x - plot.x) / sx);
    if (row >= 0 && row < m.rows && col >= 0 && col < m.cols) drawTooltip(row, col);
  }
  ImGui::End();
  ImGui::PopStyleVar(2);
}

// The structured mask: the visible columns pooled onto the plot's pixel columns, so each band is
// at least a pixel wide at any zoom. The strip above the plot is strong wherever a band is (more
// so the larger the pixel's masked share); the tint over the plot follows the masked share.
void HeatmapCanvas::drawBands(const PlotRect& plot, const analysis::CellRegion& region) {
  if (static_cast<int64_t>(overlay_.columnBands.size()) != content_.values.cols || region.cols() <= 0) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float sx = plot.w / content_.values.cols * zoom_;
  auto screenX = [&](double col) { return static_cast<float>(plot.x + (col - viewCol_) * sx); };
  const int64_t pixels = std::max<int64_t>(1, static_cast<int64_t>(screenX(region.col1) - screenX(region.col0)));
  const std::vector<float> share = analysis::pool_flags(overlay_.columnBands, region.col0, region.col1, pixels);
  const auto runs = static_cast<int64_t>(share.size());
  const float stripTop = plot.y - kStripTop, stripBottom = plot.y - kStripBottom;
  dl->AddRectFilled(ImVec2(plot.x, stripTop), ImVec2(plot.x + plot.w, stripBottom), kStripTrack);
  // Its legend ends the title line where the title leaves room.
  const char* legend = "structured mask";
  const float legendX = width() - 8 - ImGui::CalcTextSize(legend).x, swatchX = legendX - 16;
  if (kLeft + ImGui::CalcTextSize(content_.title.c_str()).x + 16 <= swatchX) {
    dl->AddRectFilled(ImVec2(swatchX, 9), ImVec2(swatchX + 11, 17), imColour(kBandColour));
    dl->AddText(ImVec2(legendX, 6), kText, legend);
  }
  dl->PushClipRect(ImVec2(plot.x, stripTop), ImVec2(plot.x + plot.w, plot.y + plot.h), true);
  // Runs of pixel columns of one strength are drawn as one rectangle.
  const auto strength = [](float s) { return s > 0.0f ? static_cast<int>(std::lround(32 * (0.65f + 0.35f * s))) : 0; };
  const auto x0Of = [&](int64_t j) { return std::round(screenX(region.col0 + j * region.cols() / runs)); };
  for (int64_t j = 0; j < runs;) {
    const int level = strength(share[size_t(j)]);
    const float shareOfRun = share[size_t(j)];
    int64_t end = j + 1;
    while (end < runs && strength(share[size_t(end)]) == level) ++end;
    if (level > 0) {
      const float x0 = x0Of(j), x1 = std::max(x0 + 1.0f, x0Of(end));
      dl->AddRectFilled(ImVec2(x0, stripTop), ImVec2(x1, stripBottom), imColour(kBandColour, level * 255 / 32));
      dl->AddRectFilled(ImVec2(x0, plot.y), ImVec2(x1, plot.y + plot.h),
                        IM_COL32(255, 255, 255, std::max(8, int(kBandTintAlpha * shareOfRun))));
    }
    j = end;
  }
  dl->PopClipRect();
}

void HeatmapCanvas::drawAxes(const PlotRect& plot) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const auto& m = content_.values;
  const float sx = plot.w / m.cols * zoom_, sy = plot.h / m.rows * zoom_;
  const float lineHeight = ImGui::GetTextLineHeight();
  const double lastRow = viewRow_ + plot.h / sy, lastCol = viewCol_ + plot.w / sx;
  for (const AxisTick& t : axisTicks(content_.rowLabels, m.rows, viewRow_, lastRow, sy, lineHeight + 2, 40)) {
    const float y = static_cast<float>(plot.y + (t.at - viewRow_) * sy);
    if (y >= plot.y - 0.5f && y <= plot.y + plot.h + 0.5f)
      dl->AddLine(ImVec2(plot.x - 1 - kTick, y), ImVec2(plot.x - 1, y), kTickColour);
    if (t.label.empty()) continue;
    const float labelY = static_cast<float>(plot.y + (t.labelAt - viewRow_) * sy);
    const float w = ImGui::CalcTextSize(t.label.c_str()).x;
    dl->AddText(ImVec2(plot.x - 1 - kTick - kTickGap - w, labelY - lineHeight / 2), kText, t.label.c_str());
    tickLabels_.push_back(t.label);
  }
  const float numberWidth = ImGui::CalcTextSize(plainNumber(double(m.cols - 1)).c_str()).x;
  for (const AxisTick& t : axisTicks({}, m.cols, viewCol_, lastCol, sx, 0, std::max(60.0f, numberWidth + 24))) {
    const float x = static_cast<float>(plot.x + (t.at - viewCol_) * sx);
    dl->AddLine(ImVec2(x, plot.y + plot.h + 1), ImVec2(x, plot.y + plot.h + 1 + kTick), kTickColour);
    const float w = ImGui::CalcTextSize(t.label.c_str()).x;
    const float left = std::clamp(x - w / 2, 0.0f, std::max(0.0f, width() - w));
    dl->AddText(ImVec2(left, plot.y + plot.h + 2 + kTick), kText, t.label.c_str());
    tickLabels_.push_back(t.label);
  }
}

void HeatmapCanvas::drawTooltip(int64_t row, int64_t col) {
  const auto& m = content_.values;
  ImGui::BeginTooltip();
  const std::string rowText = content_.rowName ? content_.rowName(row) : std::to_string(row);
  ImGui::Text("%s: %s", content_.rowAxis.c_str(), rowText.c_str());
  ImGui::Text("%s: %lld", content_.columnAxis.c_str(), static_cast<long long>(col));
  const float v = m.at(row, col);
  if (std::isfinite(v))
    ImGui::Text("value: %.6g", v);
  else
    ImGui::TextUnformatted("value: none");
  if (static_cast<int64_t>(overlay_.columnBands.size()) == m.cols && overlay_.columnBands[static_cast<size_t>(col)])
    ImGui::TextUnformatted("salient column");
  const bool ownScores =
      overlay_.markScores && overlay_.markScores->rows == m.rows && overlay_.markScores->cols == m.cols;
  if (overlay_.markScores && !ownScores) {
    ImGui::EndTooltip();
    return;
  }
  const float score = overlay_.markScores ? overlay_.markScores->at(row, col) : v;
  if (overlay_.markScores && std::isfinite(score)) ImGui::Text("saliency: %.6g", score);
  if (std::isfinite(score) && score >= overlay_.markThreshold) ImGui::TextUnformatted(overlay_.markLabel.c_str());
  const bool shown = row >= region_.row0 && row < region_.row1 && col >= region_.col0 && col < region_.col1;
  if (shown && !pooled_.marked.empty()) {
    const auto [i, j] = pooled_.cell_of(row, col);
    const int64_t cells = pooled_.cells(i, j);
    if (cells > 1)  // a pixel of several cells: how much of it is salient
      ImGui::Text("salient: %u of %lld %s (%.1f %%)", static_cast<unsigned>(pooled_.marked_cells(i, j)),
                  static_cast<long long>(cells), overlay_.markedCellsName.c_str(),
                  100.0 * pooled_.marked_fraction(i, j));
  }
  ImGui::EndTooltip();
}

void HeatmapCanvas::drawColourBar(const PlotRect& plot) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float x = plot.x + plot.w + 14.0f, w = 16.0f;
  constexpr int kSegments = 64;
  for (int i = 0; i < kSegments; ++i) {
    const float t0 = 1.0f - float(i) / kSegments, t1 = 1.0f - float(i + 1) / kSegments;
    const Rgb a = colormap(t0), b = colormap(t1);
    const float y0 = plot.y + plot.h * i / kSegments, y1 = plot.y + plot.h * (i + 1) / kSegments;
    dl->AddRectFilledMultiColor(ImVec2(x, y0), ImVec2(x + w, y1), imColour(a), imColour(a), imColour(b), imColour(b));
  }
  dl->AddRect(ImVec2(x, plot.y), ImVec2(x + w, plot.y + plot.h), IM_COL32(150, 150, 150, 255));
  const float lineHeight = ImGui::GetTextLineHeight();
  for (const BarTick& t : colourBarTicks(colourScale(), (lineHeight + 4) / plot.h)) {
    const float y = static_cast<float>(plot.y + plot.h * (1.0 - t.place));
    dl->AddLine(ImVec2(x + w, y), ImVec2(x + w + 4, y), IM_COL32(200, 200, 200, 255));
    dl->AddText(ImVec2(x + w + 6, y - lineHeight / 2), kText, t.label.c_str());
    tickLabels_.push_back(t.label);
  }
}

}  // namespace widgets
