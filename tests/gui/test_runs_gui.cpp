// The run list under Xvfb on the embedded model: runs are kept (a second Start never discards
// the first), overlaid on the loss chart, diffed, saved and reopened from disk, compared with
// the original model; a newly opened model starts the Optimise panel afresh; Start is guarded
// with a reason; perplexity shows its progress and the FP baseline; and after a run no view
// overflows its neighbours or widens the window at 1280x800 and 1920x1080 (screenshots of every
// view at both sizes go into the build tree).
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstdio>

#include "quantcore/io/model_spec.h"
#include "quantcore/quantize/quantize_job.h"
#include "widgets/dump_document.h"
#include "widgets/export_actions.h"
#include "widgets/help_dialogs.h"
#include "widgets/loss_chart.h"
#include "widgets/model_bounds_run.h"
#include "widgets/model_tree.h"
#include "widgets/number_format.h"
#include "widgets/optimisation_run.h"
#include "widgets/optimise_panel.h"
#include "widgets/run_list.h"
#include "widgets/run_table_model.h"
#include "widgets/runs_view.h"
#include "widgets/save_names.h"
#include "widgets/studio_inputs.h"
#include "widgets/table_csv.h"
#include "widgets/views.h"
#include "gui_test_support.h"

namespace {
using gui_test::kModel;
using gui_test::kText;
}  // namespace

class RunsGuiTest : public gui_test::StudioWindowTest {
  Q_OBJECT

  widgets::OptimisePanel* panel_ = nullptr;
  widgets::RunsView* runs_ = nullptr;
  QTemporaryDir out_;

  void openModel() {
    QSignalSpy opened(session_.get(), &widgets::StudioSession::modelOpened);
    session_->openModel(kModel);
    QVERIFY(opened.wait(30000));
  }
  void runOnce(double ratio) {
    child<QSpinBox>("optimiseNsamples")->setValue(4);
    child<QSpinBox>("optimiseSeqlen")->setValue(64);
    child<QSpinBox>("optimiseEpochs")->setValue(1);
    child<QDoubleSpinBox>("optimiseSalientRatio")->setValue(ratio);
    QSignalSpy finished(&panel_->run(), &widgets::OptimisationRun::finished);
    QTest::mouseClick(child<QPushButton>("optimiseStart"), Qt::LeftButton);
    QVERIFY(finished.wait(60000));
  }
  const widgets::RunList& list() { return session_->runs(); }
  // A run read back from disk against the run it was saved from: what it was, and every step's
  // losses exactly.
  static void compareReopened(const widgets::RunRecord& back, const widgets::RunRecord& original) {
    QCOMPARE(back.status, widgets::RunStatus::Reopened);
    QVERIFY(!back.result);
    QCOMPARE(back.method, original.method);
    QCOMPARE(back.spelling, original.spelling);
    QCOMPARE(back.settings, original.settings);
    QCOMPARE(back.nsamples, original.nsamples);
    QCOMPARE(back.epochs, original.epochs);
    QCOMPARE(back.losses.size(), original.losses.size());
    for (size_t i = 0; i < back.losses.size(); ++i) {
      const quantcore::LossEvent &a = back.losses[i], &b = original.losses[i];
      QVERIFY(a.block == b.block && a.epoch == b.epoch && a.step == b.step);
      QVERIFY(a.loss.total == b.loss.total && a.loss.mse_fp == b.loss.mse_fp && a.loss.nlc_q == b.loss.nlc_q);
    }
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(out_.isValid());
    createWindow();
    openModel();
    panel_ = qobject_cast<widgets::OptimisePanel*>(window_->view("optimise"));
    runs_ = qobject_cast<widgets::RunsView*>(window_->view("runs"));
    QVERIFY(panel_ && runs_);
    QVERIFY(window_->showView("optimise"));
  }

