#include "quantcore/kernels/fused/w_rebuild.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <ATen/Parallel.h>
#include <c10/core/DeviceGuard.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <stdexcept>
#include <vector>

#include "fused_cuda.h"
#include "quantcore/kernels/device.h"
#include "w_rebuild_rows.h"

namespace quantcore::kernels::fused {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Rows per task: a few hundred KB of weight each, so that small layers stay on one thread.
constexpr int64_t kRowGrain = 16;

at::Tensor flat_float(const at::Tensor& t) { return t.detach().to(at::kFloat).contiguous().reshape({-1}); }

detail::FrozenRows rows_of(const at::Tensor& signs, const at::Tensor& salient, const at::Tensor& high) {
  detail::FrozenRows f;
  f.m = signs.size(1);
  f.k = salient.numel();
  f.signs = signs.data_ptr<int8_t>();
  f.salient = salient.data_ptr<int64_t>();
  f.high = high.data_ptr<float>();
  return f;
}

detail::RowScales scales_of(const at::Tensor& alpha, const at::Tensor& r1, const at::Tensor& mean) {
  return {alpha.data_ptr<float>(), r1.data_ptr<float>(), mean.data_ptr<float>()};
}

class RebuildFunction : public torch::autograd::Function<RebuildFunction> {
public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& alpha, const at::Tensor& r1, const at::Tensor& r2,
                            const at::Tensor& signs, const at::Tensor& mean, const at::Tensor& salient,
                            const at::Tensor& high, const at::Tensor& low) {
    const int64_t n = signs.size(0), m = signs.size(1);
    at::Tensor a = flat_float(alpha), r = flat_float(r1);
    at::Tensor r2_low = flat_float(r2) * low;
    at::Tensor out = at::empty({n, m}, signs.options().dtype(at::kFloat));
    const detail::FrozenRows f = rows_of(signs, salient, high);
    const detail::RowScales s = scales_of(a, r, mean);
    const float* r2l = r2_low.data_ptr<float>();
    float* w = out.data_ptr<float>();
    if (signs.is_cuda()) {
      const c10::DeviceGuard guard(signs.device());
      detail::rebuild_cuda(n, f, s, r2l, w);
    } else {
      at::parallel_for(0, n, kRowGrain,
                       [&](int64_t begin, int64_t end) { detail::rebuild_rows(begin, end, f, s, r2l, w); });
    }
    ctx->save_for_backward({a, r, r2_low, signs, mean, salient, high, low});
    ctx->saved_data["alpha_sizes"] = alpha.sizes().vec();
    ctx->saved_data["r1_sizes"] = r1.sizes().vec();
    ctx->saved_data["r2_sizes"] = r2.sizes().vec();
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor &a = saved[0], &r = saved[1], &r2_low = saved[2], &signs = saved[3], &mean = saved[4],
                     &salient = saved[5], &high = saved[6], &low = saved[7];
    const at::Tensor grad = grads[0].to(at::kFloat).contiguous();
    const int64_t n = signs.size(0), m = signs.size(1);
    const detail::FrozenRows f = rows_of(signs, salient, high);
    const detail::RowScales s = scales_of(a, r, mean);

    // Each task (a CPU thread, or a chunk of rows on CUDA) sums its rows' contributions to d_r2
    // in a [m] buffer of its own.
    const bool cuda = signs.is_cuda();
    const int64_t tasks =
        cuda ? detail::row_chunks(n)
             : std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), (n + kRowGrain - 1) / kRowGrain));
    at::Tensor d_alpha = at::empty({n}, grad.options());
    at::Tensor d_r1 = at::empty({n}, grad.options());
    at::Tensor columns = at::zeros({tasks, m}, grad.options());
    const float* r2l = r2_low.data_ptr<float>();
    const float* g = grad.data_ptr<float>();
    float* da = d_alpha.data_ptr<float>();
    float* dr = d_r1.data_ptr<float>();
    float* col = columns.data_ptr<float>();
    if (cuda) {
      const c10::DeviceGuard guard(signs.device());
      detail::gradient_cuda(n, f, s, r2l, g, da, dr, col);
    } else {
      const int64_t rows_per_task = (n + tasks - 1) / tasks;
      at::parallel_for(0, tasks, 1, [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) {
          const int64_t lo = t * rows_per_task, hi = std::min(n, lo + rows_per_task);
          if (lo < hi) detail::gradient_rows(lo, hi, f, s, r2l, g, da, dr, col + t * m);
        }
      });
    }
    at::Tensor d_r2 = (tasks == 1 ? columns[0] : columns.sum(0)) * low;

    auto sizes = [&](const char* key) { return ctx->saved_data[key].toIntVector(); };
    return {d_alpha.view(sizes("alpha_sizes")),
            d_r1.view(sizes("r1_sizes")),
            d_r2.view(sizes("r2_sizes")),
            at::Tensor(),
            at::Tensor(),
            at::Tensor(),
            at::Tensor(),
            at::Tensor()};
  }
};

}  // namespace

bool fused_rebuild_supported(const at::Tensor& weight) {
  if (!weight.defined() || weight.scalar_type() != at::kFloat || weight.dim() != 2) return false;
  return weight.device().is_cpu() || (weight.is_cuda() && cuda_kernels_built());
}

bool fused_cuda_opted_in() {
  const char* v = std::getenv("QUANTLENS_FUSED_CUDA");
  return v && std::string(v) == "1";
}

bool fused_rebuild_enabled(const at::Tensor& weight) {
  return fused_rebuild_supported(weight) && (weight.device().is_cpu() || fused_cuda_opted_in());
}

FusedBinarization fuse_binarization(const at::Tensor& weight, const at::Tensor& mask,
                                    const at::Tensor& salient_dequantized, const at::Tensor& mean) {
  if (!fused_rebuild_supported(weight))
    throw std::invalid_argument("fuse_binarization: weight must be fp32 [out, in] on the CPU or a GPU with the CUDA kernels");
  if (mask.dim() != 1 || mask.size(0) != weight.size(1))
    throw std::invalid_argument("fuse_binarization: mask must be [in_features]");
  at::NoGradGuard no_grad;
  const at::Tensor w = weight.detach();
  const at::Tensor salient = mask.to(w.device(), at::kBool);
  FusedBinarization f;
  f.mean = flat_float(mean);
  f.low_columns = salient.logical_not().to(at::kFloat);
  f.signs = (at::sign(w - f.mean.unsqueeze(1)) * f.low_columns).to(at::kChar).contiguous();
  f.salient_columns = salient.nonzero().reshape({-1}).contiguous();
  f.high = salient_dequantized.detach().to(at::kFloat).index_select(1, f.salient_columns).contiguous();
  return f;
}

at::Tensor rebuild_weight(const FusedBinarization& frozen, const at::Tensor& alpha, const at::Tensor& r1,
                          const at::Tensor& r2) {
  const int64_t n = frozen.signs.size(0), m = frozen.signs.size(1);
  if (alpha.numel() != n || r1.numel() != n || r2.numel() != m)
    throw std::invalid_argument("rebuild_weight: alpha, r1 must have out_features entries and r2 in_features");
  return RebuildFunction::apply(alpha, r1, r2, frozen.signs, frozen.mean, frozen.salient_columns, frozen.high,
                                frozen.low_columns);
}

}  // namespace quantcore::kernels::fused
