// quantcore_io: config.json -> ModelSpec, and the tensors a ModelSpec implies.
#include <gtest/gtest.h>

#include <algorithm>

#include "io_test_helpers.h"
#include "quantcore/io/hf_config.h"
#include "quantcore/io/model_spec.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using quantcore::Family;
using quantcore::ModelSpec;
using quantcore::parse_hf_config;
using quantlens_test::expect_input_error;
using quantlens_test::TempDir;

// A complete transformers 4.x LLaMA config; tests change single fields.
json llama_config() {
  return json{{"model_type", "llama"},     {"hidden_size", 64},
              {"intermediate_size", 176},  {"num_hidden_layers", 2},
              {"num_attention_heads", 4},  {"num_key_value_heads", 2},
              {"vocab_size", 100},         {"max_position_embeddings", 256},
              {"rms_norm_eps", 1e-6},      {"hidden_act", "silu"},
              {"bos_token_id", 1},         {"eos_token_id", 2},
              {"torch_dtype", "bfloat16"}, {"rope_theta", 10000.0},
              {"rope_scaling", nullptr},   {"tie_word_embeddings", false}};
}

json opt_config() {
  return json{{"model_type", "opt"},
              {"hidden_size", 32},
              {"ffn_dim", 128},
              {"num_hidden_layers", 2},
              {"num_attention_heads", 4},
              {"vocab_size", 50},
              {"max_position_embeddings", 64},
              {"activation_function", "relu"},
              {"do_layer_norm_before", true},
              {"word_embed_proj_dim", 32},
              {"torch_dtype", "float16"}};
}

ModelSpec parse(const TempDir& dir, const json& config) {
  const fs::path path = dir / "config.json";
  quantlens_test::write_bytes(path, config.dump(2));
  return parse_hf_config(path);
}

void expect_config_error(const json& config, const std::string& phrase) {
  TempDir dir;
  expect_input_error([&] { parse(dir, config); }, (dir / "config.json").string(), phrase);
}

bool has_tensor(const ModelSpec& spec, const std::string& name) {
  const auto tensors = quantcore::expected_tensors(spec);
  return std::any_of(tensors.begin(), tensors.end(), [&](const auto& t) { return t.name == name; });
}

std::vector<int64_t> shape_of(const ModelSpec& spec, const std::string& name) {
  for (const auto& t : quantcore::expected_tensors(spec)) {
    if (t.name == name) return t.shape;
  }
  ADD_FAILURE() << "no expected tensor " << name;
  return {};
}

// ---------------------------------------------------------------------------------------------
// The real configs

TEST(HfConfig, HouseLlamaParses) {
  const ModelSpec s = parse_hf_config(quantlens_test::data_path("house-llama/config.json"));
  EXPECT_EQ(s.family, Family::Llama);
  EXPECT_EQ(s.model_type, "llama");
  EXPECT_EQ(s.hidden_size, 384);
  EXPECT_EQ(s.intermediate_size, 1024);
  EXPECT_EQ(s.num_layers, 8);
  EXPECT_EQ(s.num_heads, 6);
  EXPECT_EQ(s.num_kv_heads, 2);
  EXPECT_EQ(s.head_dim, 64);
  EXPECT_EQ(s.vocab_size, 8192);
  EXPECT_EQ(s.max_position_embeddings, 1024);
  EXPECT_DOUBLE_EQ(s.norm_eps, 1e-5);
  EXPECT_FALSE(s.tie_word_embeddings);
  EXPECT_EQ(s.bos_token_id, 1);
  EXPECT_EQ(s.eos_token_id, 2);
  EXPECT_EQ(s.stored_dtype, "float16");
  EXPECT_DOUBLE_EQ(s.rope.theta, 10000.0);
  EXPECT_EQ(s.rope.type, "default");
  EXPECT_FALSE(s.attention_bias);
  EXPECT_FALSE(s.o_proj_bias);
  EXPECT_FALSE(s.mlp_bias);
  EXPECT_FALSE(s.sliding_window.has_value());
  EXPECT_EQ(s.activation, "silu");
}

TEST(HfConfig, HouseLlamaParameterCountMatchesItsModelCard) {
  const ModelSpec s = parse_hf_config(quantlens_test::data_path("house-llama/config.json"));
  EXPECT_EQ(quantcore::parameter_count(s), 18880896);
}

