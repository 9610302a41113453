#pragma once
// One PTQ1.61-quantised linear W'[n = out, m = in] in its stored form (spec §4.2 "storable
// form", docs/packed-format.md), and the one dequantisation every consumer uses: the engine's
// finalisation, the packed checkpoint loader and the dense export. Torch-free.
//
//   non-salient column j:  W'_ij = r2_j * (a_i * S_ij + c_i),  a = r1 * alpha, c = r1 * mu
//   salient column j:      W'_ij = scale_i * (Q_ij - zero_i)
//
// S is stored as one bit, 1 for S = +1 (W - mu >= 0) and 0 for S = -1. The reference's
// torch.sign gives S = 0 where W equals mu exactly (spec §4.2, practically never hit); that
// corner is stored as +1.
#include <cstdint>
#include <string>
#include <vector>

namespace quantcore {

// The width of the stored vectors a, c, r2, scale, zero.
enum class VectorDType { F16, F32 };
const char* vector_dtype_name(VectorDType dtype);  // "fp16", "fp32"
// Rounds to the nearest value of the stored dtype (round half to even).
float round_to_vector_dtype(float value, VectorDType dtype);

struct PackedLinear {
  int64_t out_features = 0;  // n
  int64_t in_features = 0;   // m
  int code_bits = 4;         // width of a salient code in `codes`: 4, or 8 for salient bits > 4
  VectorDType vector_dtype = VectorDType::F16;
  std::vector<int32_t> salient_columns;  // k ascending column indices (the mask, §2.2)
  std::vector<uint32_t> signs;           // n x words_per_row(m - k, 1): bit j of a row = its j-th non-salient column
  std::vector<uint32_t> codes;           // n x words_per_row(k, code_bits): the j-th salient column's Q
  std::vector<float> a, c, scale, zero;  // [n], each exactly representable in vector_dtype
  std::vector<float> r2;                 // [m] (entries of salient columns are never used)

  int64_t salient_count() const { return static_cast<int64_t>(salient_columns.size()); }
  int64_t binarised_count() const { return in_features - salient_count(); }
};

// Sizes and strictly ascending in-range salient columns;
// std::invalid_argument naming the first problem otherwise.
void check_consistent(const PackedLinear& linear);

// fp32 W' [n, m], row-major.
std::vector<float> dequantize(const PackedLinear& linear);
// fp16(W'), as binary16 bits: what finalised models hold (spec §4.3 casts blocks to fp16).
std::vector<uint16_t> dequantize_f16(const PackedLinear& linear);

}  // namespace quantcore
