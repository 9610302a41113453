// Bit packing, fp16 conversion and the one dequantisation of a stored PTQ1.61 linear
// (docs/packed-format.md), checked against hand-computed layouts and values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "memory_weights.h"
#include "quantcore/io/errors.h"
#include "quantcore/pack/bit_packing.h"
#include "quantcore/pack/half_float.h"
#include "quantcore/pack/packed_checkpoint.h"
#include "quantcore/pack/packed_format.h"
#include "quantcore/pack/packed_linear.h"
#include "random_packed_linear.h"
#include "test_support.h"

using quantcore::pack_rows;
using quantcore::unpack_rows;
using quantcore::words_per_row;

TEST(BitPacking, HandCheckedSignLayout) {
  // Row 0: 33 entries, bit j of word 0 = column j, column 32 in bit 0 of word 1.
  // Row 1: all zero but column 1. Rows start on a word boundary.
  std::vector<uint8_t> bits(2 * 33, 0);
  bits[0] = 1;
  bits[2] = 1;
  bits[31] = 1;
  bits[32] = 1;
  bits[33 + 1] = 1;
  const auto words = pack_rows(bits.data(), 2, 33, 1);
  ASSERT_EQ(words.size(), 4u);
  EXPECT_EQ(words[0], 0x80000005u);
  EXPECT_EQ(words[1], 0x00000001u);
  EXPECT_EQ(words[2], 0x00000002u);
  EXPECT_EQ(words[3], 0x00000000u);
}

TEST(BitPacking, HandCheckedNibbleLayout) {
  // 9 codes: 8 nibbles per word, low nibble first; the 9th starts a second word.
  const std::vector<uint8_t> codes = {1, 2, 3, 4, 5, 6, 7, 8, 15};
  const auto words = pack_rows(codes.data(), 1, 9, 4);
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(words[0], 0x87654321u);
  EXPECT_EQ(words[1], 0x0000000Fu);
}

TEST(BitPacking, RoundTripsOddWidths) {
  std::mt19937 rng(7);
  for (int bits : {1, 2, 4, 8}) {
    for (int64_t cols : {0, 1, 7, 8, 9, 31, 32, 33, 63, 65, 100}) {
      const int64_t rows = 3;
      std::vector<uint8_t> v(static_cast<size_t>(rows * cols));
      for (auto& x : v) x = static_cast<uint8_t>(rng() % (1u << bits));
      const auto words = pack_rows(v.data(), rows, cols, bits);
      EXPECT_EQ(static_cast<int64_t>(words.size()), rows * words_per_row(cols, bits));
      EXPECT_EQ(unpack_rows(words.data(), rows, cols, bits), v) << bits << " bits, " << cols << " columns";
    }
  }
  EXPECT_EQ(words_per_row(33, 1), 2);
  EXPECT_EQ(words_per_row(32, 1), 1);
  EXPECT_EQ(words_per_row(9, 4), 2);
  EXPECT_EQ(words_per_row(0, 4), 0);
}

TEST(BitPacking, RejectsValuesTooWide) {
  const std::vector<uint8_t> v = {16};
  EXPECT_THROW(pack_rows(v.data(), 1, 1, 4), std::invalid_argument);
  EXPECT_THROW(words_per_row(3, 3), std::invalid_argument);
}

TEST(HalfFloat, KnownValuesAndRounding) {
  using quantcore::float_from_half;
  using quantcore::half_from_float;
  EXPECT_EQ(half_from_float(1.0f), 0x3C00);
  EXPECT_EQ(half_from_float(-2.0f), 0xC000);
  EXPECT_EQ(half_from_float(65504.0f), 0x7BFF);
  EXPECT_EQ(half_from_float(65519.0f), 0x7BFF);
  EXPECT_EQ(half_from_float(65520.0f), 0x7C00);  // halfway to the next binade rounds to inf
  EXPECT_EQ(half_from_float(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(half_from_float(std::ldexp(1.0f, -25)), 0x0000);             // tie to even (0)
  EXPECT_EQ(half_from_float(std::ldexp(3.0f, -25)), 0x0002);             // tie to even (2)
  EXPECT_EQ(half_from_float(1.0f + std::ldexp(1.0f, -11)), 0x3C00);      // tie, even mantissa stays
  EXPECT_EQ(half_from_float(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);  // tie, odd mantissa rounds up
  EXPECT_TRUE(std::isnan(float_from_half(half_from_float(NAN))));
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF)) continue;  // NaN payloads
    EXPECT_EQ(half_from_float(float_from_half(uint16_t(h))), h);
  }
}

