// Heatmaps people can read, on the canvas (under Xvfb) and in exported figures: a pooled cell is
// as red as its salient share, the structured mask shows as a strip at 1x zoom, the activations
// map names its rows, tick labels are plain numbers, and FigureOptions set the PNG's size and DPI.
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QMouseEvent>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

#include "analysis/heatmap_pool.h"
#include "analysis/layer_view.h"
#include "widgets/activation_heatmap.h"
#include "widgets/colormap.h"
#include "widgets/figure_options_dialog.h"
#include "widgets/heatmap_canvas.h"
#include "widgets/heatmap_figure.h"
#include "gui_test_support.h"

namespace {

bool redDominant(QRgb c) { return qRed(c) >= 150 && qRed(c) - std::max(qGreen(c), qBlue(c)) >= 60; }
bool orange(QRgb c) { return qRed(c) > 100 && qRed(c) > qGreen(c) + 25 && qGreen(c) > qBlue(c) + 25; }

// |W|-like magnitudes: |N(0, 1)|, ten times as large in every 128th column (outlier channels) and
// in the eighth of the columns from cols / 2 on (a salient region: every pooled cell there is).
analysis::FloatMatrix weightMagnitudes(int64_t rows, int64_t cols) {
  analysis::FloatMatrix m{rows, cols, std::vector<float>(size_t(rows * cols))};
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      const bool outlier = c % 128 == 0 || (c >= cols / 2 && c < cols / 2 + cols / 8);
      m.values[size_t(r * cols + c)] = std::abs(normal(rng)) * (outlier ? 10.0f : 1.0f) + (outlier ? 2.0f : 0.0f);
    }
  return m;
}

// The magnitude criterion's marks at `ratio`, as the weights view sets them.
widgets::HeatmapOverlay magnitudeMarks(const analysis::FloatMatrix& m, double ratio) {
  widgets::HeatmapOverlay overlay;
  overlay.markThreshold = analysis::kth_largest(m.values, std::llround(ratio * double(m.values.size())));
  return overlay;
}

// The share of red-dominant pixels in `rect` of `image`.
double redShare(const QImage& image, const QRect& rect) {
  int64_t red = 0, all = 0;
  for (int y = rect.top(); y <= rect.bottom(); ++y)
    for (int x = rect.left(); x <= rect.right(); ++x, ++all) red += redDominant(image.pixel(x, y));
  return all ? double(red) / double(all) : 0.0;
}

// The canvas's plot in the pixels of its framebuffer grab, one pixel inside the frame.
QRect plotPixels(const widgets::HeatmapCanvas& canvas) {
  const double dpr = canvas.devicePixelRatioF();
  const QRectF p = canvas.plotArea();
  return QRect(QPoint(int(std::ceil(p.left() * dpr)) + 1, int(std::ceil(p.top() * dpr)) + 1),
               QPoint(int(std::floor(p.right() * dpr)) - 2, int(std::floor(p.bottom() * dpr)) - 2));
}

analysis::ActivationMap activationMap(int64_t blocks) {
  const char* linears[] = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                           "mlp.gate_proj",    "mlp.up_proj",      "mlp.down_proj"};
  analysis::ActivationMap map;
  map.values = {blocks * 7, 256, {}};
  std::mt19937 rng(3);
  std::exponential_distribution<float> dist(1.0f);
  for (int64_t b = 0; b < blocks; ++b)
    for (const char* l : linears) map.rows.push_back({b, l});
  for (int64_t i = 0; i < map.values.rows * map.values.cols; ++i) map.values.values.push_back(dist(rng));
  return map;
}

QStringList svgTexts(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  QXmlStreamReader xml(&f);
  QStringList texts;
  while (!xml.atEnd())
    if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("text"))
      texts << xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
  return texts;
}

}  // namespace

class HeatmapReadabilityTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  // A canvas of `size` showing `content` and `overlay`, after its first upload.
  std::unique_ptr<widgets::HeatmapCanvas> showCanvas(widgets::HeatmapContent content, widgets::HeatmapOverlay overlay,
                                                     QSize size = {640, 400}) {
    auto canvas = std::make_unique<widgets::HeatmapCanvas>();
    canvas->resize(size);
    canvas->setContent(std::move(content));
    canvas->setOverlay(std::move(overlay));
    canvas->show();
    if (!QTest::qWaitForWindowExposed(canvas.get())) return nullptr;
    if (!QTest::qWaitFor([&] { return !canvas->uploadedTextureSize().isEmpty(); }, 5000)) return nullptr;
    canvas->grabFramebuffer();  // a frame laid out with this content's margins
    return canvas;
  }

private Q_SLOTS:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  // 17 % salient weights of a 1024 x 4096 |W| at 1x zoom: under the old any-marked rule almost every
  // pooled pixel was red; blended by the salient share, only the salient region (all marked) is.
  void pooledMarksAreBlendedBySalientShare() {
    widgets::HeatmapContent content;
    content.title = "|W| 1024 x 4096, 17 % random salient weights and a salient region";
    content.values = weightMagnitudes(1024, 4096);
    // Scores as a criterion of its own gives them: 17 % of the weights at random, all of the region.
    auto scores = std::make_shared<analysis::FloatMatrix>(analysis::FloatMatrix{1024, 4096, {}});
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    for (int64_t i = 0; i < 1024 * 4096; ++i) {
      const int64_t c = i % 4096;
      scores->values.push_back(c >= 2048 && c < 2048 + 512 ? 1.0f : uniform(rng));
    }
    widgets::HeatmapOverlay overlay;
    overlay.markScores = scores;
    overlay.markThreshold = 0.83f;
    const analysis::FloatMatrix values = content.values;
    auto canvas = showCanvas(std::move(content), overlay);
    QVERIFY(canvas);
    const QSize texture = canvas->uploadedTextureSize();
    QVERIFY2(texture.width() < 4096 / 4 && texture.height() < 1024 / 2, "the view must be pooled");
    const analysis::PooledRegion pooled = analysis::pool_region(values, canvas->visibleRegion(), texture.height(),
                                                                texture.width(), scores.get(), overlay.markThreshold);
    int64_t anyMarked = 0;
    for (uint32_t n : pooled.marked) anyMarked += n > 0;
    QVERIFY2(double(anyMarked) / double(pooled.marked.size()) > 0.9, "the case the users reported");

    const QImage image = canvas->grabFramebuffer();
    const double share = redShare(image, plotPixels(*canvas));
    QVERIFY2(share < 0.3, qPrintable(QString("red share %1").arg(share)));
    QVERIFY2(share > 0.08, qPrintable(QString("red share %1: the salient region must stay red").arg(share)));
    gui_test::save_screenshot(*canvas, "heatmap-weights-pooled-marks");
    // Hovering a pooled pixel: its tooltip counts the salient weights under it (seen in the screenshot).
    const QPointF at = canvas->plotArea().center() + QPointF(-60, 0);
    QMouseEvent move(QEvent::MouseMove, at, canvas->mapToGlobal(at), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QCoreApplication::sendEvent(canvas.get(), &move);
    for (int i = 0; i < 3; ++i) canvas->grabFramebuffer();
    gui_test::save_screenshot(*canvas, "heatmap-weights-pooled-tooltip");
  }

  void unpooledMarkedCellIsFullRed() {
    widgets::HeatmapContent content;
    content.values = {8, 8, {}};
    for (int i = 0; i < 64; ++i) content.values.values.push_back(float(i % 7));
    content.values.values[size_t(3 * 8 + 5)] = 10.0f;  // the one marked cell
    widgets::HeatmapOverlay overlay;
    overlay.markThreshold = 10.0f;
    auto canvas = showCanvas(std::move(content), overlay);
    QVERIFY(canvas);
    QCOMPARE(canvas->uploadedTextureSize(), QSize(8, 8));
    const QImage image = canvas->grabFramebuffer();
    const QRectF plot = canvas->plotArea();
    const double dpr = canvas->devicePixelRatioF();
    const auto centre = [&](int row, int col) {
      return QPoint(int((plot.left() + (col + 0.5) * plot.width() / 8) * dpr),
                    int((plot.top() + (row + 0.5) * plot.height() / 8) * dpr));
    };
    const widgets::Rgb top = widgets::colormap(1.0f), marked = widgets::markedColour(top, 1.0f);
    QCOMPARE(marked, (widgets::Rgb{255, uint8_t(top.g / 3), uint8_t(top.b / 3)}));
    const QRgb shown = image.pixel(centre(3, 5));
    QCOMPARE((widgets::Rgb{uint8_t(qRed(shown)), uint8_t(qGreen(shown)), uint8_t(qBlue(shown))}), marked);
    QVERIFY(!redDominant(image.pixel(centre(0, 0))));
    QVERIFY(!redDominant(image.pixel(centre(3, 4))));
  }

  // Six isolated masked channels of 4096 at 1x (about 8 channels per pixel): each is a strip pixel.
  void maskStripShowsAtOneX() {
    widgets::HeatmapContent content;
    content.values = {256, 4096, std::vector<float>(256 * 4096, 0.5f)};
    widgets::HeatmapOverlay overlay;
    overlay.columnBands.assign(4096, 0);
    const std::vector<int> masked = {100, 1000, 1700, 2500, 3300, 4000};
    for (int c : masked) overlay.columnBands[size_t(c)] = 1;
    auto canvas = showCanvas(std::move(content), overlay);
    QVERIFY(canvas);
    QCOMPARE(canvas->zoom(), 1.0f);
    const QImage image = canvas->grabFramebuffer();
    const double dpr = canvas->devicePixelRatioF();
    const QRectF plot = canvas->plotArea();
    QVERIFY(plot.width() < 4096 / 4);
    const int stripY = int((plot.top() - 6) * dpr);  // the strip: 11 to 3 pixels above the plot
    std::vector<int> lit;
    for (int x = int(plot.left() * dpr); x < int(plot.right() * dpr); ++x)
      if (orange(image.pixel(x, stripY))) lit.push_back(x);
    QVERIFY2(lit.size() >= masked.size() && lit.size() <= 2 * masked.size() * size_t(std::ceil(dpr)),
             qPrintable(QString("%1 strip pixels lit").arg(lit.size())));
    QString litText;
    for (int x : lit) litText += QString::number(x) + " ";
    for (int c : masked) {  // each band lit at its column, within a pixel
      const double x = (plot.left() + (c + 0.5) * plot.width() / 4096) * dpr;
      QVERIFY2(std::any_of(lit.begin(), lit.end(), [&](int px) { return std::abs(px - x) <= 1.5 * dpr; }),
               qPrintable(QString("channel %1 has no strip pixel; lit: %2").arg(c).arg(litText)));
    }
    // Under the strip, the tint brightens the plot's column a little.
    const double x100 = (plot.left() + 100.5 * plot.width() / 4096) * dpr;
    const int y = int(plot.center().y() * dpr);
    const auto brightness = [&](int x) { return qRed(image.pixel(x, y)) + qGreen(image.pixel(x, y)); };
    const int tinted = *std::min_element(lit.begin(), lit.end(),
                                         [&](int a, int b) { return std::abs(a - x100) < std::abs(b - x100); });
    QVERIFY(brightness(tinted) > brightness(int(x100) + 20));
    gui_test::save_screenshot(*canvas, "heatmap-mask-strip");
  }

  void activationRowsAreNamed() {
    // 4 blocks: each row has room for its name.
    auto canvas = showCanvas(
        widgets::activationHeatmap(activationMap(4), analysis::ActivationStatistic::MaxAbs, "calibration", "none"), {},
        {900, 600});
    QVERIFY(canvas);
    const std::vector<std::string>& labels = canvas->tickLabels();
    for (const char* name : {"b0 q_proj", "b1 gate_proj", "b3 down_proj"})
      QVERIFY2(std::find(labels.begin(), labels.end(), name) != labels.end(), name);
    gui_test::save_screenshot(*canvas, "heatmap-activation-rows");

    // 32 blocks in the same height: blocks at their boundaries, never touching.
    canvas = showCanvas(
        widgets::activationHeatmap(activationMap(32), analysis::ActivationStatistic::MaxAbs, "calibration", "none"), {},
        {900, 600});
    QVERIFY(canvas);
    const std::vector<std::string>& blocks = canvas->tickLabels();
    QVERIFY(std::find(blocks.begin(), blocks.end(), "b0") != blocks.end());
    int blockLabels = 0;
    for (const std::string& l : blocks) blockLabels += l.size() > 1 && l[0] == 'b' && l.find(' ') == std::string::npos;
    QVERIFY2(blockLabels >= 8, qPrintable(QString("%1 block labels").arg(blockLabels)));
    gui_test::save_screenshot(*canvas, "heatmap-activation-blocks");
    QString error;
    QVERIFY2(widgets::exportHeatmapFigure(widgets::figureOf(*canvas),
                                          QString(QUANTLENS_GUI_SHOTS) + "/figure-activation-blocks.png", error),
             qPrintable(error));
  }

  void axisTicksChooseNamesBlocksOrNumbers() {
    widgets::AxisLabels labels;
    for (int b = 0; b < 100; ++b)
      for (int l = 0; l < 7; ++l) {
        if (l == 0) labels.groups.push_back({b * 7, "b" + std::to_string(b)});
        labels.names.push_back("b" + std::to_string(b) + " l" + std::to_string(l));
      }
    const auto labelled = [](const std::vector<widgets::AxisTick>& ticks) {
      std::vector<widgets::AxisTick> out;
      for (const auto& t : ticks)
        if (!t.label.empty()) out.push_back(t);
      return out;
    };
    // Room for every name: the visible rows 14..27 by name.
    auto ticks = labelled(widgets::axisTicks(labels, 700, 14, 28, 20, 15, 40));
    QCOMPARE(ticks.size(), size_t(14));
    QCOMPARE(QString::fromStdString(ticks.front().label), QString("b2 l0"));
    QCOMPARE(ticks.front().labelAt, 14.5);
    // 5 pixels a row: a block (35 pixels) has room, a row does not.
    ticks = labelled(widgets::axisTicks(labels, 700, 0, 700, 5, 15, 40));
    QCOMPARE(ticks.size(), size_t(100));
    QCOMPARE(QString::fromStdString(ticks[3].label), QString("b3"));
    QCOMPARE(ticks[3].at, 21.0);  // the tick at the block's first row, the label at its middle
    QCOMPARE(ticks[3].labelAt, 24.5);
    // Half a pixel a row: every fifth block, never closer than the text's height.
    ticks = labelled(widgets::axisTicks(labels, 700, 0, 700, 0.5, 15, 40));
    QCOMPARE(QString::fromStdString(ticks[1].label), QString("b5"));
    for (size_t i = 1; i < ticks.size(); ++i) QVERIFY((ticks[i].labelAt - ticks[i - 1].labelAt) * 0.5 >= 15);
    // No names: round numbers at least numberSpacing apart.
    ticks = widgets::axisTicks({}, 4096, 0, 4096, 0.12, 15, 60);
    QCOMPARE(ticks.size(), size_t(9));
    QCOMPARE(QString::fromStdString(ticks[1].label), QString("500"));
    QCOMPARE(QString::fromStdString(ticks.back().label), QString("4000"));
    // A log colour bar over less than two decades gets 2 and 5 times them, written out.
    QStringList bar;
    for (const auto& t : widgets::colourBarTicks({{0.0f, 9.98f, 0.274f}, true}, 0.05))
      bar << QString::fromStdString(t.label);
    QCOMPARE(bar, (QStringList{"0.274", "0.5", "1", "2", "5", "9.98"}));
    bar.clear();
    for (const auto& t : widgets::colourBarTicks({{0.0f, 2.5e6f, 0.0f}, false}, 0.2))
      bar << QString::fromStdString(t.label);
    QCOMPARE(bar, (QStringList{"0", "500000", "1000000", "1500000", "2000000", "2500000"}));
  }

  void tickLabelsArePlainNumbers() {
    QCOMPARE(QString::fromStdString(widgets::plainNumber(1000)), QString("1000"));
    QCOMPARE(QString::fromStdString(widgets::plainNumber(28672)), QString("28672"));
    QCOMPARE(QString::fromStdString(widgets::plainNumber(0.25)), QString("0.25"));
    QCOMPARE(QString::fromStdString(widgets::plainNumber(1.234e-5)), QString("0.0000123"));
    QCOMPARE(QString::fromStdString(widgets::plainNumber(3.2e6)), QString("3200000"));
    widgets::HeatmapContent content;
    content.title = "wide";
    content.values = {64, 30000, {}};
    for (int64_t i = 0; i < 64 * 30000; ++i) content.values.values.push_back(float(i % 997) * 3000.0f);
    auto canvas = showCanvas(content, {});
    QVERIFY(canvas);
    QVERIFY(!canvas->tickLabels().empty());
    for (const std::string& label : canvas->tickLabels()) QVERIFY2(label.find('e') == std::string::npos, label.c_str());
    QVERIFY(std::find(canvas->tickLabels().begin(), canvas->tickLabels().end(), "10000") != canvas->tickLabels().end());
    canvas->setLogScale(true);
    canvas->grabFramebuffer();
    for (const std::string& label : canvas->tickLabels()) QVERIFY2(label.find('e') == std::string::npos, label.c_str());

    // The figure: the SVG's text, for the same matrix on a log scale and the activations map.
    widgets::HeatmapFigure figure = widgets::figureOf(*canvas);
    QString error;
    const QString wide = dir_.filePath("wide.svg");
    QVERIFY2(widgets::exportHeatmapFigure(figure, wide, error), qPrintable(error));
    const QStringList texts = svgTexts(wide);
    QVERIFY(texts.contains("10000"));
    for (const QString& t : texts) QVERIFY2(!t.contains("e+") && !t.contains("e-0"), qPrintable(t));
    figure.content =
        widgets::activationHeatmap(activationMap(4), analysis::ActivationStatistic::MaxAbs, "calibration", "none");
    const QString rows = dir_.filePath("rows.svg");
    QVERIFY2(widgets::exportHeatmapFigure(figure, rows, error), qPrintable(error));
    QVERIFY(svgTexts(rows).contains("b2 v_proj"));
  }

  void figureOptionsSetPixelsAndDpi() {
    widgets::HeatmapFigure figure;
    figure.content.title = "|W| 2048 x 8192";
    figure.content.values = weightMagnitudes(2048, 8192);
    figure.overlay = magnitudeMarks(figure.content.values, 0.17);
    figure.hi = 10.0f;
    QString error;
    const QString custom = dir_.filePath("custom.png");
    QVERIFY2(widgets::exportHeatmapFigure(figure, custom, error, {QSize(800, 600), 200}), qPrintable(error));
    const QImage image(custom);
    QCOMPARE(image.size(), QSize(800, 600));
    QCOMPARE(qRound(image.dotsPerMeterX() * 0.0254), 200);
    QCOMPARE(qRound(image.dotsPerMeterY() * 0.0254), 200);

    const QString standard = dir_.filePath("default.png");
    QVERIFY2(widgets::exportHeatmapFigure(figure, standard, error), qPrintable(error));
    const QImage byDefault(standard);
    QCOMPARE(byDefault.size(), QSize(2 * widgets::kFigureWidth, 2 * widgets::kFigureHeight));
    QCOMPARE(qRound(byDefault.dotsPerMeterX() * 0.0254), 144);
    QVERIFY(byDefault.save(QString(QUANTLENS_GUI_SHOTS) + "/figure-weights-pooled-marks.png"));
    // The pooled marks are blended in the figure too: nowhere near the whole plot is red.
    const double share = redShare(byDefault, byDefault.rect());
    QVERIFY2(share < 0.2 && share > 0.03, qPrintable(QString("red share %1").arg(share)));

    widgets::FigureOptions magma{QSize(640, 480), 96, "magma"};
    QVERIFY2(widgets::exportHeatmapFigure(figure, dir_.filePath("magma.pdf"), error, magma), qPrintable(error));
    QVERIFY(!widgets::exportHeatmapFigure(figure, dir_.filePath("bad.png"), error, {QSize(800, 600), 200, "rainbow"}));
    QVERIFY2(error.contains("bad.png") && error.contains("viridis"), qPrintable(error));
    QVERIFY(!widgets::exportHeatmapFigure(figure, dir_.filePath("bad.png"), error, {QSize(0, 600)}));
    QVERIFY(!QFile::exists(dir_.filePath("bad.png")));
  }

  void figureShowsTheMaskStrip() {
    widgets::HeatmapFigure figure;
    figure.content.values = {128, 4096, std::vector<float>(128 * 4096, 0.2f)};
    figure.overlay.columnBands.assign(4096, 0);
    for (int c : {10, 2000, 4090}) figure.overlay.columnBands[size_t(c)] = 1;
    QString error;
    const QString path = dir_.filePath("mask.png");
    QVERIFY2(widgets::exportHeatmapFigure(figure, path, error, {QSize(800, 600), 96}), qPrintable(error));
    const QImage image(path);
    int stripPixels = 0;  // orange columns of one row through the strip, wherever it is
    for (int y = 0; y < image.height() / 3; ++y) {
      int lit = 0;
      for (int x = 0; x < image.width(); ++x) lit += orange(image.pixel(x, y));
      stripPixels = std::max(stripPixels, lit);
    }
    QVERIFY2(stripPixels >= 3 && stripPixels <= 9, qPrintable(QString("%1 strip pixels").arg(stripPixels)));
  }

  void optionsDialogReturnsItsFields() {
    widgets::FigureOptions initial;
    initial.logScale = true;
    widgets::FigureOptionsDialog dialog(initial);
    QCOMPARE(dialog.options().size, initial.size);
    QCOMPARE(dialog.options().dpi, initial.dpi);
    QCOMPARE(dialog.options().colourMap, QString("viridis"));
    QCOMPARE(dialog.options().logScale, std::optional<bool>(true));
    gui_test::require_child<QSpinBox>(dialog, "figureWidth")->setValue(800);
    gui_test::require_child<QSpinBox>(dialog, "figureHeight")->setValue(600);
    gui_test::require_child<QSpinBox>(dialog, "figureDpi")->setValue(200);
    gui_test::require_child<QComboBox>(dialog, "figureColourMap")->setCurrentText("grey");
    gui_test::require_child<QCheckBox>(dialog, "figureLogScale")->setChecked(false);
    const widgets::FigureOptions chosen = dialog.options();
    QCOMPARE(chosen.size, QSize(800, 600));
    QCOMPARE(chosen.dpi, 200);
    QCOMPARE(chosen.colourMap, QString("grey"));
    QCOMPARE(chosen.logScale, std::optional<bool>(false));
    QVERIFY(widgets::figureOptionsProblem(chosen).isEmpty());
    QVERIFY(gui_test::require_child<QLabel>(dialog, "figurePrintSize")->text().startsWith("4.00 × 3.00 in"));
  }
};

QUANTLENS_GUI_TEST_MAIN(HeatmapReadabilityTest)

#include "test_heatmap_readability.moc"
