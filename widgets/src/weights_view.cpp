// Salient weights of the selected linear: |W| with the top-k weights by magnitude marked and the
// structured mask as column bands, the view of the PTQ1.61 paper's Figure 4.
#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "widgets/studio_session.h"
#include "widgets/views.h"
#include "widgets/weights_heatmap.h"

namespace widgets {

namespace {
class WeightsView : public QWidget {
public:
  WeightsView(StudioSession& session, QWidget* parent) : QWidget(parent), session_(session) {
    auto* log = new QCheckBox(tr("log scale"), this);
    log->setObjectName("weightsLogScale");
    auto* mark = new QCheckBox(tr("mark top-k"), this);
    mark->setObjectName("weightsMarkTopK");
    mark->setChecked(true);
    legend_ = new QLabel(this);
    legend_->setObjectName("weightsLegend");
    legend_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // long legends must not widen the window
    canvas_ = new WeightsHeatmap(session, this);
    canvas_->setObjectName("weightsCanvas");
    auto* bar = new QHBoxLayout;
    bar->addWidget(log);
    bar->addWidget(mark);
    bar->addWidget(legend_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(canvas_, 1);
    connect(log, &QCheckBox::toggled, canvas_, &HeatmapCanvas::setLogScale);
    connect(mark, &QCheckBox::toggled, this, [this](bool on) {
      canvas_->setMarkTopK(on);
      updateLegend();
    });
    connect(&session_, &StudioSession::sliderChanged, this, [this] { updateLegend(); });
    connect(&session_, &StudioSession::selectionChanged, this, [this] { updateLegend(); });
    updateLegend();
  }

private:
  void updateLegend() {
    QString text = canvas_->markedWeights() > 0
                       ? tr("red: top %1 weights by |W| (ratio %2)").arg(canvas_->markedWeights()).arg(session_.salientRatio(), 0, 'f', 2)
                       : QString();
    if (const auto& r = session_.sliderResult())
      text += tr("   bands: %1 salient input channels by max|x|").arg(r->salient_columns);
    else
      text += tr("   (calibrate to see the structured mask)");
    legend_->setText(text);
  }

  StudioSession& session_;
  QLabel* legend_;
  WeightsHeatmap* canvas_;
};
}  // namespace

QWidget* makeWeightsView(StudioSession& session, QWidget* parent) { return new WeightsView(session, parent); }

}  // namespace widgets
