#pragma once
// PTQ1.61 on one decoder block (spec §4, §5): per linear a fixed salient mask, a 4-bit row
// quantiser for the salient columns and learnable alpha, r1, r2 for the binarised rest, trained
// jointly against the block-level loss, then written into the model as dense W'.
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "quantcore/jobs/loss_events.h"
#include "quantcore/jobs/progress.h"
#include "quantcore/methods/block_context.h"
#include "quantcore/methods/ptq161/options.h"
#include "quantcore/pack/packed_linear.h"

namespace quantcore::methods::ptq161 {

// Everything that defines one quantised linear (fp32 unless noted).
struct LinearQuantization {
  std::string name;     // short name from block_linears(spec)
  at::Tensor mask;      // bool [m]: salient input channels (§2.2)
  at::Tensor mean;      // mu [n, 1] (§4.1)
  at::Tensor alpha;     // [n, 1]
  at::Tensor r1;        // [n, 1]
  at::Tensor r2;        // [1, m]
  at::Tensor scale;     // [n, 1]: salient 4-bit quantiser (§3)
  at::Tensor zero;      // [n, 1]
  at::Tensor codes;     // uint8 [n, m]; only the masked columns are meaningful
  at::Tensor signs;     // bool [n, m]: W - mu >= 0, i.e. S = +1 (S = 0 counted as +1, see packed_linear.h)
  PackedLinear stored;  // the stored form (§4.2) the model's W' is dequantised from
};

struct BlockQuantization {
  int64_t block = 0;
  std::vector<LinearQuantization> linears;  // in block_linears(spec) order
};

// Initialises (§2.2, §3, §4.1), trains (§5.2; when options.trains()) and finalises (§4.3) the
// linears of `block`: afterwards the model holds W' = fp16(dequantize(stored form)) for each of
// them, with the stored vectors rounded to options.vector_dtype. Steps run in sample order
// 0..N-1 every epoch; each reports a LossEvent and advances `progress` (absolute step count
// within the caller's stage). On cancellation or any error the block's original weights are
// put back before the exception leaves.
BlockQuantization optimize_block(CausalLM& model, int64_t block, const BlockTrainingData& data,
                                 const ActivationStats& stats, const Ptq161Options& options, OptimizationEvents& events,
                                 ProgressSink& progress, const CancelToken& cancel);

}  // namespace quantcore::methods::ptq161
