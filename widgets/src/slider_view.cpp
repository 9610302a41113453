// The salient-ratio slider: moving it recomputes the selected linear's mask (spec §2.2), its
// error bound (paper eq. (4)) and the whole model's honest bits per weight (spec §7 [derived]).
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QVBoxLayout>

#include "widgets/model_bounds_table.h"
#include "widgets/studio_session.h"
#include "widgets/views.h"
#include "widgets/weights_heatmap.h"

namespace widgets {

namespace {
class SliderView : public QWidget {
public:
  SliderView(StudioSession& session, QWidget* parent) : QWidget(parent), session_(session) {
    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setObjectName("salientRatioSlider");
    slider_->setRange(0, 100);
    slider_->setPageStep(5);
    slider_->setValue(static_cast<int>(std::lround(session.salientRatio() * 100)));
    ratio_ = new QLabel(this);
    ratio_->setObjectName("ratioLabel");
    mask_ = new QLabel(this);
    mask_->setObjectName("maskLabel");
    error_ = new QLabel(this);
    error_->setObjectName("errorLabel");
    bits_ = new QLabel(this);
    bits_->setObjectName("bitsLabel");
    auto* numbers = new QFormLayout;
    ratio_->setToolTip(tr("share of input channels kept at 4 bits (spec §2.2)"));
    mask_->setToolTip(
        tr("floor(ratio x in) + 1 columns, the official code's rule (spec §2.2): ratio 0 still keeps "
           "one salient column"));
    error_->setToolTip(
        tr("E, the paper's eq. (4) bound of the selected layer's output error: sum_j s_j sum_i "
           "|W0_ij - W_ij|, s_j = max|x_j| (units of |W| x |x|)"));
    bits_->setToolTip(
        tr("bits per quantised weight of the whole model at this ratio: as stored (every mask, "
           "bitmap, code and scale, spec §7) and as the paper's formula counts them"));
    numbers->addRow(tr("salient ratio"), ratio_);
    numbers->addRow(tr("salient columns"), mask_);
    numbers->addRow(tr("error bound, eq. (4)"), error_);
    numbers->addRow(tr("model bits / weight"), bits_);
    auto* top = new QHBoxLayout;
    top->addWidget(slider_, 1);
    top->addLayout(numbers);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    // The selected layer's |W| and mask beside every layer's bound, filled in the background.
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(new WeightsHeatmap(session, split));
    split->addWidget(new ModelBoundsTable(session, split));
    split->setSizes({1, 1});
    layout->addWidget(split, 1);

    connect(slider_, &QSlider::valueChanged, this, [this](int v) { session_.setSalientRatio(v / 100.0); });
    connect(&session_, &StudioSession::sliderChanged, this, [this] { updateNumbers(); });
    // The ratio is the session's: a change made elsewhere (the optimise panel) moves the slider.
    connect(&session_, &StudioSession::salientRatioChanged, this, [this](double ratio) {
      const QSignalBlocker quiet(slider_);
      slider_->setValue(static_cast<int>(std::lround(ratio * 100)));
      updateNumbers();
    });
    updateNumbers();
  }

private:
  void updateNumbers() {
    ratio_->setText(QString::number(session_.salientRatio(), 'f', 2));
    const auto& r = session_.sliderResult();
    if (!r) {
      const QString none = tr("- (calibrate first)");
      mask_->setText(none);
      error_->setText(none);
      bits_->setText(none);
      return;
    }
    mask_->setText(tr("%1 of %2 (floor(ratio x %2) + 1)").arg(r->salient_columns).arg(r->mask.size()));
    error_->setText(QString::number(r->error_bound, 'g', 6));
    bits_->setText(tr("%1 stored (paper formula %2)")
                       .arg(r->model_bits_per_weight, 0, 'f', 4)
                       .arg(r->paper_bits_per_weight, 0, 'f', 4));
  }

  StudioSession& session_;
  QSlider* slider_;
  QLabel *ratio_, *mask_, *error_, *bits_;
};
}  // namespace

QWidget* makeSliderView(StudioSession& session, QWidget* parent) { return new SliderView(session, parent); }

}  // namespace widgets
