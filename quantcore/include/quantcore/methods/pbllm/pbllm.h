#pragma once
// PB-LLM's PTQ variant PB-GPTQ (baselines-spec §3): per linear, a fraction low_frac of the
// weights (the least salient) binarised and the rest on a per-row high-bit grid, the mask and
// every quantiser parameter fixed up front from the original W, then GPTQ's column loop with
// that mixed quantiser. Include only from translation units that compute with tensors.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "quantcore/jobs/progress.h"
#include "quantcore/methods/hessian_compensation.h"
#include "quantcore/methods/pbllm/pbllm_linear.h"
#include "quantcore/methods/salient_metric.h"

namespace quantcore::methods::pbllm {

inline constexpr std::string_view kName = "pbllm";

using methods::SalientMetric;

// The defaults of the parameter table. They are the README's command (§3.5) rather than
// run.py's: its low_frac 0 skips quantisation and its metric is magnitude.
struct PbllmOptions {
  double low_frac = 0.9;  // fraction binarised: 0.9 <=> 10 % salient
  int high_bits = 8;
  SalientMetric metric = SalientMetric::Hessian;
  int64_t group_size = -1;  // binariser (μ, α) and mask groups of input columns; -1: the whole row
  int64_t block_size = 128;
  double percdamp = 0.01;
  bool compensate = true;  // false = --disable_gptq, the paper's "RTN" rows
};

struct PbllmResult {
  PbllmLinear stored;
  at::Tensor quantized;  // W' [n, m] float32 as the column loop produced it (= dequantize(stored))
  double percdamp = 0;   // the damping that factorised H
};

// §3.2 on `weight` [n, m] with its Hessian [m, m] (same device). Codes follow the reference
// (fp32 parameters); every value the loop writes, and every error it spreads, is the stored one
// (fp16 parameters), so dequantize(stored) is exactly the W' the compensation saw. `where` names
// the linear in notices and errors.
PbllmResult quantize_linear(const at::Tensor& weight, const at::Tensor& hessian, const PbllmOptions& options,
                            const std::string& where, const NoticeSink& notice, const CancelToken& cancel);

}  // namespace quantcore::methods::pbllm
