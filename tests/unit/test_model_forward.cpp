// The forward pass: a LLaMA-family block against a plain-loop reference (Qwen2 biases,
// Mistral sliding window, GQA), the block-by-block API against the whole pass, and the KV
// cache against full recomputation on the real house-llama and house-opt checkpoints.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "memory_weights.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/model/causal_lm.h"
#include "test_support.h"

using quantcore::CausalLM;
using quantcore::ModelSpec;
using Vec = std::vector<double>;

namespace {

ModelSpec tiny_qwen2_spec() {
  ModelSpec s = quantlens_test::tiny_llama_spec(1, 5);
  s.model_type = "qwen2";
  s.max_position_embeddings = 16;
  s.attention_bias = true;
  s.sliding_window = 2;
  return s;
}

// y = W x + b for W [out, in] row-major.
Vec matvec(const std::vector<float>& w, const std::vector<float>* b, const Vec& x, size_t out) {
  Vec y(out, 0.0);
  for (size_t o = 0; o < out; ++o) {
    for (size_t i = 0; i < x.size(); ++i) y[o] += double(w[o * x.size() + i]) * x[i];
    if (b) y[o] += (*b)[o];
  }
  return y;
}

Vec rms(const Vec& x, const std::vector<float>& w, double eps) {
  double ss = 0;
  for (double v : x) ss += v * v;
  const double inv = 1.0 / std::sqrt(ss / double(x.size()) + eps);
  Vec y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * inv * w[i];
  return y;
}

// Rotate-half RoPE of one head vector at position p.
void rope(double* v, size_t hd, double p, double theta) {
  for (size_t i = 0; i < hd / 2; ++i) {
    const double angle = p * std::pow(theta, -2.0 * double(i) / double(hd));
    const double a = v[i], b = v[i + hd / 2];
    v[i] = a * std::cos(angle) - b * std::sin(angle);
    v[i + hd / 2] = b * std::cos(angle) + a * std::sin(angle);
  }
}

// A LLaMA-family decoder block written out with loops, from the HF definition.
std::vector<Vec> reference_block(const ModelSpec& s, const quantlens_test::MemoryWeights& w,
                                 const std::vector<Vec>& x) {
  const std::string p = "model.layers.0.";
  auto W = [&](const std::string& n) { return w.values(p + n); };
  const size_t T = x.size(), H = size_t(s.hidden_size), hd = size_t(s.head_dim);
  const size_t nh = size_t(s.num_heads), nkv = size_t(s.num_kv_heads);
  std::vector<Vec> q(T), k(T), v(T), out(T);
  for (size_t t = 0; t < T; ++t) {
    Vec h = rms(x[t], W("input_layernorm.weight"), s.norm_eps);
    q[t] = matvec(W("self_attn.q_proj.weight"), w.maybe(p + "self_attn.q_proj.bias"), h, nh * hd);
    k[t] = matvec(W("self_attn.k_proj.weight"), w.maybe(p + "self_attn.k_proj.bias"), h, nkv * hd);
    v[t] = matvec(W("self_attn.v_proj.weight"), w.maybe(p + "self_attn.v_proj.bias"), h, nkv * hd);
    for (size_t a = 0; a < nh; ++a) rope(&q[t][a * hd], hd, double(t), s.rope.theta);
    for (size_t a = 0; a < nkv; ++a) rope(&k[t][a * hd], hd, double(t), s.rope.theta);
  }
  for (size_t t = 0; t < T; ++t) {
    Vec attn(nh * hd, 0.0);
    for (size_t a = 0; a < nh; ++a) {
      const size_t kvh = a / (nh / nkv);
      std::vector<double> scores;
      std::vector<size_t> keys;
      for (size_t u = 0; u <= t; ++u) {
        if (s.sliding_window && double(t) - double(u) >= double(*s.sliding_window)) continue;
        double d = 0;
        for (size_t i = 0; i < hd; ++i) d += q[t][a * hd + i] * k[u][kvh * hd + i];
        scores.push_back(d / std::sqrt(double(hd)));
        keys.push_back(u);
      }
      double mx = scores[0], z = 0;
      for (double sc : scores) mx = std::max(mx, sc);
      for (double& sc : scores) z += (sc = std::exp(sc - mx));
      for (size_t j = 0; j < keys.size(); ++j)
        for (size_t i = 0; i < hd; ++i) attn[a * hd + i] += scores[j] / z * v[keys[j]][kvh * hd + i];
    }
    Vec o = matvec(W("self_attn.o_proj.weight"), nullptr, attn, H);
    Vec x1(H);
    for (size_t i = 0; i < H; ++i) x1[i] = x[t][i] + o[i];
    Vec h2 = rms(x1, W("post_attention_layernorm.weight"), s.norm_eps);
    const size_t I = size_t(s.intermediate_size);
    Vec g = matvec(W("mlp.gate_proj.weight"), nullptr, h2, I);
    Vec up = matvec(W("mlp.up_proj.weight"), nullptr, h2, I);
    Vec act(I);
    for (size_t i = 0; i < I; ++i) act[i] = g[i] / (1 + std::exp(-g[i])) * up[i];
    Vec d = matvec(W("mlp.down_proj.weight"), nullptr, act, H);
    out[t].resize(H);
    for (size_t i = 0; i < H; ++i) out[t][i] = x1[i] + d[i];
  }
  return out;
}

void expect_block_matches_reference(const ModelSpec& spec, uint32_t seed) {
  quantlens_test::MemoryWeights weights(spec, seed);
  CausalLM lm(spec, weights, {"cpu", "fp32"});
  const int64_t T = 5;
  at::Tensor hidden = at::randn({1, T, spec.hidden_size}, at::TensorOptions().dtype(at::kFloat));
  std::vector<Vec> x(T, Vec(size_t(spec.hidden_size)));
  for (int64_t t = 0; t < T; ++t)
    for (int64_t i = 0; i < spec.hidden_size; ++i) x[size_t(t)][size_t(i)] = hidden[0][t][i].item<float>();
  at::Tensor y = lm.block_forward(0, hidden);
  std::vector<Vec> expected = reference_block(spec, weights, x);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t i = 0; i < spec.hidden_size; ++i)
      EXPECT_NEAR(y[0][t][i].item<float>(), expected[size_t(t)][size_t(i)], 2e-5) << "t=" << t << " i=" << i;
}

}  // namespace

