#pragma once
// Decoder blocks of each family, and the attention they share. Private to quantcore/model.
#include <ATen/core/Tensor.h>

#include <optional>

#include "quantcore/io/model_spec.h"
#include "quantcore/model/causal_lm.h"

namespace quantcore::detail {

// Keys/values of one block kept across calls (both undefined before the first call).
struct BlockCache {
  at::Tensor* keys = nullptr;
  at::Tensor* values = nullptr;
};

// q: [B, heads, Tq, d]; k, v: [B, kv_heads, Tk, d] where the queries are the last Tq of the
// Tk positions. Causal (and, when set, sliding-window) masking; softmax in float32 as HF's
// eager attention. Returns [B, Tq, heads * d].
at::Tensor causal_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scaling,
                            std::optional<int64_t> sliding_window);

// Appends k/v to the cache (if any) and returns the full keys/values to attend to.
std::pair<at::Tensor, at::Tensor> extend_cache(const at::Tensor& k, const at::Tensor& v, const BlockCache& cache);

// The running block's index and the observer of its linear inputs (null when none is set;
// then `linear` costs one pointer test more than at::linear).
struct LinearTap {
  int64_t block = 0;
  const LinearInputObserver* observer = nullptr;
};

// Every block linear goes through here: y = x W^T (+ b), after showing x to the observer.
at::Tensor linear(const at::Tensor& x, const BlockWeights& w, const std::string& name, const LinearTap& tap);

// The adapter's low-rank term scaling · B (A dropout(x)) in x's dtype.
at::Tensor adapter_term(const at::Tensor& x, const LinearAdapter& adapter);

at::Tensor llama_block_forward(const ModelSpec& spec, const BlockWeights& w, const at::Tensor& inv_freq,
                               const at::Tensor& hidden, int64_t position_offset, const BlockCache& cache,
                               const LinearTap& tap);

at::Tensor opt_block_forward(const ModelSpec& spec, const BlockWeights& w, const at::Tensor& hidden,
                             const BlockCache& cache, const LinearTap& tap);

// HF LlamaRMSNorm: normalise in float32, cast back, then scale.
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps);

}  // namespace quantcore::detail
