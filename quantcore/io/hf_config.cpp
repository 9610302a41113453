#include "quantcore/io/hf_config.h"

#include <cmath>

#include "quantcore/io/json_input.h"
#include "quantcore/io/errors.h"

namespace quantcore {
namespace {

using detail::in_quotes;
using detail::json_kind;
using nlohmann::json;

// Typed access to one JSON object of config.json. A null value counts as absent, as it does for
// transformers. `prefix` names nested objects in messages ("rope_scaling.factor").
class Fields {
public:
  static constexpr uint64_t kMaxSize = 0x7fffffff;

  Fields(const json& object, std::string file, std::string prefix = "")
      : object_(object), file_(std::move(file)), prefix_(std::move(prefix)) {}

  const std::string& file() const { return file_; }

  [[noreturn]] void fail(const std::string& problem) const { throw InputError(file_, problem); }

  bool has(const char* key) const { return value(key) != nullptr; }

  int64_t positive_int(const char* key) const {
    const auto v = optional_positive_int(key);
    if (!v) missing(key);
    return *v;
  }

  std::optional<int64_t> optional_positive_int(const char* key) const {
    const json* v = value(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number_integer()) wrong_type(key, *v, "an integer");
    if (v->is_number_unsigned() ? v->get<uint64_t>() == 0 : v->get<int64_t>() <= 0) {
      fail("field " + name(key) + " must be positive, got " + v->dump());
    }
    // Keeps every shape product and parameter count far from int64 overflow.
    if (v->get<uint64_t>() > kMaxSize) {
      fail("field " + name(key) + " is " + v->dump() + ", over the limit of " + std::to_string(kMaxSize));
    }
    return v->get<int64_t>();
  }

  double number(const char* key, double fallback) const {
    const json* v = value(key);
    if (v == nullptr) return fallback;
    if (!v->is_number()) wrong_type(key, *v, "a number");
    return v->get<double>();
  }

  // A finite number > 0 (an epsilon, a scale factor): NaN, Inf and non-positive values would
  // run and silently give NaN results.
  double positive_number(const char* key, double fallback) const {
    const double v = number(key, fallback);
    if (!(std::isfinite(v) && v > 0.0))
      fail("field " + name(key) + " must be a positive finite number, got " + value(key)->dump());
    return v;
  }

  double required_positive_number(const char* key) const {
    if (!has(key)) missing(key);
    return positive_number(key, 0.0);
  }

  bool boolean(const char* key, bool fallback) const {
    const json* v = value(key);
    if (v == nullptr) return fallback;
    if (!v->is_boolean()) wrong_type(key, *v, "true or false");
    return v->get<bool>();
  }

  std::string string(const char* key, const std::string& fallback) const {
    const json* v = value(key);
    if (v == nullptr) return fallback;
    if (!v->is_string()) wrong_type(key, *v, "a string");
    return v->get<std::string>();
  }

  std::string required_string(const char* key) const {
    if (!has(key)) missing(key);
    return string(key, "");
  }

  // A nested object, or nullptr when absent or null.
  const json* object(const char* key) const {
    const json* v = value(key);
    if (v != nullptr && !v->is_object()) wrong_type(key, *v, "an object");
    return v;
  }

  Fields nested(const json& object, const char* key) const { return Fields(object, file_, prefix_ + key + "."); }

