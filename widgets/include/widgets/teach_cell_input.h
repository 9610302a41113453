#pragma once
// Reading one edited cell of the teaching view's W and x: a finite number the example can use,
// or the reason it is refused, worded for the view's one-line message.
#include <QString>

namespace widgets {

// The cell's name as the view's headers count (from 0): W[row,col] for the weight rows, x[col]
// for the activation row (row == weightRows).
QString teachCellName(int row, int col, int weightRows);

struct TeachCellValue {
  bool accepted = false;
  float value = 0.0f;
  QString problem;  // when refused, e.g. "'abc' is not a number"
};

// Accepts a C-locale number with |value| <= kTeachCellLimit. The limit keeps every product and
// sum of the 6 x 8 example finite in float32, so the results never show inf or NaN.
inline constexpr double kTeachCellLimit = 1e6;
TeachCellValue readTeachCell(const QString& text);

}  // namespace widgets