TEST(HfConfig, HouseOptParses) {
  const ModelSpec s = parse_hf_config(quantlens_test::data_path("house-opt/config.json"));
  EXPECT_EQ(s.family, Family::Opt);
  EXPECT_EQ(s.model_type, "opt");
  EXPECT_EQ(s.hidden_size, 256);
  EXPECT_EQ(s.intermediate_size, 1024);
  EXPECT_EQ(s.num_layers, 6);
  EXPECT_EQ(s.num_heads, 4);
  EXPECT_EQ(s.num_kv_heads, 4);
  EXPECT_EQ(s.head_dim, 64);
  EXPECT_EQ(s.vocab_size, 8192);
  EXPECT_EQ(s.max_position_embeddings, 1024);
  EXPECT_DOUBLE_EQ(s.norm_eps, 1e-5);
  EXPECT_TRUE(s.tie_word_embeddings);
  EXPECT_TRUE(s.do_layer_norm_before);
  EXPECT_EQ(s.word_embed_proj_dim, 256);
  EXPECT_TRUE(s.enable_bias);
  EXPECT_TRUE(s.final_layer_norm);
  EXPECT_EQ(s.activation, "relu");
  EXPECT_EQ(s.bos_token_id, 2);
  EXPECT_EQ(s.eos_token_id, 2);
  EXPECT_EQ(s.stored_dtype, "float16");
}

TEST(HfConfig, HouseOptParameterCountMatchesItsModelCard) {
  const ModelSpec s = parse_hf_config(quantlens_test::data_path("house-opt/config.json"));
  EXPECT_EQ(quantcore::parameter_count(s), 7098880);
}

// ---------------------------------------------------------------------------------------------
// LLaMA family spellings

TEST(HfConfig, Transformers4SpellingWithLlama3RopeScaling) {
  TempDir dir;
  json c = llama_config();
  c["rope_theta"] = 500000.0;
  c["rope_scaling"] = {{"rope_type", "llama3"},
                       {"factor", 8.0},
                       {"low_freq_factor", 1.0},
                       {"high_freq_factor", 4.0},
                       {"original_max_position_embeddings", 8192}};
  c["eos_token_id"] = {128001, 128008, 128009};
  const ModelSpec s = parse(dir, c);
  EXPECT_DOUBLE_EQ(s.rope.theta, 500000.0);
  EXPECT_EQ(s.rope.type, "llama3");
  EXPECT_DOUBLE_EQ(s.rope.factor, 8.0);
  EXPECT_DOUBLE_EQ(s.rope.low_freq_factor, 1.0);
  EXPECT_DOUBLE_EQ(s.rope.high_freq_factor, 4.0);
  EXPECT_EQ(s.rope.original_max_position_embeddings, 8192);
  EXPECT_EQ(s.eos_token_id, 128001);
  EXPECT_EQ(s.stored_dtype, "bfloat16");
}

TEST(HfConfig, OldTypeKeyInRopeScaling) {
  TempDir dir;
  json c = llama_config();
  c["rope_scaling"] = {{"type", "llama3"},
                       {"factor", 32.0},
                       {"low_freq_factor", 1.0},
                       {"high_freq_factor", 4.0},
                       {"original_max_position_embeddings", 8192}};
  EXPECT_EQ(parse(dir, c).rope.type, "llama3");
}

TEST(HfConfig, Transformers5RopeParameters) {
  TempDir dir;
  json c = llama_config();
  c.erase("rope_theta");
  c.erase("rope_scaling");
  c.erase("torch_dtype");
  c["dtype"] = "float16";
  c["rope_parameters"] = {{"rope_theta", 500000.0},  {"rope_type", "llama3"},
                          {"factor", 8.0},           {"low_freq_factor", 1.0},
                          {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 8192}};
  const ModelSpec s = parse(dir, c);
  EXPECT_DOUBLE_EQ(s.rope.theta, 500000.0);
  EXPECT_EQ(s.rope.type, "llama3");
  EXPECT_DOUBLE_EQ(s.rope.factor, 8.0);
  EXPECT_EQ(s.stored_dtype, "float16");
}

TEST(HfConfig, RopeThetaDefaultsTo10000) {
  TempDir dir;
  json c = llama_config();
  c.erase("rope_theta");
  c.erase("rope_scaling");
  EXPECT_DOUBLE_EQ(parse(dir, c).rope.theta, 10000.0);
}

TEST(HfConfig, UnsupportedRopeTypeInRopeScaling) {
  json c = llama_config();
  c["rope_scaling"] = {{"type", "linear"}, {"factor", 2.0}};
  expect_config_error(c, "rope_type 'linear' is not supported");
}