TEST(LlamaBlock, Qwen2BiasesSlidingWindowAndGqaMatchLoopReference) {
  at::manual_seed(1);
  expect_block_matches_reference(tiny_qwen2_spec(), 7);
}

TEST(LlamaBlock, PlainLlamaMatchesLoopReference) {
  at::manual_seed(2);
  ModelSpec s = tiny_qwen2_spec();
  s.model_type = "llama";
  s.attention_bias = false;
  s.sliding_window.reset();
  s.num_kv_heads = 2;
  expect_block_matches_reference(s, 3);
}

TEST(LlamaBlock, SlidingWindowChangesOnlyDistantPositions) {
  at::manual_seed(3);
  ModelSpec windowed = tiny_qwen2_spec();
  ModelSpec full = windowed;
  full.sliding_window.reset();
  quantlens_test::MemoryWeights weights(windowed, 11);
  CausalLM a(windowed, weights, {"cpu", "fp32"}), b(full, weights, {"cpu", "fp32"});
  at::Tensor h = at::randn({1, 4, windowed.hidden_size});
  at::Tensor ya = a.block_forward(0, h), yb = b.block_forward(0, h);
  EXPECT_TRUE(at::allclose(ya.narrow(1, 0, 2), yb.narrow(1, 0, 2)));  // positions 0, 1 see all keys
  EXPECT_FALSE(at::allclose(ya.narrow(1, 2, 2), yb.narrow(1, 2, 2)));
}

