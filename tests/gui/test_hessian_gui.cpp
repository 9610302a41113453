// The weights view's saliency criterion under Xvfb on stories260K: Hessian (PB-LLM) is offered
// only after calibration, is computed off the GUI thread, marks a set of the right size that
// differs from the magnitude set, follows the ratio and the selected layer (latest request
// wins), and names itself in the title, the legend and exported figures.
#include <QComboBox>
#include <QLabel>
#include <QProgressBar>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>

#include "analysis/hessian_saliency.h"
#include "quantcore/io/model_spec.h"
#include "widgets/heatmap_figure.h"
#include "widgets/main_window.h"
#include "widgets/studio_session.h"
#include "widgets/weights_heatmap.h"
#include "gui_test_support.h"

namespace {
using gui_test::kModel;
using gui_test::kText;

// Row-major indices of the weights the canvas marks (score >= threshold).
std::set<int64_t> markedSet(const widgets::HeatmapCanvas& canvas) {
  const auto& overlay = canvas.overlay();
  const auto& scores = overlay.markScores ? overlay.markScores->values : canvas.content().values.values;
  std::set<int64_t> marked;
  for (size_t i = 0; i < scores.size(); ++i)
    if (scores[i] >= overlay.markThreshold) marked.insert(static_cast<int64_t>(i));
  return marked;
}

// baselines-spec §3.2: salient ⇔ v > θ, θ at index floor(numel · (1 - ratio)) of the ascending v.
int64_t expectedSalient(std::vector<float> v, double ratio) {
  const auto index = static_cast<size_t>(std::floor(static_cast<double>(v.size()) * (1.0 - ratio)));
  if (index >= v.size()) return 0;
  std::vector<float> sorted = v;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(index), sorted.end());
  const float theta = sorted[index];
  return std::count_if(v.begin(), v.end(), [&](float x) { return x > theta; });
}
}  // namespace

class HessianGuiTest : public gui_test::StudioWindowTest {
  Q_OBJECT

  widgets::WeightsHeatmap* canvas() { return child<widgets::WeightsHeatmap>("weightsCanvas"); }
  QComboBox* criterion() { return child<QComboBox>("weightsCriterion"); }
  QStandardItem* hessianItem() { return qobject_cast<QStandardItemModel*>(criterion()->model())->item(1); }
  bool hessianShown() {
    return canvas()->overlay().markScores != nullptr && !child<QProgressBar>("weightsCriterionBusy")->isVisible();
  }

private Q_SLOTS:
  void initTestCase() {
    createWindow();
    QSignalSpy opened(session_.get(), &widgets::StudioSession::modelOpened);
    session_->openModel(kModel);
    QVERIFY(opened.wait(30000));
    window_->showView("weights");
  }

  void hessianNeedsCalibration() {
    QVERIFY(!hessianItem()->isEnabled());
    QVERIFY(hessianItem()->toolTip().contains("calibration"));
    QSignalSpy finished(session_.get(), &widgets::StudioSession::calibrationFinished);
    session_->calibrate(kText, {4, 64, 2});
    QVERIFY(finished.wait(60000));
    QVERIFY(hessianItem()->isEnabled());
    QVERIFY(session_->hessianSaliency() != nullptr);
  }

