#include "quantcore/methods/billm/blockwise_binarization.h"

#include <ATen/ATen.h>

#include <vector>

namespace quantcore::methods::billm {

Matrix to_matrix(const at::Tensor& t) {
  const at::Tensor host = t.to(at::kCPU, at::kFloat).contiguous();
  Matrix m(host.size(0), host.size(1));
  std::copy(host.data_ptr<float>(), host.data_ptr<float>() + host.numel(), m.values.begin());
  return m;
}

at::Tensor to_tensor(const Matrix& m) {
  return at::from_blob(const_cast<float*>(m.values.data()), {m.rows, m.cols}, at::kFloat).clone();
}

BinarizationRun binarize_linear(const at::Tensor& weight, const at::Tensor& hessian, const BinaryLayout& layout,
                                double percdamp, bool compensate, const BlockFitter& fit_block,
                                const std::string& where, const NoticeSink& notice, const CancelToken& cancel) {
  CompensationInputs in = prepare_compensation(weight, hessian, percdamp, where, notice);
  const int64_t n = in.weight.size(0), m = in.weight.size(1);
  const at::Tensor diagonal = in.upper.diagonal().to(at::kCPU).contiguous();
  const std::vector<float> u(diagonal.data_ptr<float>(), diagonal.data_ptr<float>() + m);
  BinarizationRun run;
  run.stored = empty_binarized(layout, n, m);
  run.percdamp = in.percdamp;
  const auto quantize_block = [&](int64_t first, const at::Tensor& block) {
    const BlockFit fit = fit_block(first, to_matrix(block), u.data() + first);
    return to_tensor(append_block(run.stored, fit, &run.changed_zero_signs)).to(block.device());
  };
  if (compensate) {
    run.weight = compensate_blocks(in, layout.block_size, quantize_block, cancel);
  } else {
    run.weight = at::zeros_like(in.weight);
    for (int64_t c = 0; c < m; c += layout.block_size) {
      cancel.throw_if_requested();
      const int64_t count = std::min(layout.block_size, m - c);
      run.weight.narrow(1, c, count).copy_(quantize_block(c, in.weight.narrow(1, c, count)));
    }
  }
  return run;
}

}  // namespace quantcore::methods::billm
