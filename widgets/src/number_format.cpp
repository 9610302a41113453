#include "widgets/number_format.h"

#include <cmath>

namespace widgets {

QString compactCount(double n) {
  if (!std::isfinite(n)) return "-";
  const double a = std::abs(n);
  static const struct {
    double scale;
    const char* suffix;
  } units[] = {{1e12, " T"}, {1e9, " G"}, {1e6, " M"}, {1e3, " k"}};
  for (const auto& u : units)
    if (a >= u.scale) return QString::number(n / u.scale, 'f', a / u.scale >= 100 ? 0 : 1) + u.suffix;
  return QString::number(qint64(std::llround(n)));
}

QString bitsText(double bits) { return std::isfinite(bits) ? QString::number(bits, 'f', 4) : "-"; }

QString perplexityText(double ppl) {
  if (!std::isfinite(ppl)) return "-";
  if (ppl >= 1e6) return QString::number(ppl, 'g', 3);
  return QString::number(ppl, 'f', ppl >= 1000 ? 0 : ppl >= 100 ? 1 : 2);
}

QString durationText(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "-";
  if (seconds < 60) return QString::number(seconds, 'f', 1) + " s";
  if (seconds < 3600) return QString("%1 min %2 s").arg(int(seconds) / 60).arg(int(seconds) % 60);
  return QString("%1 h %2 min").arg(int(seconds) / 3600).arg(int(seconds) % 3600 / 60);
}

}  // namespace widgets
