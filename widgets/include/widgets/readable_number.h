#pragma once
// Numbers for people: `digits` significant digits, positional between 1e-3 and 1e5 (0.0123,
// 12.3, 4560), scientific outside it (1.2e-05), no trailing zeros.
#include <QString>

#include <algorithm>
#include <cmath>

namespace widgets {

inline QString readableNumber(double v, int digits = 3) {
  if (v == 0) return "0";
  if (!std::isfinite(v)) return QString::number(v);
  const double a = std::abs(v);
  if (a < 1e-3 || a >= 1e5) return QString::number(v, 'g', digits);
  const int decimals = std::max(0, digits - 1 - int(std::floor(std::log10(a))));
  QString s = QString::number(v, 'f', decimals);
  if (s.contains('.')) {
    while (s.endsWith('0')) s.chop(1);
    if (s.endsWith('.')) s.chop(1);
  }
  return s;
}

}  // namespace widgets
