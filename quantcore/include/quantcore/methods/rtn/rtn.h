#pragma once
// Round-to-nearest (baselines-spec §4.1, §4.3): asymmetric min/max per output row, or per group
// of `group_size` consecutive input columns. Its stored form, the integer grid, is GPTQ's too.
// Torch-free.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quantcore/methods/quantized_linear.h"

namespace quantcore::methods::rtn {

inline constexpr std::string_view kName = "rtn";

// The stored form: b-bit codes packed row by row (words_per_code_row words a row, codes may
// straddle words) and per (row, group) an fp16 scale and a b-bit zero point.
// W'_ij = scale_ig * (Q_ij - zero_ig), g = j / group_size, or g = group_index[j] where a
// column's group is not its position's (GPTQ's act-order with groups, baselines-spec §4.2).
struct RtnLinear {
  int64_t rows = 0;
  int64_t cols = 0;
  int bits = 4;
  int64_t group_size = 0;            // columns per group; = cols for per-row quantisation
  std::vector<uint32_t> codes;       // rows x words_per_row(cols, bits)
  std::vector<float> scales;         // [rows, groups], each fp16-representable
  std::vector<uint8_t> zeros;        // [rows, groups], in [0, 2^bits - 1]
  std::vector<int32_t> group_index;  // [cols] or empty (g = j / group_size)

  int64_t groups() const { return (cols + group_size - 1) / group_size; }
  int64_t group_of(int64_t col) const {
    return group_index.empty() ? col / group_size : group_index[static_cast<size_t>(col)];
  }
};

int64_t words_per_code_row(int64_t cols, int bits);
// Codes [rows, cols] row-major (each < 2^bits) packed as RtnLinear::codes holds them.
std::vector<uint32_t> pack_codes(const std::vector<uint8_t>& codes, int64_t rows, int64_t cols, int bits);

// `weight`: [rows, cols] row-major. group_size -1 (or >= cols): one group per row.
// §4.1: lo = min(min(x), 0), hi = max(max(x), 0) over the group (lo = -1, hi = 1 when both are 0),
// s = (hi - lo) / (2^b - 1), z = round(-lo / s), Q = clamp(round(w / s) + z, 0, 2^b - 1) in fp32
// as the reference computes them; s is stored rounded to fp16 (§4.4's 16-bit scale).
RtnLinear quantize(const float* weight, int64_t rows, int64_t cols, int bits, int64_t group_size);

// fp32 W' [rows, cols], row-major.
std::vector<float> dequantize(const RtnLinear& q);

// Every stored bit: codes, fp16 scales, b-bit zero points and a 32-bit group index per column
// where there is one.
int64_t stored_bits(const RtnLinear& q);

// The grid as a run's stored form of block linear `name` (codes, scale, zero and group_index
// into quantization.safetensors).
std::shared_ptr<const QuantizedLinear> make_quantized_grid(std::string name, RtnLinear q);

}  // namespace quantcore::methods::rtn
