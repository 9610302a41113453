#pragma once
// W(1+1)A(1×4)'s EM-based grouping (baselines-spec §1.3 step 3, [inferred + 3rd-party]): the
// magnitudes of one group of weights split into two clusters, each with its Hessian-weighted
// mean as its scale (a weighted hard-EM / Lloyd in one dimension). Torch-free.
#include <cstddef>
#include <vector>

namespace quantcore::methods::w1a1x4 {

struct TwoScaleFit {
  float low = 0, high = 0;     // s0 <= s1
  std::vector<bool> in_high;   // per value: z = 1 (scale s1)
  int iterations = 0;          // M+E rounds run
  bool converged = false;      // the last E-step changed no assignment
  std::vector<double> errors;  // Σ h (a - s_z)² after each round's E-step; never increases
};

// `magnitudes` a_k >= 0 with `weights` h_k >= 0, `count` of each. Init z = [a >= median(a)]
// (the lower median; z = [a > median] where that leaves no value in s0). Each round: M-step
// s_c = Σ_{z=c} h a / Σ_{z=c} h (the plain mean where a cluster's weights sum to 0, the other
// cluster's scale where it is empty), E-step z = the nearest scale (s1 on a tie), until no
// assignment changes or after max_iterations rounds. The result's scales are the last M-step's.
TwoScaleFit fit_two_scales(const float* magnitudes, const float* weights, std::size_t count, int max_iterations = 10);

}  // namespace quantcore::methods::w1a1x4
