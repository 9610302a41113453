#pragma once
// The Hessian H = 2/N Σ x xᵀ of one block linear's inputs over calibration windows, accumulated
// as GPTQ, BiLLM and PB-LLM do (baselines-spec §0.3). Include only from translation units that
// compute with tensors.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "quantcore/jobs/progress.h"

namespace quantcore {

class CausalLM;

// The whole H, or only its diagonal (2/N Σ x_j², for methods that weigh columns by it: the
// same numbers at O(in) memory rather than O(in²), which matters at 70B's 28672 inputs).
enum class HessianForm { Full, Diagonal };

// §0.3's running update, in float32 on the inputs' device. One add() is one forward call; a
// call of batch B counts as B sequences: H <- H * m/(m+B), m <- m+B, H <- H + (2/m) x xᵀ.
class HessianAccumulator {
public:
  explicit HessianAccumulator(int64_t in_features, HessianForm form = HessianForm::Full);
  void add(const at::Tensor& input);                      // [.., L, in_features] (a 2-D input is one sequence)
  const at::Tensor& hessian() const { return hessian_; }  // [in, in] (Diagonal: [in]) float32; zeros before any add
  int64_t sequences() const { return sequences_; }

private:
  int64_t in_features_;
  HessianForm form_;
  at::Tensor hessian_;
  int64_t sequences_ = 0;
};

// H of every linear of `block` from the block as `model` holds it now, run on each sample of
// `chain` ([N, L, hidden], any device; one call per sample, batch 1 as §0.2a): short linear name
// -> [in, in] float32 on the model's device. Linears called with the same tensor (q/k/v,
// gate/up) share one tensor. Uses `model`'s linear-input observer (removed on return) and must
// run without autograd recording (NoGradGuard or InferenceMode).
// With HessianForm::Diagonal each entry is diag(H) [in] instead.
std::map<std::string, at::Tensor> collect_block_hessians(CausalLM& model, int64_t block, const at::Tensor& chain,
                                                         const CancelToken& cancel,
                                                         HessianForm form = HessianForm::Full);

struct CollectedHessian {
  at::Tensor hessian;                // [in, in] float32 on the model's device
  std::vector<std::string> linears;  // every linear of the block that sees this same input
};

// Runs embed + blocks 0..block on each window (batch 1, inference mode) and accumulates H of
// (block, linear)'s input, seen through the linear-input observer of a shallow copy of `model`
// (the copy shares the weights; `model` itself is not touched, so other jobs may use it).
// One progress step per window; cancellation is checked per window.
CollectedHessian collect_linear_hessian(const CausalLM& model, const std::vector<std::vector<int32_t>>& windows,
                                        int64_t block, const std::string& linear, ProgressSink& progress,
                                        const CancelToken& cancel);

}  // namespace quantcore
