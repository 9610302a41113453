#include "quantcore/methods/pbllm/pbllm.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "quantcore/methods/gptq/grid_params.h"
#include "quantcore/methods/pbllm/saliency.h"
#include "quantcore/model/tensor_from_view.h"

namespace quantcore::methods::pbllm {

namespace {

// §3.2 steps 3-4, per group of g columns of the dead-zeroed W: the binarised entries
// (saliency <= θ, ties included) and the xnor binariser's per-row (μ, α).
struct Binariser {
  at::Tensor mask;                       // bool [n, m]
  at::Tensor mean, alpha;                // [n, groups] float32
  at::Tensor stored_mean, stored_alpha;  // their fp16 roundings
};

Binariser fit_binariser(const at::Tensor& w, const at::Tensor& upper_diagonal, const at::Tensor& dead,
                        const PbllmOptions& o, int64_t g) {
  const int64_t n = w.size(0), m = w.size(1), groups = (m + g - 1) / g;
  Binariser b;
  b.mask = at::empty({n, m}, w.options().dtype(at::kBool));
  b.mean = at::empty({n, groups}, w.options());
  b.alpha = at::empty({n, groups}, w.options());
  for (int64_t k = 0; k < groups; ++k) {
    const int64_t first = k * g, count = std::min(g, m - first);
    const at::Tensor wg = w.narrow(1, first, count);
    const at::Tensor saliency =
        o.metric == SalientMetric::Hessian
            ? hessian_saliency(wg, upper_diagonal.narrow(0, first, count), dead.narrow(0, first, count))
            : wg.abs();
    const at::Tensor mask = saliency <= binarize_threshold(saliency, o.low_frac);
    b.mask.narrow(1, first, count).copy_(mask);
    // The official calibrate divides by the group width, not by the binarised count (flagged
    // "TODO: seems to have problem" there): salient entries count as zeros in μ and as |μ| in α.
    const at::Tensor masked = wg * mask;
    const at::Tensor mean = masked.mean(1);
    b.mean.select(1, k).copy_(mean);
    b.alpha.select(1, k).copy_((masked - mean.unsqueeze(1)).abs().mean(1));
  }
  b.stored_mean = b.mean.to(at::kHalf).to(at::kFloat);
  b.stored_alpha = b.alpha.to(at::kHalf).to(at::kFloat);
  return b;
}

PbllmLinear stored_form(const Binariser& b, const gptq::GridParams& grid, const at::Tensor& signs, const at::Tensor& codes,
                        int64_t g, int high_bits) {
  PbllmLinear q;
  q.rows = b.mask.size(0);
  q.cols = b.mask.size(1);
  q.group_size = g;
  q.high_bits = high_bits;
  const at::Tensor mask = b.mask.cpu().contiguous(), sign = signs.cpu().contiguous();
  const at::Tensor code = codes.cpu().contiguous();
  const bool* mp = mask.data_ptr<bool>();
  const bool* sp = sign.data_ptr<bool>();
  const uint8_t* cp = code.data_ptr<uint8_t>();
  const int64_t numel = q.rows * q.cols;
  q.binarised.assign(mp, mp + numel);
  for (int64_t k = 0; k < numel; ++k) {
    if (mp[k])
      q.signs.push_back(sp[k]);
    else
      q.codes.push_back(cp[k]);
  }
  q.mean = host_floats(b.stored_mean);
  q.alpha = host_floats(b.stored_alpha);
  q.scale = host_floats(grid.stored_scale);
  q.zero = host_floats(grid.zero);
  return q;
}

}  // namespace

PbllmResult quantize_linear(const at::Tensor& weight, const at::Tensor& hessian, const PbllmOptions& o,
                            const std::string& where, const NoticeSink& notice, const CancelToken& cancel) {
  if (o.high_bits < 1 || o.high_bits > 8) throw std::invalid_argument("pbllm: high bits must be in [1, 8]");
  if (o.group_size == 0 || o.group_size < -1) throw std::invalid_argument("pbllm: group size must be -1 or positive");
  if (!(o.low_frac >= 0.0 && o.low_frac <= 1.0)) throw std::invalid_argument("pbllm: low_frac must be in [0, 1]");
  if (o.block_size <= 0) throw std::invalid_argument("pbllm: block size must be positive");
  const at::Tensor W0 = weight.to(at::kFloat);
  const int64_t n = W0.size(0), m = W0.size(1);
  const int64_t g = o.group_size < 0 || o.group_size > m ? m : o.group_size;
  const double maxq = static_cast<double>((1 << o.high_bits) - 1);

  // Step 1 on W as given (before the dead columns are zeroed); steps 2-4 on the zeroed W.
  // §3.2 step 1: GPTQ's asymmetric per-row grid over the original W.
  const gptq::GridParams grid = gptq::find_params(W0, o.high_bits, false);
  CompensationInputs in = prepare_compensation(W0, hessian, o.percdamp, where, notice);
  const Binariser bin = fit_binariser(in.weight, in.upper.diagonal(), in.dead, o, g);

  at::Tensor signs = at::zeros({n, m}, W0.options().dtype(at::kBool));
  at::Tensor codes = at::zeros({n, m}, W0.options().dtype(at::kByte));
  // §3.2 step 5's mixed quantiser on the current column. sign(w - μ) is taken as +1 at 0 (the
  // code's sign(0) = 0 gives μ, which one stored bit cannot hold).
  const auto quantize_column = [&](int64_t j, const at::Tensor& w) {
    const int64_t k = j / g;
    const at::Tensor positive = w >= bin.mean.select(1, k);
    const at::Tensor low =
        bin.stored_alpha.select(1, k) * (positive.to(at::kFloat) * 2.0 - 1.0) + bin.stored_mean.select(1, k);
    const at::Tensor code = at::clamp(at::round(w / grid.scale) + grid.zero, 0.0, maxq);
    const at::Tensor high = grid.stored_scale * (code - grid.zero);
    signs.select(1, j).copy_(positive);
    codes.select(1, j).copy_(code);
    return at::where(bin.mask.select(1, j), low, high);
  };

  PbllmResult out;
  out.percdamp = in.percdamp;
  if (o.compensate) {
    out.quantized = compensate_columns(
        in, o.block_size, [&](int64_t j, const at::Tensor& w, const at::Tensor&) { return quantize_column(j, w); },
        cancel);
  } else {
    out.quantized = at::zeros_like(in.weight);
    for (int64_t j = 0; j < m; ++j) {
      if (j % o.block_size == 0) cancel.throw_if_requested();
      out.quantized.select(1, j).copy_(quantize_column(j, in.weight.select(1, j)));
    }
  }
  out.stored = stored_form(bin, grid, signs, codes, g, o.high_bits);
  return out;
}

}  // namespace quantcore::methods::pbllm
