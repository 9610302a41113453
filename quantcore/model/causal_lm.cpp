#include "quantcore/model/causal_lm.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <filesystem>

#include "blocks.h"
#include "packed_linear_op.h"
#include "quantcore/pack/input_quantization_file.h"
#include "quantcore/pack/packed_format.h"
#include "quantcore/io/errors.h"
#include "quantcore/model/load_model.h"
#include "quantcore/model/tensor_from_view.h"
#include "quantcore/pack/packed_checkpoint.h"

namespace quantcore {

namespace {

c10::ScalarType scalar_type_named(const std::string& name) {
  if (name == "fp32") return at::kFloat;
  if (name == "bf16") return at::kBFloat16;
  return at::kHalf;
}

// Some OPT checkpoints store "decoder.*" without the "model." prefix.
std::optional<TensorView> find_weight(const WeightSource& weights, const std::string& name) {
  if (auto v = weights.find(name)) return v;
  if (name.rfind("model.", 0) == 0) return weights.find(name.substr(6));
  return std::nullopt;
}

}  // namespace

const at::Tensor& BlockWeights::get(const std::string& name) const {
  auto it = tensors.find(name);
  if (it == tensors.end()) throw std::logic_error("block has no tensor " + name);
  return it->second;
}

at::Tensor BlockWeights::maybe(const std::string& name) const {
  auto it = tensors.find(name);
  return it == tensors.end() ? at::Tensor() : it->second;
}

at::Tensor CausalLM::load(const WeightSource& weights, const std::string& name) const {
  auto view = find_weight(weights, name);
  if (!view) throw InputError("checkpoint", "missing tensor '" + name + "'");
  at::Tensor t = tensor_from_view(*view, dtype_, device_);
  // NaN or Inf weights would run and give NaN perplexities and NaN quantised weights silently.
  if (!at::isfinite(t).all().item<bool>())
    throw InputError(weights.location(name), "tensor '" + name + "' holds NaN or infinite values (as " +
                                                 std::string(c10::toString(dtype_)) + ", the compute dtype)");
  return t;
}

CausalLM::CausalLM(const ModelSpec& spec, const WeightSource& weights, const ComputeOptions& options)
    : spec_(spec),
      device_(options.device == "cuda" ? c10::Device("cuda") : c10::Device("cpu")),
      dtype_(scalar_type_named(options.dtype)),
      fused_ops_(options.fused_ops) {
  check_compute_options(options);
  const auto* packed = dynamic_cast<const PackedCheckpoint*>(&weights);
  if (options.kernels == "packed" && !packed)
    throw InputError(weights.location(expected_tensors(spec).front().name),
                     "not a packed checkpoint; --kernels packed computes from packed bits (write one with "
                     "quantlens quantize --format packed)");
  const std::string top = spec.family == Family::Opt ? "model.decoder." : "model.";
  const std::string layers = top + "layers.";
  blocks_.resize(static_cast<size_t>(spec.num_layers));
  for (const ExpectedTensor& t : expected_tensors(spec)) {
    if (t.name.rfind(layers, 0) != 0) {
      globals_[t.name] = load(weights, t.name);
      continue;
    }
    const size_t dot = t.name.find('.', layers.size());
    const size_t block = std::stoul(t.name.substr(layers.size(), dot - layers.size()));
    const std::string name = t.name.substr(dot + 1);
    if (options.kernels == "packed") {
      if (const PackedLinear* linear = packed->packed_linear(t.name)) {
        set_packed_linear(static_cast<int64_t>(block), name.substr(0, name.size() - std::string(".weight").size()),
                          *linear);
        continue;
      }
    }
    blocks_.at(block).tensors[name] = load(weights, t.name);
  }
  const std::string embed = top + "embed_tokens.weight";
  embedding_file_ = weights.location(embed);
  if (spec.tie_word_embeddings) globals_["lm_head.weight"] = globals_.at(embed);
  if (spec.family == Family::Llama) inv_freq_ = rope_inverse_frequencies(spec.rope, spec.head_dim).to(device_);
}

at::Tensor CausalLM::embed(const at::Tensor& ids, int64_t position_offset) const {
  const at::Tensor& table =
      globals_.at(spec_.family == Family::Llama ? "model.embed_tokens.weight" : "model.decoder.embed_tokens.weight");
  // Real checkpoints carry added tokens past the embedding; refuse such an id where it is
  // produced, before at::embedding fails with "index out of range in self".
  at::Tensor tokens = ids.to(at::kLong);
  if (tokens.numel() > 0) {
    const auto [lowest, highest] = at::aminmax(tokens);
    const int64_t low = lowest.item<int64_t>(), high = highest.item<int64_t>();
    if (low < 0 || high >= table.size(0))
      throw InputError(embedding_file_,
                       "token id " + std::to_string(low < 0 ? low : high) + " is outside the model's embedding of " +
                           std::to_string(table.size(0)) +
                           " rows (the tokenizer produced it: an added token the model has no row for?)");
  }
  tokens = tokens.to(device_);
  if (spec_.family == Family::Llama) return at::embedding(table, tokens);

  at::Tensor h = at::embedding(table, tokens);
  if (auto it = globals_.find("model.decoder.project_in.weight"); it != globals_.end()) h = at::linear(h, it->second);
  // OPT's learned positions are offset by 2 (a fairseq heritage).
  at::Tensor positions =
      at::arange(position_offset, position_offset + ids.size(1), at::TensorOptions().dtype(at::kLong).device(device_)) +
      ModelSpec::kOptPositionOffset;
  return h + at::embedding(globals_.at("model.decoder.embed_positions.weight"), positions).unsqueeze(0);
}

at::Tensor CausalLM::block_forward(int64_t i, const at::Tensor& hidden, int64_t position_offset, KVCache* cache) const {
  detail::BlockCache bc;
  if (cache) {
    cache->keys.resize(static_cast<size_t>(spec_.num_layers));
    cache->values.resize(static_cast<size_t>(spec_.num_layers));
    bc = {&cache->keys[static_cast<size_t>(i)], &cache->values[static_cast<size_t>(i)]};
  }
  const BlockWeights& w = blocks_.at(static_cast<size_t>(i));
  const detail::LinearTap tap{i, linear_input_observer_ ? &linear_input_observer_ : nullptr};
  if (spec_.family == Family::Llama)
    return detail::llama_block_forward(spec_, w, inv_freq_, hidden, position_offset, bc, tap);
  return detail::opt_block_forward(spec_, w, hidden, bc, tap);
}

at::Tensor CausalLM::final_hidden(const at::Tensor& hidden) const {
  if (spec_.family == Family::Llama) return detail::rms_norm(hidden, globals_.at("model.norm.weight"), spec_.norm_eps);
  at::Tensor h = hidden;
  if (spec_.final_layer_norm)
    h = at::layer_norm(h, {h.size(-1)}, globals_.at("model.decoder.final_layer_norm.weight"),
                       globals_.at("model.decoder.final_layer_norm.bias"), 1e-5);
  if (auto it = globals_.find("model.decoder.project_out.weight"); it != globals_.end()) h = at::linear(h, it->second);
  return h;
}

at::Tensor CausalLM::head(const at::Tensor& hidden) const { return at::linear(hidden, globals_.at("lm_head.weight")); }

at::Tensor CausalLM::logits(const at::Tensor& ids, KVCache* cache) const {
  const int64_t offset = cache ? cache->length : 0;
  at::Tensor h = embed(ids, offset);
  for (int64_t i = 0; i < spec_.num_layers; ++i) h = block_forward(i, h, offset, cache);
  if (cache) cache->length += ids.size(1);
  return head(final_hidden(h));
}

namespace {
void require_dense(const BlockWeights& w, int64_t block, const std::string& name) {
  if (w.packed.count(name))
    throw std::logic_error("block " + std::to_string(block) + " " + name +
                           " computes with the packed kernels and holds no dense weight");
}
}  // namespace

const at::Tensor& CausalLM::linear_weight(int64_t block, const std::string& name) const {
  const BlockWeights& w = blocks_.at(static_cast<size_t>(block));
  require_dense(w, block, name);
  return w.get(name + ".weight");
}

void CausalLM::set_packed_linear(int64_t block, const std::string& name, const PackedLinear& linear) {
  BlockWeights& w = blocks_.at(static_cast<size_t>(block));
  if (const at::Tensor dense = w.maybe(name + ".weight");
      dense.defined() && (dense.size(0) != linear.out_features || dense.size(1) != linear.in_features))
    throw std::invalid_argument("set_packed_linear: shape mismatch for " + name);
  w.packed[name] = std::make_shared<const detail::PackedLinearOp>(linear, device_);
  w.tensors.erase(name + ".weight");
}

void CausalLM::set_linear_weight(int64_t block, const std::string& name, const at::Tensor& weight) {
  require_dense(blocks_.at(static_cast<size_t>(block)), block, name);
  at::Tensor& slot = blocks_.at(static_cast<size_t>(block)).tensors.at(name + ".weight");
  if (!weight.sizes().equals(slot.sizes()))
    throw std::invalid_argument("set_linear_weight: shape mismatch for " + name);
  slot = weight.to(device_, dtype_);
}

void CausalLM::set_linear_adapter(int64_t block, const std::string& name, LinearAdapter adapter) {
  BlockWeights& w = blocks_.at(static_cast<size_t>(block));
  for (const LinearShape& l : block_linears(spec_))
    if (l.name == name) {
      if (adapter.a.dim() != 2 || adapter.b.dim() != 2 || adapter.a.size(1) != l.in_features ||
          adapter.b.size(0) != l.out_features || adapter.b.size(1) != adapter.a.size(0))
        throw std::invalid_argument("set_linear_adapter: shape mismatch for " + name);
      w.adapters[name] = std::move(adapter);
      return;
    }
  throw std::invalid_argument("set_linear_adapter: no linear " + name);
}

void CausalLM::clear_linear_adapters() {
  for (BlockWeights& w : blocks_) w.adapters.clear();
}

at::Tensor CausalLM::block_linear(int64_t block, const std::string& name, const at::Tensor& x) const {
  return detail::linear(x, blocks_.at(static_cast<size_t>(block)), name, detail::LinearTap{block, nullptr});
}

void CausalLM::set_linear_input_quantization(int64_t block, const std::string& name, const InputQuantization& q) {
  BlockWeights& w = blocks_.at(static_cast<size_t>(block));
  if (!q.enabled()) {
    w.input_quantizers.erase(name);
    return;
  }
  check_input_bits(q.bits);
  int64_t in_features = -1;
  for (const LinearShape& l : block_linears(spec_))
    if (l.name == name) in_features = l.in_features;
  if (in_features < 0) throw std::invalid_argument("set_linear_input_quantization: no linear " + name);
  if (!q.smoothing.empty() && static_cast<int64_t>(q.smoothing.size()) != in_features)
    throw std::invalid_argument("set_linear_input_quantization: " + std::to_string(q.smoothing.size()) +
                                " smoothing factors for " + name + " with " + std::to_string(in_features) + " inputs");
  LinearInputQuantizer quantizer{q, at::Tensor()};
  if (!q.smoothing.empty()) quantizer.smoothing = at::tensor(at::ArrayRef<float>(q.smoothing), at::kFloat).to(device_);
  w.input_quantizers[name] = std::move(quantizer);
}

InputQuantization CausalLM::linear_input_quantization(int64_t block, const std::string& name) const {
  const BlockWeights& w = blocks_.at(static_cast<size_t>(block));
  const auto it = w.input_quantizers.find(name);
  return it == w.input_quantizers.end() ? InputQuantization{} : it->second.settings;
}

int CausalLM::input_bits() const {
  int bits = 0;
  for (const BlockWeights& w : blocks_)
    for (const auto& [name, q] : w.input_quantizers) bits = std::max(bits, q.settings.bits);
  return bits;
}

void CausalLM::set_linear_input_observer(LinearInputObserver observer) { linear_input_observer_ = std::move(observer); }

std::string CausalLM::kernels() const {
  for (const BlockWeights& w : blocks_)
    if (!w.packed.empty()) return "packed";
  return "dense";
}

std::string kernels_of(const CausalLM& model) { return model.kernels(); }

int input_bits_of(const CausalLM& model) { return model.input_bits(); }

const ModelSpec& spec_of(const CausalLM& model) { return model.spec(); }

// An exported run that quantises activations carries input_quantization.safetensors beside its
// weights (docs/methods/w1a1x4.md): applied here, so every command evaluates what was exported.
std::shared_ptr<CausalLM> load_causal_lm(const Checkpoint& checkpoint, const ComputeOptions& options) {
  auto model = std::make_shared<CausalLM>(checkpoint.spec, *checkpoint.weights, options);
  if (checkpoint.format != CheckpointFormat::HfDirectory) return model;
  const std::filesystem::path file = checkpoint.path / kInputQuantizationFile;
  if (!std::filesystem::exists(file)) return model;
  const auto linears = read_input_quantization(file, checkpoint.spec);
  for (const packed::QuantizedWeight& q : packed::quantized_weights(checkpoint.spec))
    if (const auto it = linears.find(q.prefix); it != linears.end())
      model->set_linear_input_quantization(q.block, q.linear, it->second);
  return model;
}

}  // namespace quantcore