  // A token id, or the first of a list of them (eos_token_id may list several).
  std::optional<int64_t> token_id(const char* key) const {
    const json* v = value(key);
    if (v == nullptr) return std::nullopt;
    const json* id = v;
    if (v->is_array()) {
      if (v->empty()) return std::nullopt;
      id = &v->front();
    }
    if (!id->is_number_integer()) wrong_type(key, *v, "a token id or a list of them");
    return id->get<int64_t>();
  }

private:
  const json* value(const char* key) const {
    const auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  std::string name(const char* key) const { return "'" + prefix_ + key + "'"; }
  [[noreturn]] void missing(const char* key) const { fail("missing field " + name(key)); }
  [[noreturn]] void wrong_type(const char* key, const json& v, const char* expected) const {
    fail("field " + name(key) + " is " + json_kind(v) + ", expected " + expected);
  }

  const json& object_;
  std::string file_;
  std::string prefix_;
};

// transformers 5.x writes `dtype`, 4.x `torch_dtype`.
std::string stored_dtype(const Fields& f) {
  return f.has("dtype") ? f.string("dtype", "") : f.string("torch_dtype", "");
}

void read_scaling(const Fields& f, RopeSpec& rope) {
  rope.type = f.string("rope_type", f.string("type", "default"));
  if (rope.type == "default") return;
  if (rope.type != "llama3") {
    f.fail("rope_type " + in_quotes(rope.type) + " is not supported (supported: default, llama3)");
  }
  rope.factor = f.required_positive_number("factor");
  rope.low_freq_factor = f.required_positive_number("low_freq_factor");
  rope.high_freq_factor = f.required_positive_number("high_freq_factor");
  rope.original_max_position_embeddings = f.positive_int("original_max_position_embeddings");
}

// 5.x: rope_parameters {rope_theta, rope_type, scaling keys}; 4.x: rope_theta + rope_scaling.
RopeSpec read_rope(const Fields& f) {
  RopeSpec rope;
  rope.theta = f.positive_number("rope_theta", 10000.0);
  if (const json* params = f.object("rope_parameters")) {
    const Fields p = f.nested(*params, "rope_parameters");
    rope.theta = p.positive_number("rope_theta", rope.theta);
    read_scaling(p, rope);
  } else if (const json* scaling = f.object("rope_scaling")) {
    read_scaling(f.nested(*scaling, "rope_scaling"), rope);
  }
  return rope;
}

// head_dim defaults to hidden_size / num_attention_heads, which must then divide evenly.
int64_t read_head_dim(const Fields& f, const ModelSpec& s) {
  if (const auto head_dim = f.optional_positive_int("head_dim")) return *head_dim;
  if (s.hidden_size % s.num_heads != 0) {
    f.fail("hidden_size " + std::to_string(s.hidden_size) + " is not divisible by " + "num_attention_heads " +
           std::to_string(s.num_heads));
  }
  return s.hidden_size / s.num_heads;
}

ModelSpec read_llama_family(const Fields& f, const std::string& model_type) {
  ModelSpec s;
  s.family = Family::Llama;
  s.model_type = model_type;
  s.hidden_size = f.positive_int("hidden_size");
  s.intermediate_size = f.positive_int("intermediate_size");
  s.num_layers = f.positive_int("num_hidden_layers");
  s.num_heads = f.positive_int("num_attention_heads");
  s.num_kv_heads = f.optional_positive_int("num_key_value_heads").value_or(s.num_heads);
  if (s.num_heads % s.num_kv_heads != 0) {
    f.fail("num_key_value_heads " + std::to_string(s.num_kv_heads) + " does not divide num_attention_heads " +
           std::to_string(s.num_heads));
  }
  s.head_dim = read_head_dim(f, s);
  s.vocab_size = f.positive_int("vocab_size");
  s.max_position_embeddings = f.positive_int("max_position_embeddings");
  s.norm_eps = f.positive_number("rms_norm_eps", 1e-6);  // the transformers default for all three
  s.tie_word_embeddings = f.boolean("tie_word_embeddings", false);
  s.bos_token_id = f.token_id("bos_token_id");
  s.eos_token_id = f.token_id("eos_token_id");
  s.stored_dtype = stored_dtype(f);
  s.rope = read_rope(f);
  s.activation = f.string("hidden_act", "silu");
  if (s.activation != "silu") {
    f.fail("hidden_act " + in_quotes(s.activation) + " is not supported for model_type " + in_quotes(model_type) +
           " (only silu)");
  }

  if (model_type == "llama") {
    s.attention_bias = f.boolean("attention_bias", false);
    s.o_proj_bias = s.attention_bias;
    s.mlp_bias = f.boolean("mlp_bias", false);
  } else if (model_type == "mistral") {
    s.sliding_window = f.optional_positive_int("sliding_window");
  } else {  // qwen2: q/k/v always carry biases, o_proj never
    s.attention_bias = true;
    if (f.boolean("use_sliding_window", false)) {
      s.sliding_window = f.optional_positive_int("sliding_window");
    }
  }
  return s;
}

ModelSpec read_opt(const Fields& f) {
  ModelSpec s;
  s.family = Family::Opt;
  s.model_type = "opt";
  s.hidden_size = f.positive_int("hidden_size");
  s.intermediate_size = f.positive_int("ffn_dim");
  s.num_layers = f.positive_int("num_hidden_layers");
  s.num_heads = f.positive_int("num_attention_heads");
  s.num_kv_heads = s.num_heads;
  if (s.hidden_size % s.num_heads != 0) {
    f.fail("hidden_size " + std::to_string(s.hidden_size) + " is not divisible by " + "num_attention_heads " +
           std::to_string(s.num_heads));
  }
  s.head_dim = s.hidden_size / s.num_heads;
  s.vocab_size = f.positive_int("vocab_size");
  s.max_position_embeddings = f.positive_int("max_position_embeddings");
  s.norm_eps = 1e-5;  // OPT's LayerNorms use the torch default
  s.tie_word_embeddings = f.boolean("tie_word_embeddings", true);
  s.bos_token_id = f.token_id("bos_token_id");
  s.eos_token_id = f.token_id("eos_token_id");
  s.stored_dtype = stored_dtype(f);
  s.do_layer_norm_before = f.boolean("do_layer_norm_before", true);
  s.word_embed_proj_dim = f.optional_positive_int("word_embed_proj_dim").value_or(s.hidden_size);
  s.enable_bias = f.boolean("enable_bias", true);
  // As OPTDecoder builds it: post-norm models (opt-350m) have no final LayerNorm at all.
  s.final_layer_norm = s.do_layer_norm_before && !f.boolean("_remove_final_layer_norm", false);
  if (!f.boolean("layer_norm_elementwise_affine", true)) {
    f.fail("layer_norm_elementwise_affine false is not supported");
  }
  s.activation = f.string("activation_function", "relu");
  if (s.activation != "relu") {
    f.fail("activation_function " + in_quotes(s.activation) + " is not supported for model_type 'opt' (only relu)");
  }
  return s;
}

}  // namespace

ModelSpec parse_hf_config(const std::filesystem::path& config_json) {
  const std::string file = config_json.string();
  const json config = detail::read_json_file(config_json);
  if (!config.is_object()) throw InputError(file, "config is " + json_kind(config) + ", not an object");
  const Fields f(config, file);
  const std::string model_type = f.required_string("model_type");
  if (model_type == "llama" || model_type == "mistral" || model_type == "qwen2") {
    return read_llama_family(f, model_type);
  }
  if (model_type == "opt") return read_opt(f);
  f.fail("unsupported model_type " + in_quotes(model_type) + " (supported: llama, mistral, qwen2, opt)");
}

}  // namespace quantcore
