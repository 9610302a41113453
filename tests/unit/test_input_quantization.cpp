// Per-token input quantisation (W(1+1)A(1×4)'s A side, pack/input_quantization.h): hand-checked
// codes, the exact split into binary planes, smoothing, and input_quantization.safetensors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "quantcore/io/errors.h"
#include "quantcore/io/model_spec.h"
#include "quantcore/io/safetensors.h"
#include "quantcore/pack/half_float.h"
#include "quantcore/pack/input_quantization.h"
#include "quantcore/pack/input_quantization_file.h"
#include "test_support.h"

namespace quantcore {
namespace {

TEST(InputQuantization, TokenCodesByHand) {
  // lo = -1, hi = 2, 2 bits: scale 1, zero 1; 0.5 rounds half to even (0), then + 1.
  const float x[] = {-1.0f, 0.5f, 2.0f};
  const QuantizedToken t = quantize_token(x, 3, 2);
  EXPECT_FLOAT_EQ(t.scale, 1.0f);
  EXPECT_FLOAT_EQ(t.zero, 1.0f);
  EXPECT_EQ(t.codes, (std::vector<uint8_t>{0, 1, 3}));
  const auto planes = bit_planes(t.codes, 2);
  EXPECT_EQ(planes[0], (std::vector<uint8_t>{0, 1, 1}));
  EXPECT_EQ(planes[1], (std::vector<uint8_t>{0, 0, 1}));
  EXPECT_EQ(fake_quantize_input(x, 1, 3, {2, {}}), (std::vector<float>{-1.0f, 0.0f, 2.0f}));
}

TEST(InputQuantization, ZeroIsAlwaysInTheRange) {
  const float positive[] = {1.0f, 3.0f};  // lo = 0: zero point 0
  const QuantizedToken p = quantize_token(positive, 2, 2);
  EXPECT_FLOAT_EQ(p.zero, 0.0f);
  EXPECT_EQ(p.codes, (std::vector<uint8_t>{1, 3}));
  const float zeros[] = {0.0f, 0.0f, 0.0f};  // an all-zero token gets [-1, 1] and stays 0
  EXPECT_EQ(fake_quantize_input(zeros, 1, 3, {4, {}}), (std::vector<float>{0, 0, 0}));
  EXPECT_THROW(quantize_token(positive, 2, 1), std::invalid_argument);
  EXPECT_THROW(quantize_token(positive, 2, 9), std::invalid_argument);
}

TEST(InputQuantization, ATokenWithNaNOrInfinityComesOutNaN) {
  const float x[] = {1.0f, 2.0f, std::numeric_limits<float>::infinity(), 0.5f, 0.25f, 0.125f};
  const std::vector<float> out = fake_quantize_input(x, 2, 3, {4, {}});
  for (int j = 0; j < 3; ++j) EXPECT_TRUE(std::isnan(out[j])) << j;
  for (int j = 3; j < 6; ++j) EXPECT_FALSE(std::isnan(out[j])) << j;
  EXPECT_THROW(quantize_token(x, 3, 4), std::invalid_argument);
}

TEST(InputQuantization, FourBinaryPlanesGiveTheSameProduct) {
  // x̂Wᵀ = scale·(Σ_k 2^k b_k Wᵀ − zero·1Wᵀ): the A(1×4) form is exact.
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  const int64_t tokens = 5, m = 16, n = 3;
  std::vector<float> x(tokens * m), w(n * m);
  for (float& v : x) v = normal(rng);
  for (float& v : w) v = normal(rng);
  const std::vector<float> fake = fake_quantize_input(x.data(), tokens, m, {4, {}});
  for (int64_t t = 0; t < tokens; ++t) {
    const QuantizedToken q = quantize_token(x.data() + t * m, m, 4);
    const auto planes = bit_planes(q.codes, 4);
    for (int64_t i = 0; i < n; ++i) {
      double direct = 0, binary = 0, row_sum = 0;
      for (int64_t j = 0; j < m; ++j) {
        direct += double(fake[t * m + j]) * w[i * m + j];
        row_sum += w[i * m + j];
      }
      for (int k = 0; k < 4; ++k) {
        double plane = 0;
        for (int64_t j = 0; j < m; ++j) plane += planes[k][j] * double(w[i * m + j]);
        binary += std::ldexp(plane, k);
      }
      EXPECT_NEAR(direct, q.scale * (binary - q.zero * row_sum), 1e-4) << t << " " << i;
    }
  }
}

TEST(InputQuantization, SmoothingDividesBeforeAndMultipliesAfter) {
  const float x[] = {0.1f, -4.0f, 0.3f, 8.0f};
  const std::vector<float> s = {0.5f, 4.0f, 1.0f, 8.0f};
  const std::vector<float> got = fake_quantize_input(x, 1, 4, {4, s});
  float divided[4];
  for (int j = 0; j < 4; ++j) divided[j] = x[j] / s[j];
  const QuantizedToken q = quantize_token(divided, 4, 4);
  for (int j = 0; j < 4; ++j) EXPECT_FLOAT_EQ(got[j], s[j] * q.scale * (float(q.codes[j]) - q.zero));
  EXPECT_THROW(fake_quantize_input(x, 1, 4, {4, {1.0f}}), std::invalid_argument);
}

ModelSpec two_block_llama() {
  ModelSpec s;
  s.family = Family::Llama;
  s.model_type = "llama";
  s.hidden_size = 8;
  s.intermediate_size = 12;
  s.num_layers = 2;
  s.num_heads = 2;
  s.num_kv_heads = 2;
  s.head_dim = 4;
  s.vocab_size = 16;
  s.max_position_embeddings = 32;
  return s;
}

TEST(InputQuantizationFile, RoundTripsAndRefusesWhatDoesNotFit) {
  quantlens_test::TempDir tmp;
  const ModelSpec spec = two_block_llama();
  const std::filesystem::path file = tmp / kInputQuantizationFile;
  std::map<std::string, InputQuantization> linears;
  linears["model.layers.1.mlp.down_proj"] = {4, std::vector<float>(12, 0.5f)};
  linears["model.layers.0.self_attn.q_proj"] = {4, {1, 2, 3, 4, 0.25f, 1, 1, round_to_half(0.1f)}};
  write_input_quantization(file, linears);
  const auto back = read_input_quantization(file, spec);
  ASSERT_EQ(back.size(), 2u);
  for (const auto& [prefix, q] : linears) {
    EXPECT_EQ(back.at(prefix).bits, 4);
    EXPECT_EQ(back.at(prefix).smoothing, q.smoothing) << prefix;
  }
  EXPECT_THROW(write_input_quantization(file, {{"a", {4, {1}}}, {"b", {3, {1}}}}), std::invalid_argument);

  auto expect_refused = [&](const std::string& name, std::vector<int64_t> shape, float value, const char* bits,
                            const std::string& message) {
    SafetensorsWriter w;
    std::vector<uint16_t> halves(static_cast<size_t>(shape[0]), half_from_float(value));
    w.add(name, DType::F16, shape, halves.data(), halves.size() * 2);
    if (bits) w.set_metadata("bits", bits);
    const std::filesystem::path bad = tmp / "bad.safetensors";
    w.write(bad);
    try {
      read_input_quantization(bad, spec);
      ADD_FAILURE() << "accepted: " << message;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  };
  expect_refused("model.layers.0.mlp.up_proj.input_smoothing", {8}, 1, nullptr, "no \"bits\"");
  expect_refused("model.layers.0.mlp.up_proj.input_smoothing", {8}, 1, "1", "is not 2..8");
  expect_refused("model.layers.0.mlp.up_proj.input_smoothing", {8}, 1, "four", "is not a number");
  expect_refused("model.layers.2.mlp.up_proj.input_smoothing", {8}, 1, "4", "is no block linear");
  expect_refused("model.layers.0.mlp.up_proj.input_smoothing", {12}, 1, "4", "is not F16 [8]");
  for (const float bad : {0.0f, -1.0f, std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()})
    expect_refused("model.layers.0.mlp.up_proj.input_smoothing", {8}, bad, "4", "not finite and positive");
  {
    SafetensorsWriter w;  // F32 instead of F16
    const std::vector<float> ones(8, 1.0f);
    w.add("model.layers.0.mlp.up_proj.input_smoothing", DType::F32, {8}, ones.data(), ones.size() * 4);
    w.set_metadata("bits", "4");
    w.write(tmp / "f32.safetensors");
    EXPECT_THROW(read_input_quantization(tmp / "f32.safetensors", spec), InputError);
  }
}

}  // namespace
}  // namespace quantcore
