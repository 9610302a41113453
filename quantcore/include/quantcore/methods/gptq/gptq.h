#pragma once
// GPTQ (baselines-spec §4): each linear's columns quantised in order on an integer grid, every
// column's error spread over the columns not yet quantised through U = chol_upper(H⁻¹). The
// stored form is RTN's grid (rtn.h). Include only from translation units that compute with
// tensors.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "quantcore/jobs/progress.h"
#include "quantcore/methods/hessian_compensation.h"
#include "quantcore/methods/rtn/rtn.h"

namespace quantcore::methods::gptq {

inline constexpr std::string_view kName = "gptq";

// The official code's defaults (§4.2), which its parameter table is built from.
struct GptqOptions {
  int bits = 4;
  int64_t group_size = -1;  // -1: one (scale, zero) per row over the whole row
  bool act_order = false;   // columns in descending diag(H)
  bool static_groups = false;
  bool symmetric = false;
  int64_t block_size = 128;
  double percdamp = 0.01;
  bool true_sequential = false;  // §0.2: {q,k,v} -> {o} -> {gate,up} -> {down}, each sub-step re-collecting H
};

struct GptqLinear {
  rtn::RtnLinear grid;
  double percdamp = 0;  // the damping that factorised H
};

// §4.2 on `weight` [n, m] with its Hessian [m, m] (same device). Codes follow the reference (fp32
// scale); the error each column spreads is against the stored value (fp16 scale), so W' is
// exactly what the compensation saw. `where` names the linear in notices and errors.
GptqLinear quantize_linear(const at::Tensor& weight, const at::Tensor& hessian, const GptqOptions& options,
                           const std::string& where, const NoticeSink& notice, const CancelToken& cancel);

}  // namespace quantcore::methods::gptq
