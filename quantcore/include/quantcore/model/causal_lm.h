#pragma once
// The LibTorch forward pass of a decoder-only LM, exposed block by block so calibration and
// block-wise optimisation can drive it: embed -> block 0 -> ... -> final norm -> head.
// Include only from translation units that compute with tensors.
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "quantcore/io/model_spec.h"
#include "quantcore/io/tensor_view.h"
#include "quantcore/model/compute_target.h"
#include "quantcore/model/rope.h"
#include "quantcore/pack/input_quantization.h"

namespace quantcore {

struct PackedLinear;
namespace detail {
class PackedLinearOp;
}

// Keys and values of every block seen so far, for incremental decoding.
struct KVCache {
  std::vector<at::Tensor> keys;  // per block [B, kv_heads, T, head_dim]
  std::vector<at::Tensor> values;
  int64_t length = 0;  // positions already cached
};

// One decoder block's tensors by their name inside the block ("self_attn.q_proj.weight").
// With packed kernels, a quantised linear is in `packed` by its short name ("self_attn.q_proj")
// and its weight is not in `tensors` (its bias, if any, is).
// A linear whose input is quantised keeps its InputQuantization and the smoothing as float32 on
// the model's device (undefined for none) in `input_quantizers` by its short name.
struct LinearInputQuantizer {
  InputQuantization settings;
  at::Tensor smoothing;
};

// A low-rank adapter on one block linear (restorative LoRA, ptq161-spec §6.2): the linear
// computes W x + scaling · B (A dropout(x)). A [rank, in] and B [out, rank] may be float32 masters
// of a model computing in bf16 (cast on use, so gradients reach the masters). Dropout applies
// only while `dropout_generator` is set (training), drawn from it.
struct LinearAdapter {
  at::Tensor a;
  at::Tensor b;
  double scaling = 1.0;
  double dropout = 0.0;
  std::optional<at::Generator> dropout_generator;
};

struct BlockWeights {
  std::map<std::string, at::Tensor> tensors;
  std::map<std::string, LinearAdapter> adapters;
  std::map<std::string, std::shared_ptr<const detail::PackedLinearOp>> packed;
  std::map<std::string, LinearInputQuantizer> input_quantizers;
  const at::Tensor& get(const std::string& name) const;
  at::Tensor maybe(const std::string& name) const;  // undefined tensor when absent
};

// Sees the input of every block linear as the forward pass applies it: the block index, the
// linear's short name from block_linears(spec) and its input [.., in_features] in the compute
// dtype. q/k/v (and gate/up) are called with the same tensor. Used by calibration.
using LinearInputObserver = std::function<void(int64_t block, const std::string& linear, const at::Tensor& input)>;

class CausalLM {
public:
  CausalLM(const ModelSpec& spec, const WeightSource& weights, const ComputeOptions& options);

  const ModelSpec& spec() const { return spec_; }
  c10::Device device() const { return device_; }
  c10::ScalarType dtype() const { return dtype_; }
  // "packed" once any block linear computes with the packed kernels (ComputeOptions::kernels,
  // set_packed_linear), else "dense".
  std::string kernels() const;
  bool fused_ops() const { return fused_ops_; }  // ComputeOptions::fused_ops
  int64_t num_blocks() const { return spec_.num_layers; }

  // [B, T] int64 token ids at absolute positions offset.. -> [B, T, hidden]
  at::Tensor embed(const at::Tensor& ids, int64_t position_offset = 0) const;
  // Runs block i alone on hidden states whose first row sits at `position_offset`.
  // Causal masking is always applied. With a cache, keys/values are appended to it.
  at::Tensor block_forward(int64_t i, const at::Tensor& hidden, int64_t position_offset = 0,
                           KVCache* cache = nullptr) const;
  // Final norm (and OPT's project_out).
  at::Tensor final_hidden(const at::Tensor& hidden) const;
  // Logits in the compute dtype, [B, T, vocab].
  at::Tensor head(const at::Tensor& hidden) const;
  // The whole pass; with a cache, `ids` continue the cached sequence.
  at::Tensor logits(const at::Tensor& ids, KVCache* cache = nullptr) const;

  // A block's linear weights ([out, in], compute dtype, on the model's device), by short
  // name from block_linears(spec) such as "self_attn.q_proj" or "fc1". A linear computing with
  // the packed kernels holds no dense weight: both throw std::logic_error for it.
  const at::Tensor& linear_weight(int64_t block, const std::string& name) const;
  void set_linear_weight(int64_t block, const std::string& name, const at::Tensor& weight);
  // From now on block `block`'s linear `name` computes y = W'x from `linear`'s packed bits (the
  // kernels room, docs/kernels.md) on the model's device; its dense weight is dropped.
  void set_packed_linear(int64_t block, const std::string& name, const PackedLinear& linear);

  // From now on block `block`'s linear `name` quantises its input first (after the linear-input
  // observer has seen it); q.bits == 0 removes that. Throws std::invalid_argument for a
  // smoothing vector of the wrong length.
  void set_linear_input_quantization(int64_t block, const std::string& name, const InputQuantization& q);
  InputQuantization linear_input_quantization(int64_t block, const std::string& name) const;  // bits 0: none
  int input_bits() const;  // the most bits any block linear quantises its input to; 0: none does

  // From now on block `block`'s linear `name` adds `adapter`'s low-rank term (shapes checked:
  // std::invalid_argument); clear_linear_adapters() removes every adapter.
  void set_linear_adapter(int64_t block, const std::string& name, LinearAdapter adapter);
  void clear_linear_adapters();

  // Applies block i's linear `name` (short name, as above) to x [.., in_features] in the compute
  // dtype, with the dense weight or the packed kernels, whichever this model runs.
  at::Tensor block_linear(int64_t block, const std::string& name, const at::Tensor& x) const;

  const BlockWeights& block(int64_t i) const { return blocks_.at(static_cast<size_t>(i)); }

  // Installs (or, with an empty function, removes) the observer of block linear inputs.
  // While none is set the forward pass does no extra work.
  void set_linear_input_observer(LinearInputObserver observer);

private:
  at::Tensor load(const WeightSource& weights, const std::string& name) const;

  ModelSpec spec_;
  c10::Device device_;
  c10::ScalarType dtype_;
  bool fused_ops_;
  std::vector<BlockWeights> blocks_;
  std::map<std::string, at::Tensor> globals_;  // embeddings, final norm, head, OPT extras
  at::Tensor inv_freq_;                        // rotary inverse frequencies on the device (LLaMA family)
  std::string embedding_file_;                 // where the embedding came from, for messages
  LinearInputObserver linear_input_observer_;
};

}  // namespace quantcore