TEST(HfConfig, UnsupportedRopeTypeInRopeParameters) {
  json c = llama_config();
  c["rope_parameters"] = {{"rope_theta", 10000.0}, {"rope_type", "yarn"}, {"factor", 4.0}};
  expect_config_error(c, "rope_type 'yarn' is not supported");
}

TEST(HfConfig, Llama3RopeWithoutFactor) {
  json c = llama_config();
  c["rope_scaling"] = {{"rope_type", "llama3"}, {"low_freq_factor", 1.0}};
  expect_config_error(c, "missing field 'rope_scaling.factor'");
}

TEST(HfConfig, KvHeadsAndHeadDimDefaults) {
  TempDir dir;
  json c = llama_config();
  c.erase("num_key_value_heads");
  const ModelSpec s = parse(dir, c);
  EXPECT_EQ(s.num_kv_heads, 4);
  EXPECT_EQ(s.head_dim, 16);
}

TEST(HfConfig, ExplicitHeadDimWins) {
  TempDir dir;
  json c = llama_config();
  c["head_dim"] = 32;
  const ModelSpec s = parse(dir, c);
  EXPECT_EQ(s.head_dim, 32);
  EXPECT_EQ(shape_of(s, "model.layers.0.self_attn.q_proj.weight"), (std::vector<int64_t>{128, 64}));
  EXPECT_EQ(shape_of(s, "model.layers.0.self_attn.o_proj.weight"), (std::vector<int64_t>{64, 128}));
}

TEST(HfConfig, LlamaAttentionAndMlpBiases) {
  TempDir dir;
  json c = llama_config();
  c["attention_bias"] = true;
  c["mlp_bias"] = true;
  const ModelSpec s = parse(dir, c);
  EXPECT_TRUE(s.attention_bias);
  EXPECT_TRUE(s.o_proj_bias);
  EXPECT_TRUE(s.mlp_bias);
  EXPECT_EQ(shape_of(s, "model.layers.1.self_attn.k_proj.bias"), (std::vector<int64_t>{32}));
  EXPECT_TRUE(has_tensor(s, "model.layers.1.self_attn.o_proj.bias"));
  EXPECT_EQ(shape_of(s, "model.layers.1.mlp.down_proj.bias"), (std::vector<int64_t>{64}));
}

TEST(HfConfig, Qwen2HasQkvBiasesButNoOutputBias) {
  TempDir dir;
  json c = llama_config();
  c["model_type"] = "qwen2";
  c["tie_word_embeddings"] = true;
  c["use_sliding_window"] = false;
  c["sliding_window"] = 4096;
  const ModelSpec s = parse(dir, c);
  EXPECT_EQ(s.model_type, "qwen2");
  EXPECT_TRUE(s.attention_bias);
  EXPECT_FALSE(s.o_proj_bias);
  EXPECT_TRUE(s.tie_word_embeddings);
  EXPECT_FALSE(s.sliding_window.has_value());
  EXPECT_TRUE(has_tensor(s, "model.layers.0.self_attn.q_proj.bias"));
  EXPECT_TRUE(has_tensor(s, "model.layers.0.self_attn.v_proj.bias"));
  EXPECT_FALSE(has_tensor(s, "model.layers.0.self_attn.o_proj.bias"));
  EXPECT_FALSE(has_tensor(s, "lm_head.weight"));
}

TEST(HfConfig, Qwen2SlidingWindowOnlyWhenEnabled) {
  TempDir dir;
  json c = llama_config();
  c["model_type"] = "qwen2";
  c["use_sliding_window"] = true;
  c["sliding_window"] = 4096;
  EXPECT_EQ(parse(dir, c).sliding_window, 4096);
}

TEST(HfConfig, MistralSlidingWindow) {
  TempDir dir;
  json c = llama_config();
  c["model_type"] = "mistral";
  c["sliding_window"] = 4096;
  const ModelSpec s = parse(dir, c);
  EXPECT_EQ(s.model_type, "mistral");
  EXPECT_EQ(s.sliding_window, 4096);
  EXPECT_FALSE(s.attention_bias);
}

TEST(HfConfig, MistralNullSlidingWindow) {
  TempDir dir;
  json c = llama_config();
  c["model_type"] = "mistral";
  c["sliding_window"] = nullptr;
  EXPECT_FALSE(parse(dir, c).sliding_window.has_value());
}

// ---------------------------------------------------------------------------------------------
// Refusals

TEST(HfConfig, UnsupportedModelType) {
  json c = llama_config();
  c["model_type"] = "gpt2";
  expect_config_error(c, "unsupported model_type 'gpt2' (supported: llama, mistral, qwen2, opt)");
}

