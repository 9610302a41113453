#pragma once
// Numbers as the views write them: counts with SI suffixes (18.9 M), bits per weight, perplexity,
// durations; "-" for an unknown (NaN) value.
#include <QString>

namespace widgets {

QString compactCount(double n);     // 950, 18.9 k, 18.9 M, 6.74 G
QString bitsText(double bits);      // 1.6123
QString perplexityText(double ppl); // 59.1, 160.0, 2.1e+03 only past 1e6
QString durationText(double seconds);

}  // namespace widgets
