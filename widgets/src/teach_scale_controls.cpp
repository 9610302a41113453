#include "widgets/teach_scale_controls.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>

#include "widgets/teach_cell_input.h"
#include "widgets/teach_text.h"

namespace widgets {

namespace {

QDoubleSpinBox* makeEnd(const QString& name, const QString& tip, QWidget* parent) {
  auto* box = new QDoubleSpinBox(parent);
  box->setObjectName(name);
  box->setRange(-kTeachCellLimit, kTeachCellLimit);
  box->setDecimals(2);
  box->setSingleStep(0.05);
  box->setEnabled(false);
  box->setToolTip(TeachText::tooltip(tip));
  return box;
}

}  // namespace

TeachScaleControls::TeachScaleControls(QWidget* parent) : QWidget(parent) {
  fixed_ = new QCheckBox(tr("fixed colour scale"), this);
  fixed_->setObjectName("teachFixedScale");
  fixed_->setToolTip(TeachText::tooltip(
      tr("Freeze the range of the colour-coded matrices (W and W') at the values shown, so an edit shows as a colour "
         "change against a stable scale. Unchecked, the range is -max|W| to +max|W| and follows every edit.")));
  low_ = makeEnd("teachScaleLow",
                 tr("Value drawn in the scale's first colour (dark violet); lower values clamp to it."), this);
  high_ = makeEnd("teachScaleHigh", tr("Value drawn in the scale's last colour (yellow); higher values clamp to it."),
                  this);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(fixed_);
  layout->addWidget(low_);
  layout->addWidget(new QLabel(tr("to"), this));
  layout->addWidget(high_);

  connect(fixed_, &QCheckBox::toggled, this, [this](bool on) {
    low_->setEnabled(on);
    high_->setEnabled(on);
    Q_EMIT changed();
  });
  for (QDoubleSpinBox* end : {low_, high_})
    connect(end, &QDoubleSpinBox::valueChanged, this, [this] {
      if (fixedScale()) Q_EMIT changed();
    });
}

bool TeachScaleControls::fixedScale() const { return fixed_->isChecked(); }

ValueRange TeachScaleControls::rangeFor(const ValueRange& automatic) {
  if (fixedScale()) {
    const auto lo = static_cast<float>(low_->value()), hi = static_cast<float>(high_->value());
    return {lo, hi, hi};
  }
  const QSignalBlocker blockLow(low_), blockHigh(high_);
  low_->setValue(automatic.lo);
  high_->setValue(automatic.hi);
  return automatic;
}

}  // namespace widgets
