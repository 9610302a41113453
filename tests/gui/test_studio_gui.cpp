// QuantLens Studio under Xvfb: open the embedded model, calibrate, select layers with the mouse,
// move the salient-ratio slider, and check what the views show. Each test saves a screenshot
// of the window into the build tree (QUANTLENS_GUI_SHOTS).
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QFileInfo>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QLabel>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

#include "quantcore/io/model_spec.h"
#include "widgets/calibration_panel.h"
#include "widgets/heatmap_canvas.h"
#include "widgets/imgui_canvas.h"
#include "widgets/main_window.h"
#include "widgets/model_tree.h"
#include "widgets/recent_files.h"
#include "widgets/studio_session.h"
#include "widgets/weights_heatmap.h"
#include "gui_test_support.h"

namespace {
using gui_test::kModel;
using gui_test::kText;

// Centre of heatmap cell (row, col) in canvas coordinates at zoom 1, in the plot the last frame
// laid out (its margins follow the row labels).
QPoint cellCentre(const widgets::HeatmapCanvas& c, int64_t row, int64_t col) {
  const QRectF plot = c.plotArea();
  const auto& m = c.content().values;
  return QPoint(static_cast<int>(plot.left() + (col + 0.5) * plot.width() / m.cols),
                static_cast<int>(plot.top() + (row + 0.5) * plot.height() / m.rows));
}
}  // namespace

class StudioGuiTest : public gui_test::StudioWindowTest {
  Q_OBJECT

  void shot(QWidget& w, const QString& name) { gui_test::save_screenshot(w, name); }

private Q_SLOTS:
  void initTestCase() {
    createWindow();
    window_->recentFiles().clear();
  }

  void badModelIsReportedNotFatal() {
    QSignalSpy failed(session_.get(), &widgets::StudioSession::modelFailed);
    session_->openModel("/nonexistent/model.bin");
    QVERIFY(failed.wait(10000));
    QVERIFY(failed.takeFirst().at(0).toString().contains("/nonexistent/model.bin"));
    QVERIFY(!session_->hasModel());
  }

  void opensDefaultModel() {
    QSignalSpy opened(session_.get(), &widgets::StudioSession::modelOpened);
    session_->openModel(kModel);
    QVERIFY(opened.wait(30000));
    const auto& spec = session_->spec();
    QCOMPARE(window_->modelTree().topLevelItemCount(), 1);
    QCOMPARE(window_->modelTree().topLevelItem(0)->childCount(), static_cast<int>(spec.num_layers));
    const auto linears = quantcore::block_linears(spec);
    QCOMPARE(window_->modelTree().topLevelItem(0)->child(0)->childCount(), static_cast<int>(linears.size()));
    // The first linear is selected and its |W| is on the weights canvas.
    QCOMPARE(session_->selectedLayer().block, int64_t{0});
    QCOMPARE(session_->selectedLayer().linear, linears.front().name);
    auto* weights = child<widgets::HeatmapCanvas>("weightsCanvas");
    QCOMPARE(weights->content().values.rows, linears.front().out_features);
    QCOMPARE(weights->content().values.cols, linears.front().in_features);
    window_->showView("weights");
    shot(*window_, "gui-open-model");
  }

