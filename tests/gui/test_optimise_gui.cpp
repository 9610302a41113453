// The optimisation panel under Xvfb: a short PTQ1.61 run on the embedded model streams loss
// points to the chart while the event loop stays responsive (the longest stall is measured and
// printed), perplexity of the result runs from the panel, and Cancel stops a run without
// touching the open model. Screenshots go into the build tree (QUANTLENS_GUI_SHOTS).
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "analysis/layer_view.h"
#include "quantcore/io/model_spec.h"
#include "quantcore/methods/registry.h"
#include "quantcore/quantize/quantize_job.h"
#include "widgets/imgui_canvas.h"
#include "widgets/loss_chart.h"
#include "widgets/main_window.h"
#include "widgets/optimisation_run.h"
#include "widgets/optimise_panel.h"
#include "widgets/run_list.h"
#include "widgets/studio_session.h"
#include "gui_test_support.h"

namespace {
using gui_test::kModel;
using gui_test::kText;
}  // namespace

class OptimiseGuiTest : public gui_test::StudioWindowTest {
  Q_OBJECT

  widgets::OptimisePanel* panel_ = nullptr;

  void shot(QWidget& w, const QString& name) { gui_test::save_screenshot(w, name); }
  void setShortRun(int epochs) {
    child<QLineEdit>("optimiseText")->setText(kText);
    child<QSpinBox>("optimiseNsamples")->setValue(4);
    child<QSpinBox>("optimiseSeqlen")->setValue(64);
    child<QSpinBox>("optimiseEpochs")->setValue(epochs);
  }

private Q_SLOTS:
  void initTestCase() {
    createWindow();
    QSignalSpy opened(session_.get(), &widgets::StudioSession::modelOpened);
    session_->openModel(kModel);
    QVERIFY(opened.wait(30000));
    QVERIFY(window_->showView("optimise"));
    panel_ = qobject_cast<widgets::OptimisePanel*>(window_->view("optimise"));
    QVERIFY(panel_);
  }

  void defaultsComeFromTheSpec() {
    // The Studio's small windows (32 x 256, within the model's context); the method's settings
    // from spec §2.2, §5.2: 20 epochs, ratio 0.2, lr 5e-4 / 1e-3, learning on
    QCOMPARE(child<QSpinBox>("optimiseNsamples")->value(), 32);
    QCOMPARE(child<QSpinBox>("optimiseSeqlen")->value(), 256);
    QCOMPARE(child<QSpinBox>("optimiseEpochs")->value(), 20);
    QCOMPARE(child<QCheckBox>("optimiseNoLearn")->isChecked(), false);
    // The method chooser lists the registry; the salient ratio is the session's.
    QCOMPARE(child<QComboBox>("optimiseMethod")->count(), int(quantcore::methods::registered_methods().size()));
    QCOMPARE(child<QDoubleSpinBox>("optimiseSalientRatio")->value(), session_->salientRatio());
    QCOMPARE(child<QTreeWidget>("blockList")->topLevelItemCount(), int(session_->spec().num_layers));
  }