class RealModel : public ::testing::TestWithParam<const char*> {};

TEST_P(RealModel, BlockByBlockEqualsWholePassAndKvCacheEqualsRecompute) {
  c10::InferenceMode guard;
  quantcore::Checkpoint ckpt = quantcore::open_checkpoint(quantlens_test::data_path(GetParam()));
  CausalLM lm(ckpt.spec, *ckpt.weights, {"cpu", "fp32"});
  at::Tensor ids = at::tensor({2, 300, 17, 45, 900, 4, 77, 1000}, at::kLong).unsqueeze(0);
  at::Tensor whole = lm.logits(ids);

  at::Tensor h = lm.embed(ids);
  for (int64_t i = 0; i < lm.num_blocks(); ++i) h = lm.block_forward(i, h);
  EXPECT_TRUE(at::allclose(lm.head(lm.final_hidden(h)), whole, 1e-5, 1e-5));

  quantcore::KVCache cache;
  at::Tensor first = lm.logits(ids.narrow(1, 0, 5), &cache);
  at::Tensor rest = lm.logits(ids.narrow(1, 5, 3), &cache);
  EXPECT_EQ(cache.length, 8);
  EXPECT_TRUE(at::allclose(first, whole.narrow(1, 0, 5), 1e-4, 1e-4));
  EXPECT_TRUE(at::allclose(rest, whole.narrow(1, 5, 3), 1e-4, 1e-4));
}

TEST_P(RealModel, ReplacingALinearWeightChangesTheOutput) {
  c10::InferenceMode guard;
  quantcore::Checkpoint ckpt = quantcore::open_checkpoint(quantlens_test::data_path(GetParam()));
  CausalLM lm(ckpt.spec, *ckpt.weights, {"cpu", "fp32"});
  at::Tensor ids = at::tensor({2, 300, 17, 45}, at::kLong).unsqueeze(0);
  at::Tensor before = lm.logits(ids);
  const std::string name = quantcore::block_linears(ckpt.spec).front().name;
  at::Tensor w = lm.linear_weight(0, name);
  lm.set_linear_weight(0, name, at::zeros_like(w));
  EXPECT_FALSE(at::allclose(lm.logits(ids), before));
  lm.set_linear_weight(0, name, w);
  EXPECT_TRUE(at::allclose(lm.logits(ids), before));
  EXPECT_THROW(lm.set_linear_weight(0, name, at::zeros({1, 1})), std::invalid_argument);
}

