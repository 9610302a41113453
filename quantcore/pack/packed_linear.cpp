#include "quantcore/pack/packed_linear.h"

#include <stdexcept>

#include "quantcore/pack/bit_packing.h"
#include "quantcore/pack/half_float.h"

namespace quantcore {

const char* vector_dtype_name(VectorDType dtype) { return dtype == VectorDType::F16 ? "fp16" : "fp32"; }

float round_to_vector_dtype(float value, VectorDType dtype) {
  return dtype == VectorDType::F16 ? round_to_half(value) : value;
}

void check_consistent(const PackedLinear& l) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("packed linear: " + what); };
  const int64_t n = l.out_features, m = l.in_features, k = l.salient_count();
  if (n <= 0 || m <= 0) fail("non-positive shape");
  if (l.code_bits != 4 && l.code_bits != 8) fail("code bits must be 4 or 8");
  for (int64_t j = 0; j < k; ++j) {
    const int32_t col = l.salient_columns[static_cast<size_t>(j)];
    if (col < 0 || col >= m) fail("salient column " + std::to_string(col) + " outside [0, " + std::to_string(m) + ")");
    if (j > 0 && col <= l.salient_columns[static_cast<size_t>(j - 1)]) fail("salient columns not strictly ascending");
  }
  if (static_cast<int64_t>(l.signs.size()) != n * words_per_row(m - k, 1)) fail("sign words do not match the shape");
  if (static_cast<int64_t>(l.codes.size()) != n * words_per_row(k, l.code_bits))
    fail("code words do not match the shape");
  for (const std::vector<float>* v : {&l.a, &l.c, &l.scale, &l.zero})
    if (static_cast<int64_t>(v->size()) != n) fail("a row vector is not of length n");
  if (static_cast<int64_t>(l.r2.size()) != m) fail("r2 is not of length m");
}

std::vector<float> dequantize(const PackedLinear& l) {
  check_consistent(l);
  const int64_t n = l.out_features, m = l.in_features, k = l.salient_count();
  std::vector<uint8_t> salient(static_cast<size_t>(m), 0);
  for (int32_t col : l.salient_columns) salient[static_cast<size_t>(col)] = 1;
  const std::vector<uint8_t> signs = unpack_rows(l.signs.data(), n, m - k, 1);
  const std::vector<uint8_t> codes = unpack_rows(l.codes.data(), n, k, l.code_bits);

  std::vector<float> w(static_cast<size_t>(n * m));
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* s = signs.data() + i * (m - k);
    const uint8_t* q = codes.data() + i * k;
    float* row = w.data() + i * m;
    for (int64_t j = 0, lo = 0, hi = 0; j < m; ++j) {
      if (salient[static_cast<size_t>(j)]) {
        row[j] = l.scale[i] * (float(q[hi++]) - l.zero[i]);
      } else {
        const float sign = s[lo++] ? 1.0f : -1.0f;
        const float b = l.a[i] * sign + l.c[i];  // a_i S_ij + c_i, rounded once per op as in fp32 torch
        row[j] = l.r2[j] * b;
      }
    }
  }
  return w;
}

std::vector<uint16_t> dequantize_f16(const PackedLinear& l) { return halves_of(dequantize(l)); }

}  // namespace quantcore