TEST(HfConfig, MissingModelType) {
  json c = llama_config();
  c.erase("model_type");
  expect_config_error(c, "missing field 'model_type'");
}

TEST(HfConfig, MissingField) {
  json c = llama_config();
  c.erase("hidden_size");
  expect_config_error(c, "missing field 'hidden_size'");
}

TEST(HfConfig, NullRequiredFieldCountsAsMissing) {
  json c = llama_config();
  c["vocab_size"] = nullptr;
  expect_config_error(c, "missing field 'vocab_size'");
}

TEST(HfConfig, FieldOfWrongType) {
  json c = llama_config();
  c["hidden_size"] = "64";
  expect_config_error(c, "field 'hidden_size' is a string, expected an integer");
}

TEST(HfConfig, FractionalSize) {
  json c = llama_config();
  c["num_hidden_layers"] = 2.5;
  expect_config_error(c, "field 'num_hidden_layers' is a fractional number");
}

TEST(HfConfig, NonPositiveSize) {
  json c = llama_config();
  c["num_attention_heads"] = 0;
  expect_config_error(c, "'num_attention_heads' must be positive");
}

TEST(HfConfig, AbsurdSize) {
  json c = llama_config();
  c["vocab_size"] = 1ll << 40;
  expect_config_error(c, "over the limit");
}

TEST(HfConfig, KvHeadsNotDividingHeads) {
  json c = llama_config();
  c["num_key_value_heads"] = 3;
  expect_config_error(c, "does not divide num_attention_heads");
}

TEST(HfConfig, HiddenNotDivisibleByHeads) {
  json c = llama_config();
  c["num_attention_heads"] = 3;
  c["num_key_value_heads"] = 3;
  expect_config_error(c, "not divisible by num_attention_heads");
}

TEST(HfConfig, GeluActivationRefusedForLlama) {
  json c = llama_config();
  c["hidden_act"] = "gelu";
  expect_config_error(c, "hidden_act 'gelu' is not supported");
}

TEST(HfConfig, GeluActivationRefusedForOpt) {
  json c = opt_config();
  c["activation_function"] = "gelu";
  expect_config_error(c, "activation_function 'gelu' is not supported");
}

TEST(HfConfig, BooleanOfWrongType) {
  json c = llama_config();
  c["tie_word_embeddings"] = "yes";
  expect_config_error(c, "field 'tie_word_embeddings' is a string, expected true or false");
}

TEST(HfConfig, ConfigNotJson) {
  TempDir dir;
  quantlens_test::write_bytes(dir / "config.json", "{\"model_type\": \"llama\",");
  expect_input_error([&] { parse_hf_config(dir / "config.json"); }, "config.json", "not valid JSON");
}

TEST(HfConfig, ConfigNotAnObject) { expect_config_error(json::array({1, 2}), "not an object"); }

TEST(HfConfig, ConfigMissing) {
  TempDir dir;
  expect_input_error([&] { parse_hf_config(dir / "config.json"); }, "config.json", "cannot open");
}

// ---------------------------------------------------------------------------------------------
// OPT variants and the tensors a spec implies

TEST(HfConfig, OptDefaults) {
  TempDir dir;
  json c = opt_config();
  for (const char* key : {"activation_function", "do_layer_norm_before", "word_embed_proj_dim"}) {
    c.erase(key);
  }
  const ModelSpec s = parse(dir, c);
  EXPECT_TRUE(s.tie_word_embeddings);
  EXPECT_TRUE(s.do_layer_norm_before);
  EXPECT_TRUE(s.enable_bias);
  EXPECT_TRUE(s.final_layer_norm);
  EXPECT_EQ(s.word_embed_proj_dim, 32);
  EXPECT_EQ(s.head_dim, 8);
}