  void recentFilesReopenAModel() {
    const QString model = QFileInfo(kModel).absoluteFilePath();
    QCOMPARE(window_->recentFiles().paths(), QStringList{model});
    widgets::RecentFiles& recent = window_->recentFiles();
    for (int i = 0; i < 10; ++i) recent.add(QString("/nonexistent/model-%1.bin").arg(i));
    QCOMPARE(recent.paths().size(), widgets::RecentFiles::kMaxEntries);
    QVERIFY(!recent.paths().contains(model));  // the oldest dropped out
    recent.add(model);
    QCOMPARE(recent.paths().front(), model);
    QCOMPARE(recent.paths().size(), widgets::RecentFiles::kMaxEntries);
    // The menu lists them newest first; missing files are disabled; choosing one opens it.
    const QList<QAction*> actions = window_->recentMenu().actions();
    QVERIFY(actions.size() >= widgets::RecentFiles::kMaxEntries);
    QCOMPARE(actions[0]->data().toString(), model);
    QVERIFY(actions[0]->isEnabled());
    QVERIFY(!actions[1]->isEnabled());
    QVERIFY(actions[1]->text().contains("(missing)"));
    QSignalSpy opened(session_.get(), &widgets::StudioSession::modelOpened);
    actions[0]->trigger();
    QVERIFY(opened.wait(30000));
    QCOMPARE(session_->modelPath(), model);
  }

  void calibratesFromThePanel() {
    child<QLineEdit>("calibrationText")->setText(kText);
    child<QSpinBox>("calibrationSamples")->setValue(4);
    child<QSpinBox>("calibrationSeqlen")->setValue(64);
    QSignalSpy finished(session_.get(), &widgets::StudioSession::calibrationFinished);
    QTest::mouseClick(child<QPushButton>("calibrationRun"), Qt::LeftButton);
    QVERIFY(finished.wait(60000));
    QVERIFY(session_->hasStats());
    QCOMPARE(session_->stats().tokens, int64_t{4 * 64});
    const auto linears = quantcore::block_linears(session_->spec());
    QCOMPARE(static_cast<int64_t>(session_->stats().linears.size()),
             session_->spec().num_layers * static_cast<int64_t>(linears.size()));
    auto* progress = child<QProgressBar>("calibrationProgress");
    QCOMPARE(progress->value(), progress->maximum());
    auto* activations = child<widgets::HeatmapCanvas>("activationsCanvas");
    QCOMPARE(activations->content().values.rows, static_cast<int64_t>(session_->stats().linears.size()));
    QTRY_VERIFY_WITH_TIMEOUT(session_->sliderResult().has_value() && !session_->sliderPending(), 10000);
    window_->showView("activations");
    // The rows are (block, linear) pairs: the row axis names them, or their blocks where rows are dense.
    const auto namesBlock1 = [activations] {
      const auto& labels = activations->tickLabels();
      return std::any_of(labels.begin(), labels.end(),
                         [](const std::string& l) { return l == "b1" || l.rfind("b1 ", 0) == 0; });
    };
    QTRY_VERIFY_WITH_TIMEOUT(namesBlock1(), 5000);
    shot(*window_, "gui-calibrated");
  }

  void cancelStopsACalibration() {
    child<QSpinBox>("calibrationSamples")->setValue(4096);
    child<QSpinBox>("calibrationSeqlen")->setValue(256);
    child<QSpinBox>("calibrationSeed")->setValue(7);
    QSignalSpy cancelled(session_.get(), &widgets::StudioSession::calibrationCancelled);
    QTest::mouseClick(child<QPushButton>("calibrationRun"), Qt::LeftButton);
    QVERIFY(child<QPushButton>("calibrationCancel")->isEnabled());
    QTest::mouseClick(child<QPushButton>("calibrationCancel"), Qt::LeftButton);
    QVERIFY(cancelled.wait(30000));
    QCOMPARE(session_->stats().tokens, int64_t{4 * 64});  // the earlier statistics stay
    QVERIFY(child<QPushButton>("calibrationRun")->isEnabled());
    shot(*window_, "gui-cancelled");
  }