  void hessianMarksDifferFromMagnitude() {
    session_->selectLayer(1, "mlp.down_proj");
    QTRY_VERIFY_WITH_TIMEOUT(session_->sliderResult().has_value() && !session_->sliderPending(), 10000);
    QVERIFY(QString::fromStdString(canvas()->content().title).contains("salient by magnitude"));
    const std::set<int64_t> magnitude = markedSet(*canvas());
    QCOMPARE(static_cast<int64_t>(magnitude.size()), canvas()->markedWeights());

    criterion()->setCurrentIndex(1);
    QVERIFY(QString::fromStdString(canvas()->content().title).contains("salient by Hessian (PB-LLM)"));
    QTRY_VERIFY_WITH_TIMEOUT(hessianShown(), 30000);
    const auto& w = session_->selectedWeightMagnitude();
    const auto& v = *canvas()->overlay().markScores;
    QCOMPARE(v.rows, w.rows);
    QCOMPARE(v.cols, w.cols);
    const std::set<int64_t> hessian = markedSet(*canvas());
    QCOMPARE(static_cast<int64_t>(hessian.size()), canvas()->markedWeights());
    QCOMPARE(canvas()->markedWeights(), expectedSalient(v.values, session_->salientRatio()));
    const auto numel = static_cast<int64_t>(w.values.size());
    QVERIFY(canvas()->markedWeights() <=
            numel - static_cast<int64_t>(std::floor(numel * (1 - session_->salientRatio()))) - 1);
    QVERIFY(canvas()->markedWeights() >= numel / 5 - 5);
    QVERIFY(hessian != magnitude);
    // v = W² / U_jj²: within a column every score is W² times one factor 1 / U_jj² > 0.
    int64_t differentFactors = 0;
    std::vector<double> factor(static_cast<size_t>(v.cols), 0.0);
    for (int64_t j = 0; j < v.cols; ++j)
      for (int64_t i = 0; i < v.rows; ++i) {
        const double a = w.at(i, j);
        if (a == 0) continue;
        const double f = v.at(i, j) / (a * a);
        if (factor[size_t(j)] == 0) factor[size_t(j)] = f;
        QVERIFY2(std::abs(f - factor[size_t(j)]) <= 1e-4 * factor[size_t(j)], qPrintable(QString("column %1").arg(j)));
      }
    for (int64_t j = 1; j < v.cols; ++j) differentFactors += std::abs(factor[size_t(j)] - factor[0]) > 1e-3 * factor[0];
    QVERIFY(differentFactors > v.cols / 2);  // the columns are weighted differently, unlike |W|
    QVERIFY(child<QLabel>("weightsLegend")->text().contains("by Hessian (PB-LLM)"));
    gui_test::save_screenshot(*window_, "gui-weights-hessian");
  }

  void ratioAndLayerFollow() {
    session_->setSalientRatio(0.05);
    QTRY_VERIFY_WITH_TIMEOUT(
        hessianShown() && canvas()->markedWeights() == expectedSalient(canvas()->overlay().markScores->values, 0.05),
        30000);
    // Two selections in a row: the marks end up on the last one.
    session_->selectLayer(0, "self_attn.o_proj");
    session_->selectLayer(2, "mlp.gate_proj");
    QTRY_VERIFY_WITH_TIMEOUT(hessianShown() &&
                                 canvas()->overlay().markScores->cols == canvas()->content().values.cols &&
                                 canvas()->markedWeights() > 0,
                             30000);
    QVERIFY(session_->hessianSaliency()->has_hessian(2, "mlp.up_proj"));  // gate and up share one H
    QCOMPARE(canvas()->markedWeights(), expectedSalient(canvas()->overlay().markScores->values, 0.05));
  }

  void figureTitleNamesTheCriterion() {
    QTemporaryDir dir;
    const widgets::HeatmapFigure figure = widgets::figureOf(*canvas());
    QVERIFY(QString::fromStdString(figure.content.title).contains("Hessian (PB-LLM)"));
    QString error;
    const QString path = dir.filePath("hessian.svg");
    QVERIFY2(widgets::exportHeatmapFigure(figure, path, error), qPrintable(error));
    QFile svg(path);
    QVERIFY(svg.open(QIODevice::ReadOnly));
    QVERIFY(svg.readAll().contains("salient by Hessian (PB-LLM)"));
  }

  void backToMagnitude() {
    criterion()->setCurrentIndex(0);
    QVERIFY(canvas()->overlay().markScores == nullptr);
    QVERIFY(QString::fromStdString(canvas()->content().title).contains("salient by magnitude"));
    QVERIFY(child<QLabel>("weightsLegend")->text().contains("by |W|"));
    QVERIFY(child<QLabel>("weightsLegend")->text().contains("ties at the threshold"));
  }

  void cleanupTestCase() { destroyWindow(); }
};

QUANTLENS_GUI_TEST_MAIN(HessianGuiTest)
#include "test_hessian_gui.moc"