TEST_P(RealModel, AQuantisedInputIsWhatTheLinearSees) {
  c10::InferenceMode guard;
  quantcore::Checkpoint ckpt = quantcore::open_checkpoint(quantlens_test::data_path(GetParam()));
  CausalLM lm(ckpt.spec, *ckpt.weights, {"cpu", "fp32"});
  const quantcore::LinearShape shape = quantcore::block_linears(ckpt.spec).back();
  const at::Tensor x = at::randn({1, 6, shape.in_features});
  const at::Tensor exact = lm.block_linear(1, shape.name, x);
  // Non-uniform factors (a power of two everywhere would commute with the rounding).
  std::vector<float> factors;
  for (int64_t j = 0; j < shape.in_features; ++j) factors.push_back(std::vector<float>{0.75f, 1.5f, 3.0f, 0.375f}[j % 4]);
  quantcore::InputQuantization q{4, factors};
  lm.set_linear_input_quantization(1, shape.name, q);
  EXPECT_EQ(lm.input_bits(), 4);
  EXPECT_EQ(lm.linear_input_quantization(1, shape.name).smoothing, q.smoothing);
  EXPECT_EQ(lm.linear_input_quantization(0, shape.name).bits, 0);
  const std::vector<float> xf(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
  const std::vector<float> xq = quantcore::fake_quantize_input(xf.data(), 6, shape.in_features, q);
  const at::Tensor expected =
      at::linear(at::tensor(at::ArrayRef<float>(xq)).reshape(x.sizes()), lm.linear_weight(1, shape.name),
                 lm.block(1).maybe(shape.name + ".bias"));
  const at::Tensor got = lm.block_linear(1, shape.name, x);
  EXPECT_TRUE(at::allclose(got, expected, 1e-5, 1e-5));
  EXPECT_FALSE(at::allclose(got, exact, 1e-3, 1e-3));
  EXPECT_THROW(lm.set_linear_input_quantization(1, shape.name, {4, {1.0f}}), std::invalid_argument);
  lm.set_linear_input_quantization(1, shape.name, {});
  EXPECT_EQ(lm.input_bits(), 0);
  EXPECT_TRUE(at::allclose(lm.block_linear(1, shape.name, x), exact));
}

TEST_P(RealModel, Bf16StaysCloseToFp32) {
  c10::InferenceMode guard;
  quantcore::Checkpoint ckpt = quantcore::open_checkpoint(quantlens_test::data_path(GetParam()));
  CausalLM fp32(ckpt.spec, *ckpt.weights, {"cpu", "fp32"});
  CausalLM bf16(ckpt.spec, *ckpt.weights, {"cpu", "bf16"});
  EXPECT_EQ(bf16.dtype(), at::kBFloat16);
  at::Tensor ids = at::tensor({2, 300, 17, 45, 900, 4}, at::kLong).unsqueeze(0);
  at::Tensor a = at::log_softmax(fp32.logits(ids), -1);
  at::Tensor b = at::log_softmax(bf16.logits(ids).to(at::kFloat), -1);
  EXPECT_LT((a - b).abs().mean().item<float>(), 0.1);
}

INSTANTIATE_TEST_SUITE_P(HouseModels, RealModel, ::testing::Values("house-llama", "house-opt"));

// Tokenizer-independent: REFERENCE.json's ids through the forward pass give HF's logits.
TEST_P(RealModel, FixedSentenceLogitsMatchHfReference) {
  c10::InferenceMode guard;
  const nlohmann::json ref = quantlens_test::read_json(
      quantlens_test::data_path(std::string(GetParam()) + "/REFERENCE.json"))["fixed_sentence"];
  quantcore::Checkpoint ckpt = quantcore::open_checkpoint(quantlens_test::data_path(GetParam()));
  CausalLM lm(ckpt.spec, *ckpt.weights, {"cpu", "fp32"});
  std::vector<int64_t> ids = ref["ids"].get<std::vector<int64_t>>();
  at::Tensor batch = at::tensor(ids, at::kLong).unsqueeze(0);
  at::Tensor logits = lm.logits(batch)[0];
  const int64_t t = batch.size(1);

  at::Tensor log_probs = at::log_softmax(logits.narrow(0, 0, t - 1).to(at::kDouble), -1);
  const double nll = -log_probs.gather(-1, batch[0].narrow(0, 1, t - 1).unsqueeze(-1)).mean().item<double>();
  EXPECT_NEAR(nll, ref["mean_nll"].get<double>(), 1e-4 * ref["mean_nll"].get<double>());
  EXPECT_NEAR(logits[t - 1].sum().item<double>(), ref["logits_last_sum"].get<double>(), 0.5);
  auto [values, indices] = logits[t - 1].topk(5);
  for (int64_t k = 0; k < 5; ++k) {
    EXPECT_EQ(indices[k].item<int64_t>(), ref["logits_last_top5"]["ids"][k].get<int64_t>());
    EXPECT_NEAR(values[k].item<float>(), ref["logits_last_top5"]["values"][k].get<double>(), 1e-3);
  }
  for (int64_t k = 0; k < 8; ++k)
    EXPECT_NEAR(logits[0][k].item<float>(), ref["logits_pos0_first8"][k].get<double>(), 1e-3);
}
