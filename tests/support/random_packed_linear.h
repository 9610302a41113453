#pragma once
// Random packed PTQ1.61 linears for kernel tests: shapes chosen by the test, every stored field
// drawn at random and valid (ascending salient columns, codes in range, fp16-exact vectors).
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "quantcore/pack/bit_packing.h"
#include "quantcore/pack/half_float.h"
#include "quantcore/pack/packed_linear.h"

namespace quantlens_test {

inline quantcore::PackedLinear random_packed_linear(int64_t rows, int64_t cols, int64_t salient, uint32_t seed,
                                                    int code_bits = 4, int salient_bits = 4) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  auto half = [&](float lo, float hi) { return quantcore::round_to_half(lo + (hi - lo) * 0.5f * (unit(rng) + 1.0f)); };
  quantcore::PackedLinear l;
  l.out_features = rows;
  l.in_features = cols;
  l.code_bits = code_bits;
  std::vector<int32_t> columns(static_cast<size_t>(cols));
  std::iota(columns.begin(), columns.end(), 0);
  std::shuffle(columns.begin(), columns.end(), rng);
  l.salient_columns.assign(columns.begin(), columns.begin() + salient);
  std::sort(l.salient_columns.begin(), l.salient_columns.end());
  std::vector<uint8_t> signs(static_cast<size_t>(rows * (cols - salient))), codes(static_cast<size_t>(rows * salient));
  for (uint8_t& s : signs) s = static_cast<uint8_t>(rng() & 1u);
  for (uint8_t& q : codes) q = static_cast<uint8_t>(rng() % (1u << salient_bits));
  l.signs = quantcore::pack_rows(signs.data(), rows, cols - salient, 1);
  l.codes = quantcore::pack_rows(codes.data(), rows, salient, code_bits);
  for (int64_t i = 0; i < rows; ++i) {
    l.a.push_back(half(0.001f, 0.05f));
    l.c.push_back(half(-0.01f, 0.01f));
    l.scale.push_back(half(0.001f, 0.02f));
    l.zero.push_back(static_cast<float>(rng() % (1u << salient_bits)));
  }
  for (int64_t j = 0; j < cols; ++j) l.r2.push_back(half(0.5f, 1.5f));
  return l;
}

inline std::vector<float> random_inputs(int64_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(count));
  for (float& v : x) v = quantcore::round_to_half(normal(rng));  // exact in fp16 and close in bf16
  return x;
}

}  // namespace quantlens_test
