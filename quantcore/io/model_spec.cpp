#include "quantcore/io/model_spec.h"

namespace quantcore {
namespace {

using Tensors = std::vector<ExpectedTensor>;

void add_linear(Tensors& out, const std::string& prefix, int64_t rows, int64_t cols, bool bias) {
  out.push_back({prefix + ".weight", {rows, cols}});
  if (bias) out.push_back({prefix + ".bias", {rows}});
}

Tensors llama_tensors(const ModelSpec& s) {
  const int64_t H = s.hidden_size;
  const int64_t q_out = s.num_heads * s.head_dim;
  const int64_t kv_out = s.num_kv_heads * s.head_dim;
  Tensors out;
  out.push_back({"model.embed_tokens.weight", {s.vocab_size, H}});
  for (int64_t i = 0; i < s.num_layers; ++i) {
    const std::string layer = "model.layers." + std::to_string(i) + ".";
    out.push_back({layer + "input_layernorm.weight", {H}});
    add_linear(out, layer + "self_attn.q_proj", q_out, H, s.attention_bias);
    add_linear(out, layer + "self_attn.k_proj", kv_out, H, s.attention_bias);
    add_linear(out, layer + "self_attn.v_proj", kv_out, H, s.attention_bias);
    add_linear(out, layer + "self_attn.o_proj", H, q_out, s.o_proj_bias);
    out.push_back({layer + "post_attention_layernorm.weight", {H}});
    add_linear(out, layer + "mlp.gate_proj", s.intermediate_size, H, s.mlp_bias);
    add_linear(out, layer + "mlp.up_proj", s.intermediate_size, H, s.mlp_bias);
    add_linear(out, layer + "mlp.down_proj", H, s.intermediate_size, s.mlp_bias);
  }
  out.push_back({"model.norm.weight", {H}});
  if (!s.tie_word_embeddings) out.push_back({"lm_head.weight", {s.vocab_size, H}});
  return out;
}

void add_layer_norm(Tensors& out, const std::string& prefix, int64_t size) {
  out.push_back({prefix + ".weight", {size}});
  out.push_back({prefix + ".bias", {size}});
}

Tensors opt_tensors(const ModelSpec& s) {
  const int64_t H = s.hidden_size;
  const int64_t proj = s.word_embed_proj_dim;
  const std::string decoder = "model.decoder.";
  Tensors out;
  out.push_back({decoder + "embed_tokens.weight", {s.vocab_size, proj}});
  out.push_back({decoder + "embed_positions.weight", {s.max_position_embeddings + ModelSpec::kOptPositionOffset, H}});
  if (proj != H) {
    out.push_back({decoder + "project_in.weight", {H, proj}});
    out.push_back({decoder + "project_out.weight", {proj, H}});
  }
  for (int64_t i = 0; i < s.num_layers; ++i) {
    const std::string layer = decoder + "layers." + std::to_string(i) + ".";
    for (const char* p : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      add_linear(out, layer + "self_attn." + p, H, H, s.enable_bias);
    }
    add_layer_norm(out, layer + "self_attn_layer_norm", H);
    add_linear(out, layer + "fc1", s.intermediate_size, H, s.enable_bias);
    add_linear(out, layer + "fc2", H, s.intermediate_size, s.enable_bias);
    add_layer_norm(out, layer + "final_layer_norm", H);
  }
  if (s.final_layer_norm) add_layer_norm(out, decoder + "final_layer_norm", H);
  if (!s.tie_word_embeddings) out.push_back({"lm_head.weight", {s.vocab_size, proj}});
  return out;
}

}  // namespace

std::vector<ExpectedTensor> expected_tensors(const ModelSpec& spec) {
  return spec.family == Family::Opt ? opt_tensors(spec) : llama_tensors(spec);
}

std::vector<LinearShape> block_linears(const ModelSpec& spec) {
  const int64_t H = spec.hidden_size;
  const int64_t I = spec.intermediate_size;
  if (spec.family == Family::Opt) {
    return {{"self_attn.q_proj", H, H},
            {"self_attn.k_proj", H, H},
            {"self_attn.v_proj", H, H},
            {"self_attn.out_proj", H, H},
            {"fc1", I, H},
            {"fc2", H, I}};
  }
  const int64_t q_out = spec.num_heads * spec.head_dim;
  const int64_t kv_out = spec.num_kv_heads * spec.head_dim;
  return {{"self_attn.q_proj", q_out, H}, {"self_attn.k_proj", kv_out, H}, {"self_attn.v_proj", kv_out, H},
          {"self_attn.o_proj", H, q_out}, {"mlp.gate_proj", I, H},         {"mlp.up_proj", I, H},
          {"mlp.down_proj", H, I}};
}

int64_t parameter_count(const ModelSpec& spec) {
  int64_t total = 0;
  for (const ExpectedTensor& t : expected_tensors(spec)) {
    int64_t n = 1;
    for (int64_t d : t.shape) n *= d;
    total += n;
  }
  return total;
}

std::string family_name(Family f) { return f == Family::Opt ? "opt" : "llama"; }

}  // namespace quantcore
