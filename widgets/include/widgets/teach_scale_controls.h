#pragma once
// The teaching view's colour-scale controls: "fixed colour scale" and the range's two ends.
// Unchecked, the spin boxes show the automatic range (read-only); checking freezes the range
// they show, which the user may then edit, so edits appear as colour changes on a stable scale.
#include <QWidget>

#include "widgets/colour_scale.h"

class QCheckBox;
class QDoubleSpinBox;

namespace widgets {

class TeachScaleControls : public QWidget {
  Q_OBJECT
public:
  explicit TeachScaleControls(QWidget* parent = nullptr);

  bool fixedScale() const;
  // The range to colour with: the frozen one when fixed; otherwise `automatic`, which the spin
  // boxes then show.
  ValueRange rangeFor(const ValueRange& automatic);

Q_SIGNALS:
  void changed();

private:
  QCheckBox* fixed_;
  QDoubleSpinBox *low_, *high_;
};

}  // namespace widgets