  void lossPointsArriveWhileTheGuiStaysResponsive() {
    setShortRun(1);
    const int64_t blocks = session_->spec().num_layers;
    QSignalSpy batches(&panel_->run(), &widgets::OptimisationRun::lossesArrived);
    QSignalSpy finished(&panel_->run(), &widgets::OptimisationRun::finished);
    gui_test::StallMeter meter;
    QTest::mouseClick(child<QPushButton>("optimiseStart"), Qt::LeftButton);
    QVERIFY(child<QPushButton>("optimiseCancel")->isEnabled());
    QVERIFY(!child<QPushButton>("optimiseStart")->isEnabled());
    QVERIFY(finished.wait(60000));

    // One event per optimiser step: blocks x epochs x nsamples, every term drawn for each.
    const int64_t steps = blocks * 1 * 4;
    QCOMPARE(panel_->run().stepsDone(), steps);
    QCOMPARE(panel_->chart().eventCount(), steps);
    for (int t = 0; t < widgets::LossChart::kTerms; ++t) QCOMPARE(int64_t(panel_->chart().pointCount(t)), steps);
    auto* list = child<QTreeWidget>("blockList");
    for (int b = 0; b < list->topLevelItemCount(); ++b) {
      QCOMPARE(list->topLevelItem(b)->text(1), QString("4 / 4"));
      QCOMPARE(list->topLevelItem(b)->text(3), QString("done"));
      QVERIFY(list->topLevelItem(b)->text(2).toDouble() > 0);
    }
    std::printf("optimise: %lld steps in %d batches, %.2f s, longest event-loop stall %lld ms (%d ticks of 10 ms)\n",
                static_cast<long long>(steps), int(batches.size()), finished.first().at(0).toDouble(),
                static_cast<long long>(meter.maxGapMs()), meter.ticks());
    QVERIFY(batches.size() >= 1);
    // The work runs on the pool: the GUI thread only draws batches, never waits for the job.
    QVERIFY2(meter.maxGapMs() < 1000, qPrintable(QString("event loop stalled %1 ms").arg(meter.maxGapMs())));

    // The single-block view shows only that block's steps.
    auto chooseBlock = [&](int64_t b) { panel_->chart().showBlock(b); };
    chooseBlock(2);
    QCOMPARE(panel_->chart().pointCount(widgets::LossChart::kTerms - 1), 4);
    chooseBlock(-1);
    shot(*window_, "gui-optimise-finished");
  }

  void perplexityOfTheResultRunsFromThePanel() {
    child<QLineEdit>("perplexityText")->setText(kText);
    child<QSpinBox>("perplexitySeqlen")->setValue(64);
    auto* run = child<QPushButton>("perplexityRun");
    QVERIFY(run->isEnabled());
    QSignalSpy done(&panel_->run(), &widgets::OptimisationRun::perplexityFinished);
    QTest::mouseClick(run, Qt::LeftButton);
    QVERIFY(done.wait(60000));
    const double ppl = done.first().at(0).toDouble();
    std::printf(
        "optimise: perplexity of the 1-epoch result on little-stories.txt at seqlen 64: %.3f over %lld windows\n", ppl,
        static_cast<long long>(done.first().at(1).toLongLong()));
    QVERIFY(std::isfinite(ppl) && ppl > 1);
    QVERIFY(done.first().at(1).toLongLong() > 0);
    QVERIFY(child<QLabel>("perplexityResult")->text().startsWith("PPL: FP "));
    QVERIFY(child<QLabel>("perplexityResult")->text().contains("dense"));

    // The same run's perplexity from its packed bits: the panel says which path ran.
    auto* kernels = child<QComboBox>("perplexityKernels");
    QVERIFY(kernels->isEnabled());
    kernels->setCurrentIndex(kernels->findData("packed"));
    QSignalSpy packedDone(&panel_->run(), &widgets::OptimisationRun::perplexityFinished);
    QTest::mouseClick(run, Qt::LeftButton);
    QVERIFY(packedDone.wait(60000));
    const double packedPpl = packedDone.first().at(0).toDouble();
    std::printf("optimise: the same with the packed kernels: %.3f\n", packedPpl);
    QCOMPARE(packedDone.first().at(2).toString(), QString("packed"));
    QVERIFY(std::abs(packedPpl - ppl) < 1e-3 * ppl);
    QVERIFY(packedPpl != ppl);  // the dense path run twice would be bit-identical
    QVERIFY(child<QLabel>("perplexityResult")->text().contains("packed kernels"));
    shot(*window_, "gui-optimise-perplexity");
  }

