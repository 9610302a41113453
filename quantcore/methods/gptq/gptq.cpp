#include "quantcore/methods/gptq/gptq.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <vector>

#include "quantcore/methods/gptq/grid_params.h"
#include "quantcore/pack/half_float.h"

namespace quantcore::methods::gptq {

GptqLinear quantize_linear(const at::Tensor& weight, const at::Tensor& hessian, const GptqOptions& o,
                           const std::string& where, const NoticeSink& notice, const CancelToken& cancel) {
  if (o.bits < 1 || o.bits > 8) throw std::invalid_argument("gptq: bits must be in [1, 8]");
  if (o.group_size == 0 || o.group_size < -1) throw std::invalid_argument("gptq: group size must be -1 or positive");
  const at::Tensor W0 = weight.to(at::kFloat);
  const int64_t n = W0.size(0), m = W0.size(1);
  const int64_t g = o.group_size < 0 || o.group_size > m ? m : o.group_size;
  const bool grouped = g < m;
  const int64_t groups = (m + g - 1) / g;
  const double maxq = static_cast<double>((1 << o.bits) - 1);

  // §4.2 steps 1-5: per-row params from the original W; dead columns; static groups on the
  // dead-zeroed W in original order; act-order's permutation before damping.
  GridParams per_row;
  if (!grouped) per_row = find_params(W0, o.bits, o.symmetric);
  const at::Tensor dead = hessian.diagonal() == 0;
  const at::Tensor zeroed = W0.masked_fill(dead.unsqueeze(0), 0.0);
  std::vector<GridParams> static_params;
  if (grouped && o.static_groups)
    for (int64_t k = 0; k < groups; ++k)
      static_params.push_back(find_params(zeroed.narrow(1, k * g, std::min(g, m - k * g)), o.bits, o.symmetric));
  at::Tensor perm;
  at::Tensor W = zeroed, H = hessian;
  if (o.act_order) {
    perm = std::get<1>(at::sort(hessian.diagonal().masked_fill(dead, 1.0), /*dim=*/0, /*descending=*/true));
    W = W.index_select(1, perm);
    H = H.index_select(0, perm).index_select(1, perm);
  }
  CompensationInputs in = prepare_compensation(W, H, o.percdamp, where, notice);
  const at::Tensor original_column = o.act_order ? perm.cpu() : at::arange(m, at::kLong);
  const int64_t* original = original_column.data_ptr<int64_t>();

  at::Tensor codes = at::zeros({n, m}, W0.options().dtype(at::kByte));  // original column order
  at::Tensor scales = at::zeros({n, groups}, W0.options()), zeros = at::zeros({n, groups}, W0.options());
  GridParams current = per_row;
  const auto record = [&](int64_t group, const GridParams& p) {
    scales.select(1, group).copy_(p.stored_scale);
    zeros.select(1, group).copy_(p.zero);
  };
  if (!grouped) record(0, per_row);
  for (size_t k = 0; k < static_params.size(); ++k) record(static_cast<int64_t>(k), static_params[k]);

  compensate_columns(
      in, o.block_size,
      [&](int64_t column, const at::Tensor& w, const at::Tensor& outer) {
        if (grouped && o.static_groups) {
          current = static_params[static_cast<size_t>(original[column] / g)];
        } else if (grouped && column % g == 0) {
          current = find_params(outer.narrow(1, column, std::min(g, m - column)), o.bits, o.symmetric);
          record(column / g, current);
        }
        const at::Tensor code = at::clamp(at::round(w / current.scale) + current.zero, 0.0, maxq);
        codes.select(1, original[column]).copy_(code);
        return current.stored_scale * (code - current.zero);
      },
      cancel);

  GptqLinear out;
  out.percdamp = in.percdamp;
  rtn::RtnLinear& q = out.grid;
  q.rows = n;
  q.cols = m;
  q.bits = o.bits;
  q.group_size = g;
  const at::Tensor host_codes = codes.cpu().contiguous();
  const uint8_t* c = host_codes.data_ptr<uint8_t>();
  q.codes = rtn::pack_codes(std::vector<uint8_t>(c, c + n * m), n, m, o.bits);
  const at::Tensor host_scales = scales.cpu().contiguous(), host_zeros = zeros.cpu().to(at::kByte).contiguous();
  q.scales.assign(host_scales.data_ptr<float>(), host_scales.data_ptr<float>() + n * groups);
  q.zeros.assign(host_zeros.data_ptr<uint8_t>(), host_zeros.data_ptr<uint8_t>() + n * groups);
  if (grouped && o.act_order && !o.static_groups) {
    q.group_index.resize(static_cast<size_t>(m));
    for (int64_t k = 0; k < m; ++k) q.group_index[static_cast<size_t>(original[k])] = static_cast<int32_t>(k / g);
  }
  return out;
}

}  // namespace quantcore::methods::gptq
