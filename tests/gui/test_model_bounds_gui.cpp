// The slider view's table of every layer's eq. (4) bound under Xvfb: after calibration a run of
// slider moves leaves the table filled, for the final ratio only, with the values
// analysis::ModelBounds computes on its own; the event loop stays responsive throughout (the
// longest stall is printed). On the embedded stories260K and on house-llama.
#include <QApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "analysis/model_bounds.h"
#include "widgets/imgui_canvas.h"
#include "widgets/main_window.h"
#include "widgets/model_bounds_run.h"
#include "widgets/model_bounds_table.h"
#include "widgets/studio_session.h"
#include "gui_test_support.h"

namespace {
const QString kStories = QUANTLENS_SOURCE_DIR "/resources/models/stories260K/stories260K.bin";
const QString kStoriesText = QUANTLENS_SOURCE_DIR "/resources/text/little-stories.txt";
const QString kHouseLlama = QUANTLENS_SOURCE_DIR "/../shared/data/house-llama";
const QString kHouseText = QUANTLENS_SOURCE_DIR "/../shared/data/house-corpus/calib.txt";
}  // namespace

class ModelBoundsGuiTest : public gui_test::StudioWindowTest {
  Q_OBJECT

  void openAndCalibrate(const QString& model, const QString& text) {
    QSignalSpy opened(session_.get(), &widgets::StudioSession::modelOpened);
    session_->openModel(model);
    QVERIFY(opened.wait(30000));
    QCOMPARE(session_->modelBounds().layerCount(), size_t{0});  // no statistics yet
    QSignalSpy calibrated(session_.get(), &widgets::StudioSession::calibrationFinished);
    session_->calibrate(text, {4, 64, 2});
    QVERIFY(calibrated.wait(30000));
  }

  // Moves the slider one step at a time like a drag, then checks the table against a pass of
  // analysis::ModelBounds of its own at the final ratio.
  void dragAndCheck(const char* name) {
    window_->showView("slider");
    auto* slider = child<QSlider>("salientRatioSlider");
    auto* table = child<QTableView>("boundsTable");
    auto* panel = window_->findChild<widgets::ModelBoundsTable*>();
    QVERIFY(panel);
    const widgets::ModelBoundsRun& run = session_->modelBounds();
    const size_t n =
        static_cast<size_t>(session_->spec().num_layers * quantcore::block_linears(session_->spec()).size());
    QCOMPARE(run.layerCount(), n);
    QTRY_VERIFY_WITH_TIMEOUT(run.complete(), 20000);  // the pass started by calibration
    QCOMPARE(run.ratio(), session_->salientRatio());

    const int startPasses = run.passesStarted(), startCancelled = run.passesCancelled();
    slider->setFocus();
    slider->setValue(20);
    QElapsedTimer clock;
    gui_test::StallMeter meter;
    clock.start();
    for (int i = 0; i < 30; ++i) {
      QTest::keyClick(slider, Qt::Key_Right);
      QTest::qWait(3);
    }
    QCOMPARE(slider->value(), 50);
    QTRY_VERIFY_WITH_TIMEOUT(run.complete() && !session_->sliderPending(), 20000);
    const qint64 settledMs = clock.elapsed();
    QCOMPARE(run.ratio(), 0.5);
    QCOMPARE(run.layersDone(), n);
    QCOMPARE(table->model()->rowCount(), static_cast<int>(n));
    std::printf(
        "%s: %zu layers; 30 slider moves in the background: %d passes, %d cancelled; table complete %lld ms "
        "after the first move; longest event-loop stall %lld ms\n",
        name, n, run.passesStarted() - startPasses, run.passesCancelled() - startCancelled,
        static_cast<long long>(settledMs), static_cast<long long>(meter.maxGapMs()));
    QVERIFY2(meter.maxGapMs() < 1000, qPrintable(QString("event loop stalled %1 ms").arg(meter.maxGapMs())));

    // The same numbers from a ModelBounds of our own (the session keeps the model alive).
    std::shared_ptr<const quantcore::CausalLM> model(&session_->model(), [](const quantcore::CausalLM*) {});
    analysis::ModelBounds reference(model, session_->stats());
    quantcore::CancelToken cancel;
    const analysis::ModelBoundsPass expected = reference.evaluate(0.5, cancel);
    QCOMPARE(expected.layers.size(), n);
    for (size_t i = 0; i < n; ++i) {
      const analysis::LayerBound& got = run.rows()[i];
      QVERIFY(run.current(i));
      QCOMPARE(got.block, expected.layers[i].block);
      QCOMPARE(got.linear, expected.layers[i].linear);
      QCOMPARE(got.salient_columns, expected.layers[i].salient_columns);
      QCOMPARE(got.error_bound, expected.layers[i].error_bound);
      const int row = static_cast<int>(i);
      QCOMPARE(panel->cellText(row, widgets::ModelBoundsTable::kBound),
               QString::number(expected.layers[i].error_bound, 'g', 6));
      QCOMPARE(table->model()->index(row, widgets::ModelBoundsTable::kSalient).data().toString(),
               QString::number(expected.layers[i].salient_columns));
    }
    QCOMPARE(run.completePass()->total_error_bound, expected.total_error_bound);
    QCOMPARE(run.completePass()->model_bits_per_weight, expected.model_bits_per_weight);
    // The selected layer's foreground result is the same bound as its row.
    const widgets::LayerId& sel = session_->selectedLayer();
    const auto it = std::find_if(expected.layers.begin(), expected.layers.end(), [&](const analysis::LayerBound& b) {
      return b.block == sel.block && b.linear == sel.linear;
    });
    QVERIFY(it != expected.layers.end());
    QCOMPARE(session_->sliderResult()->error_bound, it->error_bound);
    QCOMPARE(session_->sliderResult()->model_bits_per_weight, expected.model_bits_per_weight);
    QVERIFY(child<QLabel>("boundsProgressLabel")->text().startsWith(QString("%1 of %1 layers").arg(n)));
    QVERIFY(child<QLabel>("boundsTotalLabel")->text().contains(QString::number(expected.total_error_bound, 'g', 6)));
    gui_test::save_screenshot(*window_, QString("gui-model-bounds-%1").arg(name));
  }

private Q_SLOTS:
  void initTestCase() { createWindow(1400, 820); }

  void stories260K() {
    openAndCalibrate(kStories, kStoriesText);
    dragAndCheck("stories260K");
  }

  void clickOnARowSelectsItsLinear() {
    auto* table = child<QTableView>("boundsTable");
    const int row = table->model()->rowCount() - 1;
    const QModelIndex cell = table->model()->index(row, widgets::ModelBoundsTable::kLinear);
    table->scrollTo(cell);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(cell).center());
    const analysis::LayerBound& last = session_->modelBounds().rows().back();
    QTRY_COMPARE_WITH_TIMEOUT(session_->selectedLayer().block, last.block, 5000);
    QCOMPARE(session_->selectedLayer().linear, last.linear);
    QCOMPARE(table->currentIndex().row(), row);
  }

  void houseLlama() {
    openAndCalibrate(kHouseLlama, kHouseText);
    dragAndCheck("house-llama");
  }

  void cleanupTestCase() { destroyWindow(); }
};

QUANTLENS_GUI_TEST_MAIN(ModelBoundsGuiTest)

#include "test_model_bounds_gui.moc"
