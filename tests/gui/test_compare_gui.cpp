// The compare view under Xvfb: the embedded model against a PTQ1.61 copy made here by
// `quantlens quantize` (nsamples 4, seqlen 64, epochs 1). Both |W| maps share one colour scale,
// the difference view holds |W1 - W2|, and a zoom in one canvas moves the other two.
#include <QApplication>
#include <QDir>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "widgets/compare_view.h"
#include "widgets/heatmap_canvas.h"
#include "widgets/heatmap_figure.h"
#include "widgets/imgui_canvas.h"
#include "widgets/main_window.h"
#include "widgets/studio_session.h"
#include "gui_test_support.h"

namespace {
using gui_test::kModel;
using gui_test::kText;
}  // namespace

class CompareGuiTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::unique_ptr<widgets::StudioSession> session_;
  std::unique_ptr<widgets::MainWindow> window_;
  widgets::CompareView* view_ = nullptr;

  void shot(QWidget& w, const QString& name) { gui_test::save_screenshot(w, name); }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    qputenv("XDG_CACHE_HOME", dir_.filePath("cache").toUtf8());
    const QString quantised = dir_.filePath("stories260K-ptq161");
    QProcess cli;
    cli.start(QUANTLENS_CLI, {"quantize", kModel, "--calib", kText, "--nsamples", "4", "--seqlen", "64", "--epochs",
                              "1", "--out", quantised, "--quiet"});
    QVERIFY(cli.waitForFinished(120000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());

    session_ = std::make_unique<widgets::StudioSession>();
    window_ = std::make_unique<widgets::MainWindow>(*session_, false);
    window_->resize(1280, 800);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QSignalSpy opened(session_.get(), &widgets::StudioSession::modelOpened);
    session_->openModel(kModel);
    QVERIFY(opened.wait(30000));
    QVERIFY(window_->showView("compare"));
    view_ = qobject_cast<widgets::CompareView*>(window_->view("compare"));
    QVERIFY(view_);
    QSignalSpy second(view_, &widgets::CompareView::secondModelOpened);
    view_->openSecondModel(quantised);
    QVERIFY(second.wait(30000));
  }

  void bothMapsShareOneColourScaleAndTheDifferenceIsExact() {
    const auto& a = view_->left().content().values;
    const auto& b = view_->right().content().values;
    const auto& d = view_->difference().content().values;
    QVERIFY(a.rows > 0 && a.cols > 0);
    QCOMPARE(b.rows, a.rows);
    QCOMPARE(d.cols, a.cols);
    QCOMPARE(view_->left().valueRange(), view_->right().valueRange());
    const auto [lo, hi] = view_->left().valueRange();
    const float maxA = *std::max_element(a.values.begin(), a.values.end());
    const float maxB = *std::max_element(b.values.begin(), b.values.end());
    QCOMPARE(hi, std::max(maxA, maxB));
    QVERIFY(lo <= std::min(*std::min_element(a.values.begin(), a.values.end()),
                           *std::min_element(b.values.begin(), b.values.end())));
    // An exported figure keeps the shared scale, not one of its own matrix.
    for (const widgets::HeatmapCanvas* canvas : {&view_->left(), &view_->right()}) {
      const widgets::HeatmapFigure figure = widgets::figureOf(*canvas);
      QCOMPARE(figure.lo, lo);
      QCOMPARE(figure.hi, hi);
      QCOMPARE(figure.loPositive, view_->left().smallestPositive());
    }
    // |W1 - W2| >= ||W1| - |W2|| everywhere, with equality where the signs agree (most weights:
    // binarisation keeps sgn(W - mean) and the salient columns are 4-bit).
    double maxDiff = 0, sum = 0;
    int64_t equal = 0;
    for (size_t i = 0; i < d.values.size(); ++i) {
      const float gap = std::abs(a.values[i] - b.values[i]);
      QVERIFY(d.values[i] >= gap - 1e-6f);
      equal += std::abs(d.values[i] - gap) <= 1e-6f;
      maxDiff = std::max<double>(maxDiff, d.values[i]);
      sum += d.values[i];
    }
    std::printf("compare: block 0 %s, mean |W1-W2| %.4g, max %.4g, %lld of %zu cells with equal signs\n",
                session_->selectedLayer().linear.c_str(), sum / double(d.values.size()), maxDiff,
                static_cast<long long>(equal), d.values.size());
    QVERIFY(maxDiff > 0);  // the quantised copy differs
    QVERIFY(equal > int64_t(d.values.size() / 2));
    shot(*window_, "gui-compare");
  }

  void zoomInOneCanvasMovesAll() {
    widgets::HeatmapCanvas& left = view_->left();
    const QPoint at(left.width() / 3, left.height() / 2);
    QWheelEvent wheel(at, left.mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(&left, &wheel);
    QTRY_VERIFY_WITH_TIMEOUT(left.zoom() > 1.5f, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(view_->right().viewState() == left.viewState(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(view_->difference().viewState() == left.viewState(), 5000);
    shot(*window_, "gui-compare-zoomed");
  }

  void selectingAnotherLinearUpdatesAllThree() {
    QSignalSpy changed(view_, &widgets::CompareView::comparisonChanged);
    session_->selectLayer(2, "mlp.down_proj");
    QVERIFY(changed.size() >= 1 || changed.wait(5000));
    QCOMPARE(view_->right().content().values.cols, view_->left().content().values.cols);
    QVERIFY(QString::fromStdString(view_->difference().content().title).contains("block 2 mlp.down_proj"));
  }

  void cleanupTestCase() {
    window_.reset();
    session_.reset();
  }
};

QUANTLENS_GUI_TEST_MAIN(CompareGuiTest)

#include "test_compare_gui.moc"