  void inputsAreGuardedAndDefaultsAreSmall() {
    // The shipped text is the default; the windows fit the model's context.
    QCOMPARE(child<QLineEdit>("optimiseText")->text(), widgets::shippedCalibrationText());
    QVERIFY(!widgets::shippedCalibrationText().isEmpty());
    QCOMPARE(child<QSpinBox>("optimiseNsamples")->value(), 32);
    QVERIFY(child<QSpinBox>("optimiseSeqlen")->value() <= session_->spec().max_position_embeddings);
    QCOMPARE(child<QSpinBox>("optimiseSeqlen")->maximum(), int(session_->spec().max_position_embeddings));
    QVERIFY(child<QPushButton>("optimiseStart")->isEnabled());
    // No text: Start is disabled and says why; a missing file is named.
    child<QLineEdit>("optimiseText")->setText("");
    QVERIFY(!child<QPushButton>("optimiseStart")->isEnabled());
    QVERIFY(child<QLabel>("optimiseStartReason")->text().contains("calibration text"));
    const QString missing = out_.filePath("no-such-text.txt");
    child<QLineEdit>("optimiseText")->setText(missing);
    QVERIFY(!child<QPushButton>("optimiseStart")->isEnabled());
    QCOMPARE(child<QLabel>("optimiseStartReason")->text(), missing + ": no such file");
    QCOMPARE(child<QPushButton>("optimiseStart")->toolTip(), missing + ": no such file");
    gui_test::save_screenshot(*window_, "gui-runs-start-guarded");
    child<QLineEdit>("optimiseText")->setText(kText);
    QVERIFY(child<QPushButton>("optimiseStart")->isEnabled());
    QVERIFY(child<QLabel>("optimiseStartReason")->text().isEmpty());
    // The calibration panel the same way.
    QCOMPARE(child<QLineEdit>("calibrationText")->text(), widgets::shippedCalibrationText());
    QVERIFY(child<QPushButton>("calibrationRun")->isEnabled());
    child<QLineEdit>("calibrationText")->setText(missing);
    QVERIFY(!child<QPushButton>("calibrationRun")->isEnabled());
    QCOMPARE(child<QLabel>("calibrationRunReason")->text(), missing + ": no such file");
    child<QLineEdit>("calibrationText")->setText(kText);
    QVERIFY(child<QPushButton>("calibrationRun")->isEnabled());
  }

  void aSecondStartKeepsTheFirstRun() {
    runOnce(0.2);
    QCOMPARE(list().count(), 1);
    const auto first = session_->quantizedRun();
    QVERIFY(first);
    runOnce(0.3);
    QCOMPARE(list().count(), 2);
    for (const widgets::RunRecord& r : list().records()) {
      QCOMPARE(r.status, widgets::RunStatus::Done);
      QVERIFY(r.result);
      QVERIFY(std::isfinite(r.storedBits) && std::isfinite(r.paperBits) && r.storedBits > r.paperBits - 1);
      QCOMPARE(qint64(r.losses.size()), session_->spec().num_layers * 4);
    }
    QCOMPARE(list().records()[0].result, first);
    QCOMPARE(session_->quantizedRun(), list().records()[1].result);  // the newest finished run is current
    QCOMPARE(list().records()[0].settings["parameters"]["salient-ratio"].get<double>(), 0.2);
    QCOMPARE(list().records()[1].settings["parameters"]["salient-ratio"].get<double>(), 0.3);
  }

