#pragma once
// BiLLM (baselines-spec §2): per 128-column block, salient columns (order-2 residual binarisation)
// and a break-point split of the rest into concentrated and sparse zones (order 1 each), searched
// on the saliency matrix, fitted on W, errors compensated block-wise through U. Fake-quant and
// dense exports only (no packed form). Include only from translation units that compute with
// tensors (the block fit itself is torch-free).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "quantcore/methods/billm/blockwise_binarization.h"
#include "quantcore/methods/billm/structure_search.h"

namespace quantcore::methods::billm {

inline constexpr std::string_view kName = "billm";

// The official code's defaults (§2.6) — the salient metric is the README commands' (§2.1). The
// orders (concentrated, sparse, salient) are fixed at the code's (1, 1, 2): the stored layout is
// built for them.
struct BillmOptions {
  int64_t block_size = 128;  // = the binarisation group
  StructureOptions structure;
  double percdamp = 0.01;
  bool compensate = true;  // false: --disable_gptq
};

BinaryLayout billm_layout(int64_t block_size);

// §2.3 steps 1-4 on one block B [n, β]: the partition searched on T, then
// Q = BIN_1(B, M1) + BIN_1(B, M2) + BIN_2(B, M3), in the zones' stored order.
BlockFit fit_billm_block(const Matrix& block, const float* u_diagonal, const StructureOptions& options);

// §2.3 on `weight` [n, m] with its Hessian [m, m]; W' = the stored form's values (fp16 scalars),
// which is also what each block's error is compensated against.
BinarizationRun quantize_linear(const at::Tensor& weight, const at::Tensor& hessian, const BillmOptions& options,
                                const std::string& where, const NoticeSink& notice, const CancelToken& cancel);

}  // namespace quantcore::methods::billm
