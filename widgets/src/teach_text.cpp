#include "widgets/teach_text.h"

#include <algorithm>
#include <cmath>

namespace widgets {

namespace {

QString n2(double v) { return QString::number(v, 'f', 2); }
QString n3(double v) { return QString::number(v, 'f', 3); }

}  // namespace

QString TeachText::tooltip(const QString& plain) {
  return "<p>" + plain.toHtmlEscaped().replace('\n', "<br>") + "</p>";
}

QString TeachText::ratio() {
  return tooltip(
      tr("Salient ratio (spec §2.2): the share of input channels (columns of W) kept at 4 bits; the others are "
         "binarised. The official code keeps ⌊ratio × in⌋ + 1 columns, so ratio 0 still keeps one."));
}

QString TeachText::mask() {
  return tooltip(
      tr("The structured mask (§2.2): the columns j whose |x_j| (fp16-rounded) is at least thr, the "
         "(⌊ratio × in⌋ + 1)-th largest |x|; ties at thr are salient too. With one token, max|x| = |x|. "
         "Marked * in the tables."));
}

QString TeachText::maskRuleTip() {
  return tooltip(
      tr("Number of salient columns as the official code counts it (spec §2.2): thr = sorted_desc(|x|)[⌊ratio × "
         "in⌋], and every column with |x_j| >= thr is salient: ⌊ratio × in⌋ + 1 columns plus any ties, at "
         "most in. So ratio 0 keeps one salient column, and ratio 0.2 of LLaMA-7B's 4096 keeps 820, not 819."));
}

QString TeachText::maskRule(double ratio, int columns, int salient) {
  const auto counted = std::min<int>(static_cast<int>(std::floor(ratio * columns)) + 1, columns);
  QString text = tr("⌊%1 × %2⌋ + 1 = %3").arg(n2(ratio)).arg(columns).arg(counted);
  if (salient > counted) text += tr(", + %1 tied").arg(salient - counted);
  return text + tr("; ratio 0 keeps 1");
}

QString TeachText::errorWithMask() {
  return tooltip(
      tr("Output error with the mask: ‖W′x − Wx‖ = √E, E = ‖(W − W′)x‖², in the units of the output "
         "y = Wx. W′ keeps the salient columns at 4 bits (§3) and binarises the rest (§4.1–§4.2, r1 = r2 = 1)."));
}

QString TeachText::errorAllBinarised() {
  return tooltip(
      tr("Output error with every column binarised (no mask): ‖W″x − Wx‖ = √E(no mask), in the units of y = Wx. "
         "E(no mask) is E with no salient column at all, the baseline the mask is measured against (not the "
         "E(0) of the error-bound table, which is ratio 0 and keeps one column)."));
}

QString TeachText::errorRatio() {
  return tooltip(
      tr("E/E(no mask): the squared output error E = ‖(W − W′)x‖² relative to the all-binarised case E(no mask) = "
         "‖(W − W″)x‖². Dimensionless; 1 means the mask did not help, 0 means no error left."));
}

QString TeachText::bits(double payload, double stored, int salient, int columns, int salientBits) {
  return tooltip(
      tr("Bits per weight (spec §7 [derived]).\n"
         "Payload: ((in − k) × 1 + k × %1) / in = ((%2 − %3) + %3 × %1) / %2 = %4 bits, k = %3 salient columns.\n"
         "Stored: the payload plus the in-bit mask, the 16-bit vectors a, c, r2 and s and the %1-bit zero points, "
         "over the layer's weights = %5 bits. A 6 × 8 layer is mostly metadata; a 4096 × 4096 layer at ratio 0.2 "
         "stores about 1.62 bits per weight.")
          .arg(salientBits)
          .arg(columns)
          .arg(salient)
          .arg(payload, 0, 'f', 3)
          .arg(stored, 0, 'f', 3));
}

QString TeachText::rowColumn(int column) {
  switch (column) {
    case 0:
      return tr(
          "s_i, the row's 4-bit step (§3): (max(0, max_j W_ij) − min(0, min_j W_ij)) / 15 over the whole row, "
          "in weight units.");
    case 1:
      return tr(
          "z_i, the row's zero point (§3): round(−min(0, min_j W_ij) / s_i), the code of W = 0; an integer in "
          "0..15.");
    case 2:
      return tr(
          "μ_i (§4.1): mean of the row's non-salient non-zero weights, in weight units; subtracted before the "
          "sign and added back in W′.");
    case 3:
      return tr(
          "α_i (§4.1): mean |W_ij| over the same entries (|W|, not |W − μ|), in weight units; the "
          "binarised entries dequantise to μ_i ± α_i.");
    case 4: return tr("(Wx)_i: the exact output of row i, in the units of y.");
    case 5: return tr("(W′x)_i: the output with the mask (salient columns at 4 bits, the rest binarised).");
    default: return tr("(W″x)_i: the output with every column binarised (no mask).");
  }
}

QString TeachText::rowCell(int column, int row, const QString& value) {
  static const char* const names[] = {"s", "z", "μ", "α", "Wx", "W′x", "W″x"};
  return tooltip(
      tr("r%1: %2 = %3\n%4").arg(row).arg(names[std::clamp(column, 0, 6)]).arg(value).arg(rowColumn(column)));
}

QString TeachText::weightCell(int row, int col, float w) {
  return tooltip(
      tr("W[%1,%2] = %3: the weight from input c%2 to output r%1 (dimensionless). Double-click or type to edit; "
         "Enter applies, Ctrl+Z undoes.")
          .arg(row)
          .arg(col)
          .arg(n3(w)));
}

QString TeachText::activationCell(int col, float x, bool salient) {
  return tooltip(
      tr("x[%1] = %2: the activation of input channel c%1. |x| ranks the columns for the mask (§2.2); c%1 is %3.")
          .arg(col)
          .arg(n3(x))
          .arg(salient ? tr("salient (kept at 4 bits)") : tr("binarised")));
}

QString TeachText::codeCell(int row, int col, int code, float scale, float zero, float dequantized) {
  return tooltip(
      tr("Q[%1,%2] = %3: the 4-bit code clamp(round(W/s) + z, 0, 15) with s = %4, z = %5 of row r%1 (§3); it "
         "dequantises to s(Q − z) = %6.")
          .arg(row)
          .arg(col)
          .arg(code)
          .arg(n3(scale))
          .arg(zero, 0, 'f', 0)
          .arg(n3(dequantized)));
}

QString TeachText::signCell(int row, int col, int sign, float mu, float alpha, float dequantized) {
  return tooltip(
      tr("sgn(W[%1,%2] − μ) = %3 with μ = %4 (§4.1); it dequantises to α·sgn + μ = %5 × %3 + %4 = %6 (§4.2).")
          .arg(row)
          .arg(col)
          .arg(sign > 0 ? "+1" : (sign < 0 ? "−1" : "0"))
          .arg(n3(mu))
          .arg(n3(alpha))
          .arg(n3(dequantized)));
}

QString TeachText::dequantizedCell(int row, int col, float dequantized, float w, bool salient) {
  return tooltip(tr("W′[%1,%2] = %3 (§4.2, r1 = r2 = 1): %4. Error W′ − W = %5.")
                     .arg(row)
                     .arg(col)
                     .arg(n3(dequantized))
                     .arg(salient ? tr("s(Q − z) on a salient column") : tr("α·sgn(W − μ) + μ on a binarised column"))
                     .arg(n3(dequantized - w)));
}

QString TeachText::refusedCell(const QString& problem, float kept) {
  return tooltip(tr("Refused: %1. The computation keeps the last good value, %2.").arg(problem, n3(kept)));
}

QString TeachText::editHint() { return tr("Edit a cell, Enter applies. Undo: Ctrl+Z; redo: Ctrl+Shift+Z or Ctrl+Y."); }

}  // namespace widgets
