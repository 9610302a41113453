#include "analysis/salient_marks.h"

#include <cmath>

#include "analysis/heatmap_pool.h"

namespace analysis {

const char* criterion_name(SaliencyCriterion criterion) {
  return criterion == SaliencyCriterion::Hessian ? "Hessian (PB-LLM)" : "magnitude";
}

SalientMarks magnitude_marks(const FloatMatrix& magnitude, double ratio) {
  SalientMarks marks;
  const auto k = static_cast<int64_t>(std::llround(ratio * static_cast<double>(magnitude.values.size())));
  marks.threshold = kth_largest(magnitude.values, k);
  for (float v : magnitude.values) marks.count += v >= marks.threshold;
  return marks;
}

}  // namespace analysis
