#include "quantcore/methods/billm/billm.h"

#include "quantcore/methods/billm/residual_binarization.h"

namespace quantcore::methods::billm {

BinaryLayout billm_layout(int64_t block_size) {
  BinaryLayout l;
  l.kind = FitKind::Billm;
  l.block_size = block_size;
  return l;
}

BlockFit fit_billm_block(const Matrix& block, const float* u_diagonal, const StructureOptions& options) {
  const BillmPartition p = billm_partition(saliency(block, u_diagonal, options.metric), options);
  BlockFit fit;
  fit.salient_columns = p.salient.columns;
  fit.sparse = p.split.high;
  fit.zones.push_back(binarize_residual(block, p.split.low, 1));
  fit.zones.push_back(binarize_residual(block, p.split.high, 1));
  fit.zones.push_back(binarize_residual(block, p.salient_mask, 2));
  return fit;
}

BinarizationRun quantize_linear(const at::Tensor& weight, const at::Tensor& hessian, const BillmOptions& o,
                                const std::string& where, const NoticeSink& notice, const CancelToken& cancel) {
  return binarize_linear(
      weight, hessian, billm_layout(o.block_size), o.percdamp, o.compensate,
      [&](int64_t, const Matrix& block, const float* u) { return fit_billm_block(block, u, o.structure); }, where,
      notice, cancel);
}

}  // namespace quantcore::methods::billm