  void clickOnActivationsSelectsALayer() {
    window_->showView("activations");
    auto* canvas = child<widgets::HeatmapCanvas>("activationsCanvas");
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QTRY_VERIFY_WITH_TIMEOUT(!canvas->plotArea().isEmpty(), 5000);
    const auto linears = quantcore::block_linears(session_->spec());
    const int64_t row = static_cast<int64_t>(linears.size()) + 2;  // block 1, third linear
    QTest::mouseMove(canvas, cellCentre(*canvas, row, 3));
    QTest::mouseClick(canvas, Qt::LeftButton, {}, cellCentre(*canvas, row, 3));
    QTRY_COMPARE_WITH_TIMEOUT(session_->selectedLayer().block, int64_t{1}, 5000);
    QCOMPARE(session_->selectedLayer().linear, linears[2].name);
    QTRY_VERIFY_WITH_TIMEOUT(session_->sliderResult().has_value() && !session_->sliderPending(), 10000);
    QCOMPARE(static_cast<int64_t>(session_->sliderResult()->mask.size()), linears[2].in_features);
    // The wheel zooms in around the mouse: fewer cells visible than rows and columns.
    const QPoint at = cellCentre(*canvas, row, 3);
    QWheelEvent wheel(at, canvas->mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(canvas, &wheel);
    QTRY_VERIFY_WITH_TIMEOUT(canvas->zoom() > 1.5f, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(canvas->visibleRegion().cols() < canvas->content().values.cols, 5000);
    shot(*window_, "gui-activations-selected-zoomed");
  }

  void sliderChangesMaskAndBits() {
    window_->showView("slider");
    auto* slider = child<QSlider>("salientRatioSlider");
    QVERIFY(session_->sliderResult().has_value());
    const analysis::SalientSliderResult before = *session_->sliderResult();
    const QString maskBefore = child<QLabel>("maskLabel")->text();
    const QString bitsBefore = child<QLabel>("bitsLabel")->text();
    shot(*window_, "gui-slider-0.20");

    slider->setFocus();
    for (int i = 0; i < 6; ++i) QTest::keyClick(slider, Qt::Key_PageUp);  // 0.20 -> 0.50
    QCOMPARE(slider->value(), 50);
    QTRY_VERIFY_WITH_TIMEOUT(!session_->sliderPending(), 10000);
    const analysis::SalientSliderResult& after = *session_->sliderResult();
    QCOMPARE(after.ratio, 0.5);
    const auto m = static_cast<int64_t>(after.mask.size());
    QVERIFY(after.salient_columns >= m / 2 + 1);  // spec §2.2: thr = sorted[floor(r*m)], ties included
    QVERIFY(after.salient_columns > before.salient_columns);
    QVERIFY(after.model_bits_per_weight > before.model_bits_per_weight);
    QVERIFY(after.error_bound != before.error_bound);
    QVERIFY(child<QLabel>("maskLabel")->text() != maskBefore);
    QVERIFY(child<QLabel>("bitsLabel")->text() != bitsBefore);
    // The mask ranks channels by max|x|: every salient channel's statistic is at least every
    // other channel's.
    const auto& s = session_->stats().at(session_->selectedLayer().block, session_->selectedLayer().linear).max_abs;
    float minSalient = INFINITY, maxOther = -INFINITY;
    for (int64_t j = 0; j < m; ++j) {
      if (after.mask[j])
        minSalient = std::min(minSalient, s[j]);
      else
        maxOther = std::max(maxOther, s[j]);
    }
    QVERIFY(minSalient >= maxOther);
    shot(*window_, "gui-slider-0.50");
  }

  void weightsViewMarksTopKAndMask() {
    window_->showView("weights");
    auto* canvas = child<widgets::WeightsHeatmap>("weightsCanvas");
    const auto& w = session_->selectedWeightMagnitude();
    const auto k = static_cast<int64_t>(std::llround(session_->salientRatio() * w.values.size()));
    QVERIFY(canvas->markedWeights() >= k);
    QVERIFY(canvas->markedWeights() <= k + 4);  // only ties at the threshold add to k
    child<QCheckBox>("weightsMarkTopK")->setChecked(false);
    QCOMPARE(canvas->markedWeights(), int64_t{0});
    QVERIFY(std::isinf(canvas->overlay().markThreshold));
    child<QCheckBox>("weightsMarkTopK")->setChecked(true);
    QVERIFY(canvas->markedWeights() >= k);
    // The structured mask of the slider is drawn as column bands.
    QCOMPARE(canvas->overlay().columnBands, session_->sliderResult()->mask);
    shot(*window_, "gui-weights");
  }

  void largeMatrixUploadsOnlyWhatTheViewportNeeds() {
    widgets::HeatmapCanvas canvas;
    canvas.resize(640, 400);
    widgets::HeatmapContent content;
    content.title = "random 1024 x 4096";
    content.values.rows = 1024;
    content.values.cols = 4096;
    content.values.values.resize(1024 * 4096);
    std::mt19937 rng(1);
    std::exponential_distribution<float> dist(1.0f);
    for (float& v : content.values.values) v = dist(rng);
    canvas.setContent(std::move(content));
    canvas.show();
    QVERIFY(QTest::qWaitForWindowExposed(&canvas));
    QTRY_VERIFY_WITH_TIMEOUT(!canvas.uploadedTextureSize().isEmpty(), 5000);
    const double dpr = canvas.devicePixelRatioF();
    QVERIFY(canvas.plotArea().width() < 640 - 100 && canvas.plotArea().height() < 400 - 60);
    QVERIFY(canvas.uploadedTextureSize().width() <= canvas.plotArea().width() * dpr);
    QVERIFY(canvas.uploadedTextureSize().height() <= canvas.plotArea().height() * dpr);
    QCOMPARE(canvas.visibleRegion().cols(), int64_t{4096});
    shot(canvas, "gui-large-matrix");
  }

  // Keys reach the ImGui canvas one transition per frame: each press counts once.
  void keyboardPansAndZooms() {
    widgets::HeatmapCanvas canvas;
    canvas.resize(640, 400);
    widgets::HeatmapContent content;
    content.values.rows = 200;
    content.values.cols = 300;
    content.values.values.assign(200 * 300, 1.0f);
    canvas.setContent(std::move(content));
    canvas.show();
    QVERIFY(QTest::qWaitForWindowExposed(&canvas));
    canvas.setFocus();
    for (int i = 0; i < 3; ++i) QTest::keyClick(&canvas, Qt::Key_Plus, Qt::NoModifier);
    QTRY_COMPARE_WITH_TIMEOUT(canvas.zoom(), 1.25f * 1.25f * 1.25f, 5000);
    // Zoom keeps the centre: 300 / zoom columns visible around column 150.
    const double visible = 300 / canvas.zoom();
    const auto near = [](double a, double b) { return std::abs(a - b) < 1e-4; };  // zoom is a float
    QVERIFY(near(canvas.viewState().col, 150 - visible / 2));
    const widgets::HeatmapCanvas::ViewState zoomed = canvas.viewState();
    QTest::keyClick(&canvas, Qt::Key_Right);
    QTest::keyClick(&canvas, Qt::Key_Right);
    QTest::keyClick(&canvas, Qt::Key_Down);
    QTRY_VERIFY_WITH_TIMEOUT(near(canvas.viewState().row, zoomed.row + 0.1 * 200 / canvas.zoom()), 5000);
    QVERIFY(near(canvas.viewState().col, zoomed.col + 0.2 * visible));
    QTest::keyClick(&canvas, Qt::Key_Minus);
    QTRY_COMPARE_WITH_TIMEOUT(canvas.zoom(), 1.25f * 1.25f, 5000);
    QTest::keyClick(&canvas, Qt::Key_Home);
    QTRY_COMPARE_WITH_TIMEOUT(canvas.zoom(), 1.0f, 5000);
    QCOMPARE(canvas.viewState().col, 0.0);
  }

  void cleanupTestCase() { destroyWindow(); }
};

QUANTLENS_GUI_TEST_MAIN(StudioGuiTest)

#include "test_studio_gui.moc"
