// The Preprocess panel and the before/after view under Xvfb, on the embedded model: a short
// restorative-LoRA run started from the panel draws one loss and one learning-rate point per
// step, ends as a "preprocess" row of the run list (reopened from its directory the same way),
// and makes M_P the second model, whose activation map the before/after view draws beside the
// original's; a long run cancelled from the panel keeps its row, cancelled, and its work
// directory for Resume.
#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>

#include <cmath>
#include <memory>

#include "gui_test_support.h"
#include "widgets/heatmap_canvas.h"
#include "widgets/main_window.h"
#include "widgets/run_kinds.h"
#include "widgets/run_list.h"
#include "widgets/studio_session.h"

namespace {
using gui_test::kModel;
using gui_test::kText;
}  // namespace

class PreprocessGuiTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::unique_ptr<widgets::StudioSession> session_;
  std::unique_ptr<widgets::MainWindow> window_;
  QWidget* panel_ = nullptr;

  template <typename T>
  T* child(const char* name) {
    T* w = panel_->findChild<T*>(name);
    if (!w) qFatal("no widget %s", name);
    return w;
  }
  void configure(const QString& out, int steps) {
    child<QLineEdit>("preprocessOut")->setText(out);
    child<QLineEdit>("preprocessTrainText")->setText(kText);
    child<QSpinBox>("preprocessSteps")->setValue(steps);
    child<QSpinBox>("preprocessRank")->setValue(4);
    child<QSpinBox>("preprocessMaxLen")->setValue(64);
    child<QSpinBox>("preprocessFirstEpochs")->setValue(1);
  }
  const widgets::RunRecord* lastRun() const {
    const auto& rows = session_->runs().records();
    return rows.empty() ? nullptr : &rows.back();
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    qputenv("XDG_CACHE_HOME", dir_.filePath("cache").toUtf8());
    session_ = std::make_unique<widgets::StudioSession>();
    window_ = std::make_unique<widgets::MainWindow>(*session_, false);
    window_->resize(1280, 800);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QSignalSpy opened(session_.get(), &widgets::StudioSession::modelOpened);
    session_->openModel(kModel);
    QVERIFY(opened.wait(30000));
    QVERIFY(window_->showView("preprocess"));
    panel_ = window_->view("preprocess");
    QVERIFY(panel_);
    QVERIFY(!child<QPushButton>("preprocessStart")->isEnabled());  // no calibration yet
    QSignalSpy calibrated(session_.get(), &widgets::StudioSession::calibrationFinished);
    session_->calibrate(kText, {4, 64, 2});
    QVERIFY(calibrated.wait(60000));
    QVERIFY(child<QPushButton>("preprocessStart")->isEnabled());
  }

  void aShortRunDrawsItsCurvesAndBecomesTheSecondModel() {
    const QString out = dir_.filePath("mp");
    configure(out, 12);
    QSignalSpy second(session_.get(), &widgets::StudioSession::secondModelOpened);
    QTest::mouseClick(child<QPushButton>("preprocessStart"), Qt::LeftButton);
    QVERIFY(second.wait(120000));
    QCOMPARE(session_->secondModelPath(), out);
    const widgets::RunRecord* run = lastRun();
    QVERIFY(run);
    QCOMPARE(run->kind, QString("preprocess"));
    QCOMPARE(run->status, widgets::RunStatus::Done);
    QCOMPARE(run->losses.size(), size_t(12));
    const auto* chart = child<QChartView>("preprocessChart")->chart();
    const auto series = chart->series();
    QCOMPARE(series.size(), 2);
    for (QAbstractSeries* s : series) QCOMPARE(static_cast<QLineSeries*>(s)->count(), 12);
    QVERIFY(session_->preprocessRecord().is_object());
    QVERIFY(session_->preprocessRecord()["concentration"]["after"]["mean"]["in_mask_hessian"].get<double>() > 0);
    gui_test::save_screenshot(*window_, "studio-preprocess");

    const std::vector<widgets::RunRecord> reopened = widgets::openSavedRuns(out);
    QCOMPARE(reopened.size(), size_t(1));
    QCOMPARE(reopened[0].kind, QString("preprocess"));
    QCOMPARE(reopened[0].losses.size(), size_t(12));
    QCOMPARE(reopened[0].losses.back().loss.total, run->losses.back().loss.total);

    QVERIFY(window_->showView("before-after"));
    QWidget* view = window_->view("before-after");
    auto* before = view->findChild<widgets::HeatmapCanvas*>("beforeCanvas");
    auto* after = view->findChild<widgets::HeatmapCanvas*>("afterCanvas");
    QTRY_VERIFY_WITH_TIMEOUT(session_->secondStats() != nullptr, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(after->content().values.rows > 0, 10000);
    QCOMPARE(after->content().values.rows, before->content().values.rows);
    QCOMPARE(before->valueRange(), after->valueRange());
    gui_test::save_screenshot(*window_, "studio-before-after-gui");

    // Weights mode: |W| of the selected linear in both models, each with its own mask and top-k marks.
    session_->selectLayer(1, "mlp.down_proj");
    view->findChild<QComboBox*>("beforeAfterMode")->setCurrentIndex(1);
    QCOMPARE(before->content().values.cols, int64_t(172));
    QCOMPARE(after->overlay().columnBands.size(), size_t(172));
    QVERIFY(std::isfinite(after->overlay().markThreshold));
    QCOMPARE(before->valueRange(), after->valueRange());
    gui_test::save_screenshot(*window_, "studio-before-after-weights");
  }

  void aCancelledRunKeepsItsRowAndItsWorkDirectory() {
    QVERIFY(window_->showView("preprocess"));
    const QString out = dir_.filePath("long");
    configure(out, 100000);
    QTest::mouseClick(child<QPushButton>("preprocessStart"), Qt::LeftButton);
    auto* loss = static_cast<QLineSeries*>(child<QChartView>("preprocessChart")->chart()->series().front());
    QTRY_VERIFY_WITH_TIMEOUT(loss->count() >= 3, 60000);
    QTest::mouseClick(child<QPushButton>("preprocessCancel"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(lastRun()->status == widgets::RunStatus::Cancelled, 30000);
    QVERIFY(QFileInfo(out + ".preprocess-partial/adapter/checkpoint.safetensors").isFile());
    QVERIFY(!QFileInfo::exists(out));
    QVERIFY(child<QPushButton>("preprocessResume")->isEnabled());
  }
};

QTEST_MAIN(PreprocessGuiTest)
#include "test_preprocess_gui.moc"
