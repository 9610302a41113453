#include "quantcore/preprocess/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace quantcore::preprocess {

double scheduled_learning_rate(double lr, int64_t warmup, int64_t steps, int64_t step) {
  if (step < warmup) return lr * static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, warmup));
  const double progress =
      static_cast<double>(step - warmup) / static_cast<double>(std::max<int64_t>(1, steps - warmup));
  return lr * std::max(0.0, 0.5 * (1.0 + std::cos(M_PI * progress)));
}

}  // namespace quantcore::preprocess