  void checkedRunsAreOverlaidOnTheChart() {
    QCOMPARE(panel_->chart().overlayCount(), 0);
    auto* table = child<QTableView>("runTable");
    QAbstractItemModel* m = table->model();
    QVERIFY(m->setData(m->index(0, widgets::RunTableModel::Id), Qt::Checked, Qt::CheckStateRole));
    QCOMPARE(panel_->chart().overlayCount(), 1);
    // #2 is the run the live curves show: checked, it is not drawn a second time.
    QVERIFY(m->setData(m->index(1, widgets::RunTableModel::Id), Qt::Checked, Qt::CheckStateRole));
    QCOMPARE(panel_->chart().overlayCount(), 1);
    QVERIFY(window_->showView("optimise"));
    gui_test::save_screenshot(*window_, "gui-runs-overlaid");
    QVERIFY(m->setData(m->index(1, widgets::RunTableModel::Id), Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(panel_->chart().overlayCount(), 1);
    QVERIFY(m->setData(m->index(0, widgets::RunTableModel::Id), Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(panel_->chart().overlayCount(), 0);
    QVERIFY(m->setData(m->index(0, widgets::RunTableModel::Id), Qt::Checked, Qt::CheckStateRole));
  }

  void twoRunsSettingsAreDiffed() {
    QVERIFY(window_->showView("runs"));
    runs_->selectRuns({1, 2});
    QCOMPARE(runs_->selectedRuns(), (QList<int>{1, 2}));
    const QString diff = runs_->diffText();
    QVERIFY2(diff.contains("parameters.salient-ratio"), qPrintable(diff));
    QVERIFY(diff.contains("0.2") && diff.contains("0.3"));
    QVERIFY(!diff.contains("spelling"));
    QVERIFY(!diff.contains("parameters.epochs"));  // equal settings are not listed
    // The table copies as CSV: a header and one line per run.
    const QString csv = widgets::tableCsv(*child<QTableView>("runTable"), false);
    QCOMPARE(csv.count('\n'), 3);
    QVERIFY(csv.startsWith("#,method,settings,bits (paper),bits (stored),bits (bytes),FP PPL,PPL,time,status,kind,model"));
    gui_test::save_screenshot(*window_, "gui-runs-diff");
  }

  void perplexityShowsProgressAndTheBaseline() {
    QVERIFY(window_->showView("optimise"));
    child<QLineEdit>("perplexityText")->setText(kText);
    child<QSpinBox>("perplexitySeqlen")->setValue(64);
    child<QSpinBox>("perplexityWindows")->setValue(6);
    QSignalSpy done(&panel_->run(), &widgets::OptimisationRun::perplexityFinished);
    QTest::mouseClick(child<QPushButton>("perplexityRun"), Qt::LeftButton);
    QVERIFY(child<QProgressBar>("perplexityProgress")->isVisible());
    QVERIFY(done.wait(60000));
    QVERIFY(!child<QProgressBar>("perplexityProgress")->isVisible());
    QCOMPARE(done.first().at(1).toLongLong(), 6);  // the window cap
    const double fp = done.first().at(3).toDouble();
    QVERIFY(std::isfinite(fp) && fp > 1);
    const QString text = child<QLabel>("perplexityResult")->text();
    QVERIFY2(text.startsWith("PPL: FP ") && text.contains(QChar(0x2192)) && text.contains("6 windows"), qPrintable(text));
    // The number is the current run's (#2), written into its row.
    const widgets::RunRecord& r = list().records()[1];
    QCOMPARE(r.perplexity.windows, 6);
    QCOMPARE(r.perplexity.fpPpl, fp);
    QCOMPARE(r.perplexity.ppl, done.first().at(0).toDouble());
    std::printf("runs: perplexity of run #2 on 6 windows of 64: FP %.3f -> %.3f\n", fp, r.perplexity.ppl);
    // The second evaluation reuses the baseline of the same windows.
    QSignalSpy again(&panel_->run(), &widgets::OptimisationRun::perplexityFinished);
    QTest::mouseClick(child<QPushButton>("perplexityRun"), Qt::LeftButton);
    QVERIFY(again.wait(60000));
    QVERIFY(std::isnan(again.first().at(3).toDouble()));
    QVERIFY(child<QLabel>("perplexityResult")->text().contains(widgets::perplexityText(fp)));
  }

  void aSavedRunReopensWithItsNumbersAndCurves() {
    const QString dir = out_.filePath("run2");
    QSignalSpy saved(runs_, &widgets::RunsView::saved);
    runs_->saveRun(2, dir);
    QVERIFY(saved.wait(60000));
    QVERIFY(QFile::exists(dir + "/summary.json"));
    QVERIFY(QFile::exists(dir + "/losses.csv"));
    const widgets::RunRecord saved2 = list().records()[1];
    QVERIFY(std::isfinite(saved2.bitsFromBytes));
    QString error;
    QVERIFY2(runs_->openRun(dir, error), qPrintable(error));
    QCOMPARE(list().count(), 3);
    const widgets::RunRecord& back = list().records()[2];
    compareReopened(back, saved2);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(back.storedBits, saved2.storedBits);
    QCOMPARE(back.paperBits, saved2.paperBits);
    QCOMPARE(back.bitsFromBytes, saved2.bitsFromBytes);
    QCOMPARE(back.perplexity.ppl, saved2.perplexity.ppl);
    QCOMPARE(back.perplexity.fpPpl, saved2.perplexity.fpPpl);
    // Not a run: one line naming the file.
    QVERIFY(!runs_->openRun(out_.path(), error));
    QVERIFY2(error.startsWith(out_.path()) && !error.contains('\n'), qPrintable(error));
  }

  void aRunIsComparedWithTheOriginalModel() {
    QVERIFY(window_->showView("runs"));
    runs_->selectRuns({1});
    auto* compare = child<QPushButton>("runCompare");
    QVERIFY(compare->isEnabled());
    QSignalSpy opened(session_.get(), &widgets::StudioSession::secondModelOpened);
    QTest::mouseClick(compare, Qt::LeftButton);
    QVERIFY(opened.wait(30000));
    QCOMPARE(session_->secondModelPath(), QString("#1 ptq161"));
    QVERIFY(window_->view("compare")->isVisible());
    QVERIFY(child<QLabel>("compareStatus")->text().contains("#1 ptq161"));
    gui_test::save_screenshot(*window_, "gui-runs-compare");
  }

  void noViewOverflowsAtEitherWindowSize() {
    // After a run and a calibration every view has its content.
    QSignalSpy calibrated(session_.get(), &widgets::StudioSession::calibrationFinished);
    session_->calibrate(kText, {4, 64, 2});
    QVERIFY(calibrated.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(session_->modelBounds().complete(), 30000);
#if QUANTLENS_HAVE_HDF5
    // The current run's HDF5 dump, written from the File menu's export and read into the dump view.
    const QString dump = out_.filePath("run.h5");
    QSignalSpy exported(&window_->exports(), &widgets::ExportActions::finished);
    QString error;
    QVERIFY2(window_->exports().start(widgets::ExportActions::Kind::Hdf5Dump, dump, error), qPrintable(error));
    QVERIFY(exported.wait(60000));
    QSignalSpy read(&session_->dump(), &widgets::DumpDocument::opened);
    session_->dump().open(dump);
    QVERIFY(read.wait(60000));
    QVERIFY(child<QLabel>("dumpHeader")->text().contains("training minimises each block's output loss"));
#endif
    for (const QSize size : {QSize(1280, 800), QSize(1920, 1080)}) {
      window_->resize(size);
      for (const widgets::ViewEntry& v : widgets::studioViews()) {
        QVERIFY(window_->showView(v.name));
        QTest::qWait(50);
        QApplication::processEvents();
        QCOMPARE(window_->size(), size);  // nothing widened the window
        const QStringList problems = gui_test::layout_overflows(*window_);
        QVERIFY2(problems.isEmpty(), qPrintable(QString("%1 at %2x%3: %4")
                                                    .arg(v.name)
                                                    .arg(size.width())
                                                    .arg(size.height())
                                                    .arg(problems.join("; "))));
        gui_test::save_screenshot(*window_, QString("gui-%1-%2x%3").arg(v.name).arg(size.width()).arg(size.height()));
        if (v.name == "slider")  // the §2.2 rule where the count shows
          QVERIFY(child<QLabel>("maskLabel")->text().contains("(floor(ratio x 64) + 1)"));
      }
    }
    window_->resize(1280, 800);
  }

  void storedFormsStayWithinTheMemoryBudget() {
    widgets::RunList& runs = session_->runs();
    // #1 (ratio 0.2) made current: the budget releases the others before it, oldest first.
    QVERIFY(window_->showView("runs"));
    runs_->selectRuns({1});
    QTest::mouseClick(child<QPushButton>("runMakeCurrent"), Qt::LeftButton);
    QCOMPARE(session_->quantizedRun(), runs.records()[0].result);
    const qint64 one = runs.records()[0].result->quantized->stored_bytes();
    QVERIFY(one > 0 && int64_t(runs.records()[1].result->quantized->stored_bytes()) >= one);
    runs.setBudgetBytes(one);  // room for one run's stored forms
    QCOMPARE(runs.count(), 3);
    QVERIFY(runs.records()[0].result);   // the current run is never released
    QVERIFY(!runs.records()[1].result);  // though #2 is newer
    QVERIFY(runs.records()[1].message.contains("memory budget"));
    QVERIFY(!runs.records()[1].losses.empty());  // curves and numbers stay
    QVERIFY(std::isfinite(runs.records()[1].storedBits));
    QVERIFY(runs.keptBytes() <= one);
    // A released run can no longer be saved, and the button says why.
    runs_->selectRuns({2});
    QVERIFY(!child<QPushButton>("runSave")->isEnabled());
    QVERIFY(child<QPushButton>("runSave")->toolTip().contains("stored forms are in memory"));
    QVERIFY(child<QTableView>("runTable")->model()->index(1, widgets::RunTableModel::Status).data().toString().contains(
        "not in memory"));
    runs.setBudgetBytes(widgets::RunList::kDefaultBudgetBytes);
  }

  void aNewModelStartsThePanelAfresh() {
    QVERIFY(panel_->chart().eventCount() > 0);
    openModel();  // the same file opened again is a new model for the session
    QCOMPARE(panel_->chart().eventCount(), 0);
    QCOMPARE(child<QLabel>("perplexityResult")->text(), QString("-"));
    QCOMPARE(panel_->chart().overlayCount(), 1);  // the checked run of the previous model stays overlaid
    QVERIFY(!session_->quantizedRun());
    QVERIFY(!child<QPushButton>("perplexityRun")->isEnabled());
    QVERIFY(window_->modelTree().topLevelItem(0)->text(widgets::ModelTree::kBitsColumn).isEmpty());
    QCOMPARE(list().count(), 3);  // its runs stay in the list
    // Their stored forms now hold the previous model alive: the budget counts it, once.
    const widgets::RunRecord& first = list().records()[0];
    QVERIFY(first.result);
    QCOMPARE(list().keptBytes(), first.result->quantized->stored_bytes() +
                                     4 * quantcore::parameter_count(first.result->source.checkpoint->spec));
    // An old run cannot become the current run of another model.
    QVERIFY(window_->showView("runs"));
    runs_->selectRuns({1});
    QVERIFY(!child<QPushButton>("runMakeCurrent")->isEnabled());
  }

  void aModelOpenedDuringARunWaitsForTheRunsEnd() {
    QVERIFY(window_->showView("optimise"));
    child<QSpinBox>("optimiseNsamples")->setValue(4);
    child<QSpinBox>("optimiseSeqlen")->setValue(64);
    child<QSpinBox>("optimiseEpochs")->setValue(30);
    QSignalSpy batches(&panel_->run(), &widgets::OptimisationRun::lossesArrived);
    QSignalSpy finished(&panel_->run(), &widgets::OptimisationRun::finished);
    QTest::mouseClick(child<QPushButton>("optimiseStart"), Qt::LeftButton);
    QVERIFY(batches.wait(60000));
    openModel();
    QVERIFY2(panel_->run().running(), "the run ended before the model opened: make it longer");
    const int64_t before = panel_->chart().eventCount();
    QVERIFY(finished.wait(120000));
    // The run kept its whole curve in its row and was not made current for the new model...
    const widgets::RunRecord& r = list().records().back();
    QCOMPARE(r.status, widgets::RunStatus::Done);
    QCOMPARE(qint64(r.losses.size()), session_->spec().num_layers * 30 * 4);
    QVERIFY(int64_t(r.losses.size()) > before);
    QVERIFY(!session_->quantizedRun());
    QVERIFY(window_->modelTree().topLevelItem(0)->text(widgets::ModelTree::kBitsColumn).isEmpty());
    // ...and then the panel followed the new model.
    QCOMPARE(panel_->chart().eventCount(), 0);
    QCOMPARE(child<QLabel>("perplexityResult")->text(), QString("-"));
  }

  void aRunsDumpReopensAsARun() {
#if QUANTLENS_HAVE_HDF5
    // run.h5 was exported from run #2 (then current) before the views were pictured.
    const widgets::RunRecord two = list().records()[1];
    QString error;
    QVERIFY2(runs_->openRun(out_.filePath("run.h5"), error), qPrintable(error));
    const widgets::RunRecord& back = list().records().back();
    QCOMPARE(back.kind, QString("quantize-dump"));
    compareReopened(back, two);
    if (QTest::currentTestFailed()) return;
    QVERIFY(std::abs(back.storedBits - two.storedBits) < 1e-9);
    QVERIFY(std::abs(back.paperBits - two.paperBits) < 1e-9);
#else
    QSKIP("built without HDF5");
#endif
  }

  void saveDialogsCompleteTheSuffix() {
    QCOMPARE(widgets::withSuffixOf("/tmp/figure", "PNG image (*.png)"), QString("/tmp/figure.png"));
    QCOMPARE(widgets::withSuffixOf("/tmp/figure.svg", "PNG image (*.png)", "PNG image (*.png);;SVG drawing (*.svg)"),
             QString("/tmp/figure.svg"));
    QCOMPARE(widgets::withSuffixOf("/tmp/dump", "HDF5 files (*.h5)"), QString("/tmp/dump.h5"));
    // A dot in the name is not a suffix: "r0.2" gets the chosen one; a listed one is kept.
    const QString figures = "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)";
    QCOMPARE(widgets::withSuffixOf("/tmp/fig-r0.2", "PNG image (*.png)", figures), QString("/tmp/fig-r0.2.png"));
    QCOMPARE(widgets::withSuffixOf("/tmp/fig.SVG", "PNG image (*.png)", figures), QString("/tmp/fig.SVG"));
    QCOMPARE(widgets::withSuffixOf("/tmp/run-0.3.h5", "HDF5 files (*.h5)"), QString("/tmp/run-0.3.h5"));
    QVERIFY(widgets::suggestedBeside(kModel, "ptq161.h5").endsWith("/stories260K-ptq161.h5"));
  }

  void theHelpMenuHasTheGuideAndAbout() {
    QMenu* help = nullptr;
    for (QAction* a : window_->menuBar()->actions())
      if (a->text().remove('&') == "Help") help = a->menu();
    QVERIFY(help);
    QStringList titles;
    for (QAction* a : help->actions()) titles << a->text().remove('&');
    QVERIFY(titles.contains("User guide"));
    QVERIFY(titles.contains("About QuantLens Studio"));
    QVERIFY(QFile::exists(widgets::userGuidePath()));
  }

  void cleanupTestCase() { destroyWindow(); }
};

QUANTLENS_GUI_TEST_MAIN(RunsGuiTest)
#include "test_runs_gui.moc"
