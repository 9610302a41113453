#include <ATen/ATen.h>

#include <cmath>

#include "blocks.h"

namespace quantcore::detail {

namespace {
at::Tensor layer_norm(const at::Tensor& x, const BlockWeights& w, const std::string& name) {
  return at::layer_norm(x, {x.size(-1)}, w.get(name + ".weight"), w.maybe(name + ".bias"), 1e-5);
}
}  // namespace

// HF OPTDecoderLayer. do_layer_norm_before=true (all OPT sizes but 350m) normalises before each
// sub-block; false normalises after the residual add.
at::Tensor opt_block_forward(const ModelSpec& spec, const BlockWeights& w, const at::Tensor& hidden,
                             const BlockCache& cache, const LinearTap& tap) {
  const int64_t batch = hidden.size(0), length = hidden.size(1), hd = spec.head_dim;
  const bool pre = spec.do_layer_norm_before;

  at::Tensor h = pre ? layer_norm(hidden, w, "self_attn_layer_norm") : hidden;
  auto heads = [&](const at::Tensor& x) { return x.view({batch, length, spec.num_heads, hd}).transpose(1, 2); };
  at::Tensor q = heads(linear(h, w, "self_attn.q_proj", tap));
  at::Tensor k = heads(linear(h, w, "self_attn.k_proj", tap));
  at::Tensor v = heads(linear(h, w, "self_attn.v_proj", tap));
  auto [keys, values] = extend_cache(k, v, cache);
  at::Tensor attn = causal_attention(q, keys, values, 1.0 / std::sqrt(static_cast<double>(hd)), std::nullopt);
  at::Tensor x = hidden + linear(attn, w, "self_attn.out_proj", tap);
  if (!pre) x = layer_norm(x, w, "self_attn_layer_norm");

  h = pre ? layer_norm(x, w, "final_layer_norm") : x;
  at::Tensor y = x + linear(at::relu(linear(h, w, "fc1", tap)), w, "fc2", tap);
  if (!pre) y = layer_norm(y, w, "final_layer_norm");
  return y;
}

}  // namespace quantcore::detail