namespace {
// A 2 x 4 layer with salient columns {1, 3}.
quantcore::PackedLinear small_linear() {
  quantcore::PackedLinear l;
  l.out_features = 2;
  l.in_features = 4;
  l.code_bits = 4;
  l.vector_dtype = quantcore::VectorDType::F32;
  l.salient_columns = {1, 3};
  const std::vector<uint8_t> signs = {1, 0,   // row 0, columns 0 and 2: S = +1, -1
                                      0, 1};  // row 1
  const std::vector<uint8_t> codes = {3, 15,  // row 0, columns 1 and 3
                                      0, 7};
  l.signs = pack_rows(signs.data(), 2, 2, 1);
  l.codes = pack_rows(codes.data(), 2, 2, 4);
  l.a = {0.5f, 2.0f};
  l.c = {0.25f, -1.0f};
  l.r2 = {2.0f, 100.0f, 4.0f, 100.0f};
  l.scale = {0.125f, 1.0f};
  l.zero = {8.0f, 2.0f};
  return l;
}
}  // namespace

TEST(Dequantize, HandComputedStorableForm) {
  const std::vector<float> w = quantcore::dequantize(small_linear());
  const std::vector<float> expected = {2.0f * (0.5f + 0.25f), 0.125f * (3 - 8),      4.0f * (-0.5f + 0.25f),
                                       0.125f * (15 - 8),     2.0f * (-2.0f - 1.0f), 1.0f * (0 - 2),
                                       4.0f * (2.0f - 1.0f),  1.0f * (7 - 2)};
  EXPECT_EQ(w, expected);
  const std::vector<uint16_t> h = quantcore::dequantize_f16(small_linear());
  for (size_t i = 0; i < w.size(); ++i) EXPECT_EQ(quantcore::float_from_half(h[i]), w[i]);
}

TEST(Dequantize, RejectsInconsistentForms) {
  auto l = small_linear();
  l.salient_columns = {3, 1};
  EXPECT_THROW(quantcore::dequantize(l), std::invalid_argument);
  l = small_linear();
  l.r2.pop_back();
  EXPECT_THROW(quantcore::dequantize(l), std::invalid_argument);
  l = small_linear();
  l.signs.push_back(0);
  EXPECT_THROW(quantcore::dequantize(l), std::invalid_argument);
}

// Seen while writing fuzz_packed_checkpoint (and reproduced with it): a packed directory whose
// config.json declares a huge layer count made the reader list every block linear of every
// layer before looking at the file (50 million layers: gigabytes of names, out of memory).
TEST(PackedCheckpoint, LayerCountBeyondTheFileIsAnInputError) {
  const quantcore::ModelSpec spec = quantlens_test::tiny_llama_spec(1);
  std::vector<quantcore::PackedLinear> stored;
  std::map<std::string, const quantcore::PackedLinear*> linears;
  const auto weights = quantcore::packed::quantized_weights(spec);
  stored.reserve(weights.size());
  for (const auto& q : weights) {
    stored.push_back(quantlens_test::random_packed_linear(q.out_features, q.in_features, 2, 7));
    linears[q.weight_name] = &stored.back();
  }
  const quantlens_test::TempDir dir;
  quantcore::packed::FormatSettings settings;
  settings.method = "ptq161";
  quantcore::packed::write_packed_weights(dir / quantcore::packed::kWeightsFile, spec,
                                          quantlens_test::MemoryWeights(spec, 3), linears, settings);
  EXPECT_EQ(quantcore::PackedCheckpoint(dir.path(), spec).quantized().size(), weights.size());

  quantcore::ModelSpec crafted = spec;
  crafted.num_layers = 50'000'000;
  try {
    quantcore::PackedCheckpoint checkpoint(dir.path(), crafted);
    ADD_FAILURE() << "no InputError";
  } catch (const quantcore::InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("model.safetensors: the config declares 50000000 layers, more than the"), std::string::npos)
        << message;
  }
}