TEST(HfConfig, OptProjectionsPostNormAndNoFinalNorm) {
  TempDir dir;
  json c = opt_config();
  c["word_embed_proj_dim"] = 16;
  c["do_layer_norm_before"] = false;
  c["_remove_final_layer_norm"] = true;
  c["tie_word_embeddings"] = false;
  c["enable_bias"] = false;
  const ModelSpec s = parse(dir, c);
  EXPECT_FALSE(s.do_layer_norm_before);
  EXPECT_FALSE(s.final_layer_norm);
  EXPECT_EQ(shape_of(s, "model.decoder.embed_tokens.weight"), (std::vector<int64_t>{50, 16}));
  EXPECT_EQ(shape_of(s, "model.decoder.embed_positions.weight"), (std::vector<int64_t>{66, 32}));
  EXPECT_EQ(shape_of(s, "model.decoder.project_in.weight"), (std::vector<int64_t>{32, 16}));
  EXPECT_EQ(shape_of(s, "model.decoder.project_out.weight"), (std::vector<int64_t>{16, 32}));
  EXPECT_EQ(shape_of(s, "lm_head.weight"), (std::vector<int64_t>{50, 16}));
  EXPECT_FALSE(has_tensor(s, "model.decoder.final_layer_norm.weight"));
  EXPECT_FALSE(has_tensor(s, "model.decoder.layers.0.fc1.bias"));
  EXPECT_TRUE(has_tensor(s, "model.decoder.layers.0.final_layer_norm.bias"));
}

TEST(HfConfig, OptPostNormHasNoFinalLayerNorm) {
  TempDir dir;
  json c = opt_config();
  c["do_layer_norm_before"] = false;  // opt-350m
  const ModelSpec s = parse(dir, c);
  EXPECT_FALSE(s.final_layer_norm);
  EXPECT_FALSE(has_tensor(s, "model.decoder.final_layer_norm.weight"));
}

TEST(HfConfig, OptRemovedFinalLayerNorm) {
  TempDir dir;
  json c = opt_config();
  c["_remove_final_layer_norm"] = true;
  EXPECT_FALSE(parse(dir, c).final_layer_norm);
}

TEST(ModelSpec, LlamaExpectedTensorsForHouseLlama) {
  const ModelSpec s = parse_hf_config(quantlens_test::data_path("house-llama/config.json"));
  const auto tensors = quantcore::expected_tensors(s);
  EXPECT_EQ(tensors.size(), 1u + 8 * 9 + 1 + 1);
  EXPECT_EQ(tensors.front().name, "model.embed_tokens.weight");
  EXPECT_EQ(shape_of(s, "model.layers.7.self_attn.k_proj.weight"), (std::vector<int64_t>{128, 384}));
  EXPECT_EQ(shape_of(s, "model.layers.7.self_attn.v_proj.weight"), (std::vector<int64_t>{128, 384}));
  EXPECT_EQ(shape_of(s, "model.layers.0.mlp.gate_proj.weight"), (std::vector<int64_t>{1024, 384}));
  EXPECT_EQ(shape_of(s, "model.layers.0.mlp.down_proj.weight"), (std::vector<int64_t>{384, 1024}));
  EXPECT_EQ(shape_of(s, "model.layers.0.input_layernorm.weight"), (std::vector<int64_t>{384}));
  EXPECT_EQ(shape_of(s, "model.norm.weight"), (std::vector<int64_t>{384}));
  EXPECT_EQ(shape_of(s, "lm_head.weight"), (std::vector<int64_t>{8192, 384}));
  EXPECT_FALSE(has_tensor(s, "model.layers.8.input_layernorm.weight"));
}

TEST(ModelSpec, BlockLinears) {
  const ModelSpec llama = parse_hf_config(quantlens_test::data_path("house-llama/config.json"));
  const auto l = quantcore::block_linears(llama);
  ASSERT_EQ(l.size(), 7u);
  const std::vector<std::string> llama_names = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                                                "self_attn.o_proj", "mlp.gate_proj",    "mlp.up_proj",
                                                "mlp.down_proj"};
  for (std::size_t i = 0; i < l.size(); ++i) EXPECT_EQ(l[i].name, llama_names[i]);
  EXPECT_EQ(l[1].out_features, 128);
  EXPECT_EQ(l[1].in_features, 384);
  EXPECT_EQ(l[6].out_features, 384);
  EXPECT_EQ(l[6].in_features, 1024);

  const ModelSpec opt = parse_hf_config(quantlens_test::data_path("house-opt/config.json"));
  const auto o = quantcore::block_linears(opt);
  ASSERT_EQ(o.size(), 6u);
  const std::vector<std::string> opt_names = {
      "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj", "fc1", "fc2"};
  for (std::size_t i = 0; i < o.size(); ++i) EXPECT_EQ(o[i].name, opt_names[i]);
  EXPECT_EQ(o[4].out_features, 1024);
  EXPECT_EQ(o[5].in_features, 1024);
}

TEST(ModelSpec, FamilyNames) {
  EXPECT_EQ(quantcore::family_name(Family::Llama), "llama");
  EXPECT_EQ(quantcore::family_name(Family::Opt), "opt");
}

}  // namespace
