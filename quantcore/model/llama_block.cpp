#include <ATen/ATen.h>

#include <cmath>

#include "blocks.h"
#include "quantcore/model/rope.h"

namespace quantcore::detail {

// HF LlamaDecoderLayer (also Mistral and Qwen2, which differ only in biases and the window).
at::Tensor llama_block_forward(const ModelSpec& spec, const BlockWeights& w, const at::Tensor& inv_freq,
                               const at::Tensor& hidden, int64_t position_offset, const BlockCache& cache,
                               const LinearTap& tap) {
  const int64_t batch = hidden.size(0), length = hidden.size(1), hd = spec.head_dim;

  at::Tensor h = rms_norm(hidden, w.get("input_layernorm.weight"), spec.norm_eps);
  auto heads = [&](const at::Tensor& x, int64_t n) { return x.view({batch, length, n, hd}).transpose(1, 2); };
  at::Tensor q = heads(linear(h, w, "self_attn.q_proj", tap), spec.num_heads);
  at::Tensor k = heads(linear(h, w, "self_attn.k_proj", tap), spec.num_kv_heads);
  at::Tensor v = heads(linear(h, w, "self_attn.v_proj", tap), spec.num_kv_heads);

  RopeCosSin cs = rope_cos_sin(inv_freq, position_offset, length, hidden.scalar_type());
  q = apply_rope(q, cs.cos, cs.sin);
  k = apply_rope(k, cs.cos, cs.sin);
  auto [keys, values] = extend_cache(k, v, cache);

  at::Tensor attn = causal_attention(q, keys, values, 1.0 / std::sqrt(static_cast<double>(hd)), spec.sliding_window);
  at::Tensor x = hidden + linear(attn, w, "self_attn.o_proj", tap);

  h = rms_norm(x, w.get("post_attention_layernorm.weight"), spec.norm_eps);
  // gate before up in a statement of its own: the linear-input observer sees forward order.
  at::Tensor gate = at::silu(linear(h, w, "mlp.gate_proj", tap));
  at::Tensor gated = gate * linear(h, w, "mlp.up_proj", tap);
  return x + linear(gated, w, "mlp.down_proj", tap);
}

}  // namespace quantcore::detail
