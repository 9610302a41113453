#pragma once
// The weights of one linear that a saliency criterion selects, in the form the heatmaps draw:
// weight (i, j) is marked iff score(i, j) >= threshold. Torch-free.
#include <cstdint>
#include <limits>
#include <memory>

#include "analysis/float_matrix.h"

namespace analysis {

enum class SaliencyCriterion {
  Magnitude,  // PB-LLM "magnitude": |W|
  Hessian,    // PB-LLM "hessian": W² / U_jj² (baselines-spec §3.2)
};
const char* criterion_name(SaliencyCriterion criterion);  // "magnitude", "Hessian (PB-LLM)"

struct SalientMarks {
  SaliencyCriterion criterion = SaliencyCriterion::Magnitude;
  std::shared_ptr<const FloatMatrix> scores;  // null: the |W| the view shows is the score
  float threshold = std::numeric_limits<float>::infinity();
  int64_t count = 0;  // marked weights
};

// The magnitude criterion as the weights view shows it: the k = round(ratio · numel) largest
// |W| (ties at the k-th included), scored by the |W| matrix itself.
SalientMarks magnitude_marks(const FloatMatrix& magnitude, double ratio);

}  // namespace analysis
