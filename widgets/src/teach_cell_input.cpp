#include "widgets/teach_cell_input.h"

#include <QObject>

#include <cmath>

namespace widgets {

QString teachCellName(int row, int col, int weightRows) {
  return row < weightRows ? QString("W[%1,%2]").arg(row).arg(col) : QString("x[%1]").arg(col);
}

TeachCellValue readTeachCell(const QString& text) {
  const QString quoted = "'" + text + "'";
  const QString trimmed = text.trimmed();
  if (trimmed.isEmpty()) return {false, 0.0f, QObject::tr("the cell is empty")};
  bool ok = false;
  const double v = trimmed.toDouble(&ok);
  if (!ok) {
    bool comma = false;
    QString(trimmed).replace(',', '.').toDouble(&comma);
    return {false, 0.0f,
            comma ? QObject::tr("%1 is not a number (use a decimal point)").arg(quoted)
                  : QObject::tr("%1 is not a number").arg(quoted)};
  }
  if (!std::isfinite(v)) return {false, 0.0f, QObject::tr("%1 is not finite").arg(quoted)};
  if (std::fabs(v) > kTeachCellLimit)
    return {false, 0.0f, QObject::tr("%1 is out of range (|value| <= %2)").arg(quoted).arg(kTeachCellLimit, 0, 'g')};
  return {true, static_cast<float>(v), {}};
}

}  // namespace widgets
