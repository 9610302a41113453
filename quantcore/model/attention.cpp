#include <ATen/ATen.h>

#include <limits>

#include "blocks.h"
#include "packed_linear_op.h"
#include "quantcore/model/input_quantization_op.h"

namespace quantcore::detail {

at::Tensor causal_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scaling,
                            std::optional<int64_t> sliding_window) {
  const int64_t batch = q.size(0), heads = q.size(1), tq = q.size(2), dim = q.size(3);
  const int64_t kv_heads = k.size(1), tk = k.size(2);
  at::Tensor keys = k, values = v;
  if (kv_heads != heads) {  // grouped-query attention: query head j reads kv head j / group
    keys = k.repeat_interleave(heads / kv_heads, 1);
    values = v.repeat_interleave(heads / kv_heads, 1);
  }
  at::Tensor scores = at::matmul(q, keys.transpose(2, 3)) * scaling;

  // query i sits at absolute position (tk - tq + i); key j is visible when j <= that
  // position (and, with a sliding window w, when position - j < w).
  auto opts = at::TensorOptions().dtype(at::kLong).device(q.device());
  at::Tensor query_pos = at::arange(tk - tq, tk, opts).unsqueeze(1);
  at::Tensor key_pos = at::arange(0, tk, opts).unsqueeze(0);
  at::Tensor hidden = key_pos > query_pos;
  if (sliding_window) hidden = hidden.logical_or(query_pos - key_pos >= *sliding_window);
  scores = scores.masked_fill(hidden, -std::numeric_limits<float>::infinity());

  at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
  at::Tensor out = at::matmul(probs, values);  // [B, heads, tq, dim]
  return out.transpose(1, 2).reshape({batch, tq, heads * dim});
}

std::pair<at::Tensor, at::Tensor> extend_cache(const at::Tensor& k, const at::Tensor& v, const BlockCache& cache) {
  if (!cache.keys) return {k, v};
  if (cache.keys->defined()) {
    *cache.keys = at::cat({*cache.keys, k}, 2);
    *cache.values = at::cat({*cache.values, v}, 2);
  } else {
    *cache.keys = k;
    *cache.values = v;
  }
  return {*cache.keys, *cache.values};
}

at::Tensor linear(const at::Tensor& x, const BlockWeights& w, const std::string& name, const LinearTap& tap) {
  if (tap.observer) (*tap.observer)(tap.block, name, x);
  at::Tensor input = x;
  if (!w.input_quantizers.empty())
    if (const auto it = w.input_quantizers.find(name); it != w.input_quantizers.end())
      input = fake_quantize_input(x, it->second.settings.bits, it->second.smoothing);
  at::Tensor y;
  if (!w.packed.empty())
    if (const auto it = w.packed.find(name); it != w.packed.end())
      y = it->second->forward(input, w.maybe(name + ".bias"));
  if (!y.defined()) y = at::linear(input, w.get(name + ".weight"), w.maybe(name + ".bias"));
  if (w.adapters.empty()) return y;
  const auto it = w.adapters.find(name);
  return it == w.adapters.end() ? y : y + adapter_term(input, it->second);
}

// PEFT's LoRA Linear: dropout on the adapter's input only, then B(A x) scaled (spec §6.2).
at::Tensor adapter_term(const at::Tensor& x, const LinearAdapter& adapter) {
  at::Tensor input = x;
  if (adapter.dropout > 0 && adapter.dropout_generator) {
    at::Tensor keep = at::empty_like(x).bernoulli_(1.0 - adapter.dropout, *adapter.dropout_generator);
    input = x * keep / (1.0 - adapter.dropout);
  }
  const at::Tensor low = at::linear(input, adapter.a.to(x.scalar_type()));
  return at::linear(low, adapter.b.to(x.scalar_type())) * adapter.scaling;
}

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  at::Tensor xf = x.to(at::kFloat);
  at::Tensor normed = xf * at::rsqrt(xf.pow(2).mean(-1, true) + eps);
  return weight * normed.to(x.scalar_type());
}

}  // namespace quantcore::detail
