#pragma once
// ARB-LLM (baselines-spec §7): BiLLM's per-layer skeleton and searches (billm/), with each zone
// fitted by alternating refined binarisation: arb (mean fits), arb-x (refined again on the
// calibration inputs' e S eᵀ) or arb-rc (row and column scales); CGB splits the salient columns
// into two order-2 zones. Fake-quant and dense exports only (no packed form). Include only from
// translation units that compute with tensors (the zone fits, arb_fits.h, are torch-free; ARB-X's
// split error multiplies by S with ATen).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "quantcore/methods/billm/blockwise_binarization.h"
#include "quantcore/methods/billm/structure_search.h"

namespace quantcore::methods::arbllm {

inline constexpr std::string_view kName = "arbllm";

enum class Variant { Arb, ArbX, ArbRc };
const char* variant_name(Variant v);  // "arb", "arb-x", "arb-rc"
std::optional<Variant> variant_from_name(std::string_view name);

// The official code's defaults (§7.6), except the salient metric (README commands: hessian) and
// the variant, which the code takes as a positional argument: arb-rc, the paper's best.
struct ArbllmOptions {
  Variant variant = Variant::ArbRc;
  bool cgb = false;     // --order2_group (§7.3 step 4)
  int iterations = 15;  // every alternating loop (§7.2); ARB-X's L2 loop too
  int64_t num_p = 1;    // only 1: §7.3 step 8 is not implemented
  int64_t block_size = 128;
  billm::StructureOptions structure;
  double percdamp = 0.01;
  bool compensate = true;
};

billm::BinaryLayout arbllm_layout(Variant variant, bool cgb, int64_t block_size);

// §7.3 steps 1-6 on one block B [n, β]: BiLLM's salient columns on T, the reference fit of T on
// them, CGB's split of the salient columns, the non-salient split (ARB-X: by Tr(Δ S Δᵀ) on T),
// then every zone fitted on B. `s` = S [β, β] = H[b, b] / 2 for arb-x (§7.1), else unused.
billm::BlockFit fit_arbllm_block(const billm::Matrix& block, const float* u_diagonal, const billm::Matrix* s,
                                 const ArbllmOptions& options);

// §7.3 on `weight` [n, m] with its Hessian [m, m] (H before damping; arb-x slices S from it).
billm::BinarizationRun quantize_linear(const at::Tensor& weight, const at::Tensor& hessian,
                                       const ArbllmOptions& options, const std::string& where, const NoticeSink& notice,
                                       const CancelToken& cancel);

}  // namespace quantcore::methods::arbllm
