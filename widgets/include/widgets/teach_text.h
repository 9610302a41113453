#pragma once
// The teaching view's words: what each number means, its unit and the spec section it comes
// from (tooltips, as rich text so that Qt wraps them), and the §2.2 count rule stated beside the
// mask.
#include <QCoreApplication>
#include <QString>

namespace widgets {

class TeachText {
  Q_DECLARE_TR_FUNCTIONS(TeachText)
public:
  // Plain text as a tooltip that wraps (Qt shows a plain-text tooltip on one line however long).
  static QString tooltip(const QString& plain);

  static QString ratio();
  static QString mask();
  static QString maskRuleTip();
  // "floor(0.20 x 8) + 1 = 2; ratio 0 keeps 1", with "+ N tied" when ties at thr add columns.
  static QString maskRule(double ratio, int columns, int salient);
  static QString errorWithMask();
  static QString errorAllBinarised();
  static QString errorRatio();
  static QString bits(double payload, double stored, int salient, int columns, int salientBits);
  // The per-row table's columns (scale, zero, mu, alpha, Wx, W'x, W''x), as plain text.
  static QString rowColumn(int column);
  static QString rowCell(int column, int row, const QString& value);

  static QString weightCell(int row, int col, float w);
  static QString activationCell(int col, float x, bool salient);
  static QString codeCell(int row, int col, int code, float scale, float zero, float dequantized);
  static QString signCell(int row, int col, int sign, float mu, float alpha, float dequantized);
  static QString dequantizedCell(int row, int col, float dequantized, float w, bool salient);
  static QString refusedCell(const QString& problem, float kept);
  static QString editHint();
};

}  // namespace widgets
