// The stored form of a finalised PTQ1.61 linear (spec §4.2 "storable form") and its
// dequantisation against the same formula in LibTorch; the fp16 conversion against c10::Half.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "quantcore/methods/ptq161/quantizers.h"
#include "quantcore/methods/ptq161/stored_linear.h"
#include "quantcore/pack/half_float.h"

namespace {

quantcore::methods::ptq161::LinearQuantization make_quantization(int64_t n, int64_t m) {
  at::manual_seed(3);
  const at::Tensor w = at::randn({n, m});
  quantcore::methods::ptq161::LinearQuantization q;
  q.name = "test";
  q.mask = at::zeros({m}, at::kBool);
  for (int64_t j : {int64_t(1), int64_t(4), int64_t(5), int64_t(20), m - 1})
    if (j < m) q.mask[j] = true;
  const auto salient = quantcore::methods::ptq161::quantize_salient(w, 4);
  const auto p = quantcore::methods::ptq161::init_binarization(w, q.mask);
  q.mean = p.mean;
  q.alpha = p.alpha * (1 + 0.1 * at::randn({n, 1}));  // as if trained
  q.r1 = 1 + 0.05 * at::randn({n, 1});
  q.r2 = 1 + 0.05 * at::randn({1, m});
  q.scale = salient.scale;
  q.zero = salient.zero;
  q.codes = salient.codes;
  q.signs = (w - q.mean).ge(0);
  return q;
}

at::Tensor as_tensor(const std::vector<float>& v, int64_t n, int64_t m) {
  return at::from_blob(const_cast<float*>(v.data()), {n, m}, at::kFloat).clone();
}

}  // namespace

TEST(HalfFloat, MatchesLibTorch) {
  std::mt19937 rng(11);
  std::vector<float> values;
  for (int e = -30; e <= 17; ++e)
    for (int i = 0; i < 200; ++i)
      values.push_back(std::ldexp(float(rng()) / float(rng.max()) + 1.0f, e) * (i % 2 ? -1 : 1));
  for (uint32_t bits = 0x33000000u; bits < 0x33000000u + 4096; ++bits) {  // around the subnormal ties
    float f;
    std::memcpy(&f, &bits, sizeof f);
    values.push_back(f);
  }
  values.push_back(65519.99f);
  values.push_back(65520.0f);
  const at::Tensor t = at::from_blob(values.data(), {int64_t(values.size())}, at::kFloat).to(at::kHalf);
  const auto* h = reinterpret_cast<const uint16_t*>(t.data_ptr());
  for (size_t i = 0; i < values.size(); ++i) ASSERT_EQ(quantcore::half_from_float(values[i]), h[i]) << values[i];
  const at::Tensor back = t.to(at::kFloat);
  for (size_t i = 0; i < values.size(); ++i)
    ASSERT_EQ(quantcore::float_from_half(h[i]), back[int64_t(i)].item<float>());
}

TEST(StoredLinear, Fp32VectorsDequantizeToTheStorableForm) {
  const int64_t n = 6, m = 37;
  const auto q = make_quantization(n, m);
  const quantcore::PackedLinear l = quantcore::methods::ptq161::stored_linear(q, 4, quantcore::VectorDType::F32);
  EXPECT_EQ(l.salient_columns, (std::vector<int32_t>{1, 4, 5, 20, 36}));
  EXPECT_EQ(l.signs.size(), size_t(n * 1));  // 32 binarised columns: one word per row
  EXPECT_EQ(l.codes.size(), size_t(n * 1));  // 5 codes: one word per row
  const at::Tensor got = as_tensor(quantcore::dequantize(l), n, m);

  // Spec §4.2 storable form, op by op in fp32: W'lo = r2 (a S + c), W'hi = s (Q - z).
  const at::Tensor a = q.r1 * q.alpha, c = q.r1 * q.mean;
  const at::Tensor s = at::where(q.signs, at::ones({}), -at::ones({}));
  const at::Tensor lo = q.r2 * (a * s + c);
  const at::Tensor hi = q.scale * (q.codes.to(at::kFloat) - q.zero);
  const at::Tensor expected = at::where(q.mask.unsqueeze(0), hi, lo);
  EXPECT_TRUE(at::equal(got, expected)) << (got - expected).abs().max().item<float>();

  // ... which is the reference's §4.2 formula up to fp32 rounding.
  const at::Tensor w_hat = q.scale * (q.codes.to(at::kFloat) - q.zero);
  const at::Tensor reference = (q.r1 * q.r2) * (q.alpha * at::where(q.signs, at::ones({}), -at::ones({})) + q.mean) *
                                   q.mask.logical_not().unsqueeze(0) +
                               w_hat * q.mask.unsqueeze(0);
  EXPECT_TRUE(at::allclose(got, reference, 1e-5, 1e-6));
}

TEST(StoredLinear, Fp16VectorsAreRoundedOnce) {
  const int64_t n = 6, m = 37;
  const auto q = make_quantization(n, m);
  const quantcore::PackedLinear l16 = quantcore::methods::ptq161::stored_linear(q, 4, quantcore::VectorDType::F16);
  const quantcore::PackedLinear l32 = quantcore::methods::ptq161::stored_linear(q, 4, quantcore::VectorDType::F32);
  for (size_t i = 0; i < l16.a.size(); ++i) {
    EXPECT_EQ(l16.a[i], quantcore::round_to_half(l32.a[i]));
    EXPECT_EQ(l16.c[i], quantcore::round_to_half(l32.c[i]));
  }
  EXPECT_EQ(l16.signs, l32.signs);
  EXPECT_EQ(l16.codes, l32.codes);
  const at::Tensor w16 = as_tensor(quantcore::dequantize(l16), n, m);
  const at::Tensor w32 = as_tensor(quantcore::dequantize(l32), n, m);
  EXPECT_FALSE(at::equal(w16, w32));
  EXPECT_TRUE(at::allclose(w16, w32, 2e-3, 1e-4));
}

TEST(StoredLinear, EightBitCodesAboveFourSalientBits) {
  auto q = make_quantization(3, 10);
  const auto salient = quantcore::methods::ptq161::quantize_salient(at::randn({3, 10}), 6);
  q.codes = salient.codes;
  q.scale = salient.scale;
  q.zero = salient.zero;
  const quantcore::PackedLinear l = quantcore::methods::ptq161::stored_linear(q, 6, quantcore::VectorDType::F32);
  EXPECT_EQ(l.code_bits, 8);
  const at::Tensor got = as_tensor(quantcore::dequantize(l), 3, 10);
  const at::Tensor hi = q.scale * (q.codes.to(at::kFloat) - q.zero);
  EXPECT_TRUE(at::equal(got.index_select(1, at::tensor({1, 4, 5, 9})), hi.index_select(1, at::tensor({1, 4, 5, 9}))));
}
