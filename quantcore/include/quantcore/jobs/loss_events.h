#pragma once
// What the PTQ1.61 block-wise optimisation reports while it runs (spec §5): one LossEvent per
// optimiser step. Torch-free, so the CLI and the GUI's loss curves can listen without LibTorch.
#include <cstdint>
#include <string>

namespace quantcore {

// The four terms of the §5.1 loss for one sample, and their sum. Switched-off terms are 0.
struct LossValues {
  double mse_fp = 0;  // MSE(T1, Yq): FP block on the FP chain vs quantised block (L_norm)
  double mse_q = 0;   // MSE(T2, Yq): FP block on the quantised chain vs quantised block (L_homo)
  double nlc_fp = 0;  // -log |mean_t cos(Yq_t, T1_t)|
  double nlc_q = 0;   // -log |mean_t cos(T2_t, Yq_t)|
  double total = 0;
};

struct LossEvent {
  int64_t block = 0;
  int64_t epoch = 0;  // 0-based
  int64_t step = 0;   // 0-based sample index within the epoch (batch size 1)
  LossValues loss;    // before this step's update
};

// Listener of an optimisation run. Calls come from the job's thread.
class OptimizationEvents {
public:
  virtual ~OptimizationEvents() = default;
  virtual void loss(const LossEvent& event) = 0;
  // Something the user should know that does not stop the run, e.g. "block 3 mlp.down_proj: H
  // is not positive definite at percdamp 0.01; retried with 0.1".
  virtual void notice(const std::string& message) {}
};

class NullOptimizationEvents : public OptimizationEvents {
public:
  void loss(const LossEvent&) override {}
};

}  // namespace quantcore
