#include "quantcore/methods/rtn/rtn.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "quantcore/pack/half_float.h"

namespace quantcore::methods::rtn {

namespace {

uint8_t code_at(const uint32_t* row, int64_t j, int bits) {
  const int64_t bit = j * bits;
  uint64_t v = row[bit / 32] >> (bit % 32);
  if (bit % 32 + bits > 32) v |= static_cast<uint64_t>(row[bit / 32 + 1]) << (32 - bit % 32);
  return static_cast<uint8_t>(v & ((1u << bits) - 1));
}

}  // namespace

// Codes of any width 1..8 bits, packed row by row into 32-bit words, a code may straddle two
// words (GPTQ packs 3-bit codes the same way: 32 codes in 3 words).
std::vector<uint32_t> pack_codes(const std::vector<uint8_t>& codes, int64_t rows, int64_t cols, int bits) {
  const int64_t words = words_per_code_row(cols, bits);
  std::vector<uint32_t> out(static_cast<size_t>(rows * words), 0);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      const uint64_t v = codes[static_cast<size_t>(i * cols + j)];
      const int64_t bit = j * bits;
      uint32_t* row = out.data() + i * words;
      row[bit / 32] |= static_cast<uint32_t>(v << (bit % 32));
      if (bit % 32 + bits > 32) row[bit / 32 + 1] |= static_cast<uint32_t>(v >> (32 - bit % 32));
    }
  return out;
}

int64_t words_per_code_row(int64_t cols, int bits) { return (cols * bits + 31) / 32; }

RtnLinear quantize(const float* w, int64_t rows, int64_t cols, int bits, int64_t group_size) {
  if (rows <= 0 || cols <= 0) throw std::invalid_argument("rtn: empty weight");
  if (bits < 1 || bits > 8) throw std::invalid_argument("rtn: bits must be in [1, 8]");
  if (group_size == 0 || group_size < -1) throw std::invalid_argument("rtn: group size must be -1 or positive");
  RtnLinear q;
  q.rows = rows;
  q.cols = cols;
  q.bits = bits;
  q.group_size = group_size < 0 || group_size > cols ? cols : group_size;
  const int64_t groups = q.groups();
  const float maxq = static_cast<float>((1 << bits) - 1);
  std::vector<uint8_t> codes(static_cast<size_t>(rows * cols));
  q.scales.resize(static_cast<size_t>(rows * groups));
  q.zeros.resize(static_cast<size_t>(rows * groups));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t begin = g * q.group_size, end = std::min(cols, begin + q.group_size);
      const float* row = w + i * cols;
      float lo = 0, hi = 0;
      for (int64_t j = begin; j < end; ++j) {
        lo = std::min(lo, row[j]);
        hi = std::max(hi, row[j]);
      }
      if (lo == 0 && hi == 0) lo = -1, hi = 1;
      // The reference's codes from the fp32 scale; the stored scale is its fp16 rounding.
      const float scale = (hi - lo) / maxq;
      const float zero = std::clamp(std::nearbyint(-lo / scale), 0.0f, maxq);
      q.scales[static_cast<size_t>(i * groups + g)] = round_to_half(scale);
      q.zeros[static_cast<size_t>(i * groups + g)] = static_cast<uint8_t>(zero);
      for (int64_t j = begin; j < end; ++j)
        codes[static_cast<size_t>(i * cols + j)] =
            static_cast<uint8_t>(std::clamp(std::nearbyint(row[j] / scale) + zero, 0.0f, maxq));
    }
  }
  q.codes = pack_codes(codes, rows, cols, bits);
  return q;
}

std::vector<float> dequantize(const RtnLinear& q) {
  const int64_t groups = q.groups(), words = words_per_code_row(q.cols, q.bits);
  std::vector<float> w(static_cast<size_t>(q.rows * q.cols));
  for (int64_t i = 0; i < q.rows; ++i)
    for (int64_t j = 0; j < q.cols; ++j) {
      const size_t g = static_cast<size_t>(i * groups + q.group_of(j));
      const float code = static_cast<float>(code_at(q.codes.data() + i * words, j, q.bits));
      w[static_cast<size_t>(i * q.cols + j)] = q.scales[g] * (code - static_cast<float>(q.zeros[g]));
    }
  return w;
}

int64_t stored_bits(const RtnLinear& q) {
  return q.rows * q.cols * q.bits + static_cast<int64_t>(q.scales.size()) * 16 +
         static_cast<int64_t>(q.zeros.size()) * q.bits + static_cast<int64_t>(q.group_index.size()) * 32;
}

}  // namespace quantcore::methods::rtn
