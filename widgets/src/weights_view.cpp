// Salient weights of the selected linear: |W| with the salient weights of a criterion marked
// (PB-LLM's magnitude or Hessian criterion) and the structured mask as column bands, the view
// of the PTQ1.61 paper's Figure 4.
#include <cmath>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QStandardItemModel>
#include <QTimer>
#include <QVBoxLayout>

#include "widgets/hessian_marks_run.h"
#include "widgets/studio_session.h"
#include "widgets/views.h"
#include "widgets/weights_heatmap.h"

namespace widgets {

namespace {
using analysis::SaliencyCriterion;

class WeightsView : public QWidget {
public:
  WeightsView(StudioSession& session, QWidget* parent) : QWidget(parent), session_(session), hessian_(session) {
    auto* log = new QCheckBox(tr("log scale"), this);
    log->setObjectName("weightsLogScale");
    auto* mark = new QCheckBox(tr("mark top-k"), this);
    mark->setObjectName("weightsMarkTopK");
    mark->setChecked(true);
    criterion_ = new QComboBox(this);
    criterion_->setObjectName("weightsCriterion");
    criterion_->addItem(tr("Magnitude |W|"), int(SaliencyCriterion::Magnitude));
    criterion_->addItem(tr("Hessian (PB-LLM)"), int(SaliencyCriterion::Hessian));
    criterion_->setToolTip(
        tr("Which weights count as salient: the largest |W|, or PB-LLM's W² / [H⁻¹ Cholesky]_jj² "
           "from the calibration inputs"));
    busy_ = new QProgressBar(this);
    busy_->setObjectName("weightsCriterionBusy");
    busy_->setMaximumWidth(220);
    busy_->setFormat(tr("Hessian %v/%m windows"));
    busy_->hide();
    legend_ = new QLabel(this);
    legend_->setObjectName("weightsLegend");
    legend_->setWordWrap(true);
    legend_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // long legends must not widen the window
    canvas_ = new WeightsHeatmap(session, this);
    canvas_->setObjectName("weightsCanvas");
    auto* bar = new QHBoxLayout;
    bar->addWidget(log);
    bar->addWidget(mark);
    bar->addWidget(criterion_);
    bar->addWidget(busy_);
    bar->addWidget(legend_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(canvas_, 1);
    connect(log, &QCheckBox::toggled, canvas_, &HeatmapCanvas::setLogScale);
    connect(mark, &QCheckBox::toggled, this, [this](bool on) {
      canvas_->setMarkTopK(on);
      updateLegend();
    });
    connect(criterion_, &QComboBox::currentIndexChanged, this, [this] { criterionChanged(); });
    connect(&session_, &StudioSession::sliderChanged, this, [this] { layerOrRatioChanged(); });
    connect(&session_, &StudioSession::selectionChanged, this, [this] { layerOrRatioChanged(); });
    connect(&session_, &StudioSession::modelOpened, this, [this] { updateAvailability(); });
    connect(&session_, &StudioSession::calibrationFinished, this, [this] {
      updateAvailability();
      layerOrRatioChanged();
    });
    connect(&hessian_, &HessianMarksRun::resultChanged, this, [this] { showHessianResult(); });
    connect(&hessian_, &HessianMarksRun::runningChanged, this, [this](bool running) {
      busy_->setVisible(running);
      running ? poll_.start() : poll_.stop();
      updateLegend();
    });
    connect(&hessian_, &HessianMarksRun::failed, this, [this](const QString& message) {
      error_ = message;
      updateLegend();
    });
    poll_.setInterval(100);
    connect(&poll_, &QTimer::timeout, this, [this] {
      busy_->setMaximum(int(std::max<int64_t>(hessian_.progress().total(), 1)));
      busy_->setValue(int(hessian_.progress().done()));
    });
    updateAvailability();
    updateLegend();
  }

private:
  SaliencyCriterion selected() const { return SaliencyCriterion(criterion_->currentData().toInt()); }

  // The Hessian criterion needs the calibration inputs.
  void updateAvailability() {
    auto* items = qobject_cast<QStandardItemModel*>(criterion_->model());
    QStandardItem* hessian = items->item(1);
    const bool ok = hessian_.available();
    hessian->setEnabled(ok);
    hessian->setToolTip(ok ? tr("W² / U_jj², U = chol_upper(H⁻¹), H = 2/N Σ x xᵀ of this layer's calibration inputs")
                           : tr("Needs calibration statistics: run calibration first"));
    if (!ok && selected() == SaliencyCriterion::Hessian) criterion_->setCurrentIndex(0);
  }

  void criterionChanged() {
    error_.clear();
    if (selected() == SaliencyCriterion::Magnitude) {
      hessian_.clear();
      canvas_->setCriterion(SaliencyCriterion::Magnitude);
    } else {
      canvas_->setCriterion(SaliencyCriterion::Hessian, hessian_.result());
      hessian_.request();
    }
    updateLegend();
  }

  void layerOrRatioChanged() {
    if (selected() == SaliencyCriterion::Hessian) {
      error_.clear();
      hessian_.request();
    }
    updateLegend();
  }

  void showHessianResult() {
    if (selected() == SaliencyCriterion::Hessian) canvas_->setCriterion(SaliencyCriterion::Hessian, hessian_.result());
    updateLegend();
  }

  void updateLegend() {
    const QString ratio = QString::number(session_.salientRatio(), 'f', 2);
    QString text;
    if (selected() == SaliencyCriterion::Hessian) {
      if (!error_.isEmpty())
        text = tr("Hessian criterion failed: %1").arg(error_);
      else if (hessian_.running() || !hessian_.result())
        text = tr("computing the Hessian criterion…");
      else if (canvas_->markedWeights() > 0)
        text = tr("red: the top %1 weights by Hessian (PB-LLM) W²/U_jj², ratio %2 (exactly ratio x weights, ties "
                  "broken)")
                   .arg(canvas_->markedWeights())
                   .arg(ratio);
    } else if (canvas_->markedWeights() > 0) {
      text = tr("red: %1 weights by |W|, at or above the top-%2 threshold (ties at the threshold all marked; "
                "ratio x weights = %3)")
                 .arg(canvas_->markedWeights())
                 .arg(ratio)
                 .arg(qint64(
                     std::floor(session_.salientRatio() * double(session_.selectedWeightMagnitude().values.size()))));
    }
    if (const auto& r = session_.sliderResult())
      text += tr("   bands: %1 salient input channels by max|x|").arg(r->salient_columns);
    else
      text += tr("   (calibrate to see the structured mask)");
    legend_->setText(text);
  }

  StudioSession& session_;
  HessianMarksRun hessian_;
  QComboBox* criterion_;
  QProgressBar* busy_;
  QLabel* legend_;
  WeightsHeatmap* canvas_;
  QTimer poll_;
  QString error_;
};
}  // namespace

QWidget* makeWeightsView(StudioSession& session, QWidget* parent) { return new WeightsView(session, parent); }

}  // namespace widgets