  void cancelStopsTheRunAndLeavesTheModelUntouched() {
    const QString linear = "self_attn.q_proj";
    const analysis::FloatMatrix before = analysis::linear_weight_magnitude(session_->model(), 0, linear.toStdString());
    setShortRun(1000);
    QSignalSpy batches(&panel_->run(), &widgets::OptimisationRun::lossesArrived);
    QSignalSpy cancelled(&panel_->run(), &widgets::OptimisationRun::cancelled);
    QTest::mouseClick(child<QPushButton>("optimiseStart"), Qt::LeftButton);
    QVERIFY(batches.wait(60000));  // mid-run: the first block is learning
    QTest::mouseClick(child<QPushButton>("optimiseCancel"), Qt::LeftButton);
    QVERIFY(cancelled.wait(30000));
    QVERIFY(panel_->run().stepsDone() < panel_->run().totalSteps());
    QVERIFY(!panel_->run().hasResult());
    QVERIFY(child<QPushButton>("optimiseStart")->isEnabled());
    // The cancelled run keeps its row; the run finished before it stays the current run.
    const widgets::RunRecord& cancelledRun = session_->runs().records().back();
    QCOMPARE(cancelledRun.status, widgets::RunStatus::Cancelled);
    QVERIFY(!cancelledRun.losses.empty());
    QVERIFY(session_->quantizedRun());
    QCOMPARE(session_->quantizedRun(), session_->runs().records().front().result);
    QVERIFY(child<QPushButton>("perplexityRun")->isEnabled());
    const analysis::FloatMatrix after = analysis::linear_weight_magnitude(session_->model(), 0, linear.toStdString());
    QCOMPARE(after.rows, before.rows);
    QVERIFY(after.values == before.values);
    shot(*window_, "gui-optimise-cancelled");
  }

  void theSlidersRatioIsWhatTheRunUses() {
    // Calibrate as the run will, so that the run reuses the session's tokens and statistics.
    QSignalSpy calibrated(session_.get(), &widgets::StudioSession::calibrationFinished);
    session_->calibrate(kText, {4, 64, 2});
    QVERIFY(calibrated.wait(60000));
    QVERIFY(window_->showView("slider"));
    child<QSlider>("salientRatioSlider")->setValue(30);
    QCOMPARE(session_->salientRatio(), 0.3);
    QVERIFY(window_->showView("optimise"));
    QCOMPARE(child<QDoubleSpinBox>("optimiseSalientRatio")->value(), 0.3);
    setShortRun(1);
    QSignalSpy finished(&panel_->run(), &widgets::OptimisationRun::finished);
    QTest::mouseClick(child<QPushButton>("optimiseStart"), Qt::LeftButton);
    QVERIFY(finished.wait(60000));
    const auto run = session_->quantizedRun();
    QVERIFY(run);
    QCOMPARE(run->settings.method.real("salient-ratio"), 0.3);
    // Every linear's mask holds floor(0.3 m) + 1 columns or more (spec §2.2, ties included).
    for (const auto& block : run->quantized->blocks)
      for (const auto& l : block.linears)
        QVERIFY(l->salient_columns() >= int64_t(std::floor(0.3 * double(l->in_features()))) + 1);
    // The run used the session's open checkpoint, model and calibration: nothing was reopened.
    QCOMPARE(run->source.checkpoint.get(), session_->checkpoint().get());
    QCOMPARE(run->source.model.get(), &session_->model());
    QCOMPARE(run->stats.get(), session_->calibration()->stats.get());
    std::printf("optimise: run at ratio 0.3 keeps %lld bytes of stored forms\n",
                static_cast<long long>(run->quantized->stored_bytes()));
    // A moved field moves the session's ratio back.
    child<QDoubleSpinBox>("optimiseSalientRatio")->setValue(0.2);
    QCOMPARE(session_->salientRatio(), 0.2);
  }

  void cleanupTestCase() { destroyWindow(); }
};

QUANTLENS_GUI_TEST_MAIN(OptimiseGuiTest)

#include "test_optimise_gui.moc"
