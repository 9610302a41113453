#pragma once
// PB-LLM's Hessian criterion for one linear of an open model (baselines-spec §3.2): H of the
// linear's real inputs over the calibration windows (§0.3), diag(U) of H⁻¹ (§0.4), the saliency
// v = W² / U_jj² and the weights above the floor(numel · low_frac) threshold. Torch-free header.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/float_matrix.h"
#include "analysis/salient_marks.h"
#include "quantcore/jobs/progress.h"

namespace quantcore {
class CausalLM;
}

namespace analysis {

// The diagonal of U = chol_upper(H⁻¹) after §0.4's dead-input handling and damping.
struct InverseHessianDiagonal {
  std::vector<float> u;       // U_jj, [m]
  std::vector<uint8_t> dead;  // 1 where H_jj == 0 (the weight column counts as 0)
};

// One per (model, calibration windows). H is computed once per linear and kept in memory (the
// linears fed one input, q/k/v and gate/up, share one entry), least recently used first out
// beyond a memory budget. Thread-safe; the model is only read.
class HessianSaliency {
public:
  HessianSaliency(std::shared_ptr<const quantcore::CausalLM> model, std::vector<std::vector<int32_t>> windows,
                  double percdamp = 0.01, int64_t cache_bytes = int64_t{1} << 30);
  ~HessianSaliency();
  HessianSaliency(const HessianSaliency&) = delete;
  HessianSaliency& operator=(const HessianSaliency&) = delete;

  // Salient ⇔ v > θ with θ at index floor(numel · (1 − ratio)) of the ascending saliencies;
  // `scores` holds v. Progress and cancellation apply while H is collected (a cache miss).
  SalientMarks marks(int64_t block, const std::string& linear, double ratio, quantcore::ProgressSink& progress,
                     const quantcore::CancelToken& cancel);

  FloatMatrix hessian(int64_t block, const std::string& linear, quantcore::ProgressSink& progress,
                      const quantcore::CancelToken& cancel);
  InverseHessianDiagonal inverse_diagonal(int64_t block, const std::string& linear, quantcore::ProgressSink& progress,
                                          const quantcore::CancelToken& cancel);
  bool has_hessian(int64_t block, const std::string& linear) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace analysis
