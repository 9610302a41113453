#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace quantcore {

enum class Family { Llama, Opt };

// Rotary position embedding settings (LLaMA family).
struct RopeSpec {
  double theta = 10000.0;
  std::string type = "default";  // "default" or "llama3"
  // rope_type "llama3" (Llama-3.1 style frequency scaling)
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 8192;
};

// Architecture of a decoder-only model, independent of where its weights come from.
struct ModelSpec {
  Family family = Family::Llama;
  std::string model_type;  // "llama", "mistral", "qwen2", "opt"; "llama2c" for llama2.c imports
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;
  int64_t head_dim = 0;
  int64_t vocab_size = 0;
  int64_t max_position_embeddings = 0;
  double norm_eps = 1e-5;
  bool tie_word_embeddings = false;
  std::optional<int64_t> bos_token_id;
  std::optional<int64_t> eos_token_id;
  std::string stored_dtype;  // the checkpoint's dtype as config.json states it ("float16", ...)

  // LLaMA family
  RopeSpec rope;
  bool attention_bias = false;  // q/k/v (and o for llama's attention_bias) biases
  bool o_proj_bias = false;
  bool mlp_bias = false;
  std::optional<int64_t> sliding_window;  // mistral / qwen2 when enabled

  // OPT
  bool do_layer_norm_before = true;
  int64_t word_embed_proj_dim = 0;
  bool enable_bias = true;
  bool final_layer_norm = true;
  std::string activation = "silu";  // "silu" (LLaMA) or "relu" (OPT)
  static constexpr int64_t kOptPositionOffset = 2;
};

// One tensor the architecture requires, with the shape it must have.
struct ExpectedTensor {
  std::string name;
  std::vector<int64_t> shape;
};

// Every tensor a checkpoint of this architecture must hold (HF names). For OPT the
// prefix "model.decoder." is used; loaders accept "decoder." too.
std::vector<ExpectedTensor> expected_tensors(const ModelSpec& spec);

// The linear layers of one decoder block, in forward order, as (short name, [out, in]).
struct LinearShape {
  std::string name;  // e.g. "self_attn.q_proj"
  int64_t out_features = 0;
  int64_t in_features = 0;
};
std::vector<LinearShape> block_linears(const ModelSpec& spec);

int64_t parameter_count(const ModelSpec& spec);
std::string family_name(Family f);

}  // namespace quantcore
