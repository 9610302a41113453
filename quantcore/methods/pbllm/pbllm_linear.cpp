#include "quantcore/methods/pbllm/pbllm_linear.h"

#include <stdexcept>

#include "quantcore/pack/half_float.h"

namespace quantcore::methods::pbllm {

namespace {

// bits[begin, begin + count) as bytes, least significant bit first.
std::vector<uint8_t> pack_bits(const std::vector<bool>& bits, size_t begin, size_t count) {
  std::vector<uint8_t> out((count + 7) / 8, 0);
  for (size_t k = 0; k < count; ++k)
    if (bits[begin + k]) out[k / 8] |= static_cast<uint8_t>(1u << (k % 8));
  return out;
}

}  // namespace

std::vector<float> dequantize(const PbllmLinear& q) {
  const int64_t groups = q.groups();
  if (static_cast<int64_t>(q.binarised.size()) != q.rows * q.cols ||
      q.binarised_count() + q.salient_count() != q.rows * q.cols)
    throw std::invalid_argument("pbllm: the bitmap does not match the signs and codes");
  std::vector<float> w(static_cast<size_t>(q.rows * q.cols));
  size_t next_sign = 0, next_code = 0;
  for (int64_t i = 0; i < q.rows; ++i)
    for (int64_t j = 0; j < q.cols; ++j) {
      const size_t at = static_cast<size_t>(i * q.cols + j);
      if (q.binarised[at]) {
        const size_t g = static_cast<size_t>(i * groups + j / q.group_size);
        const float b = q.signs[next_sign++] ? 1.0f : -1.0f;
        w[at] = q.alpha[g] * b + q.mean[g];
      } else {
        const float code = static_cast<float>(q.codes[next_code++]);
        w[at] = q.scale[static_cast<size_t>(i)] * (code - q.zero[static_cast<size_t>(i)]);
      }
    }
  return w;
}

int64_t stored_bits(int64_t rows, int64_t cols, int64_t groups, int high_bits, int64_t binarised) {
  const int64_t weights = rows * cols;
  return weights + binarised + static_cast<int64_t>(high_bits) * (weights - binarised) +
         16 * (2 * rows * groups + 2 * rows);
}

int64_t stored_bits(const PbllmLinear& q) {
  const auto count = [](const auto& v) { return static_cast<int64_t>(v.size()); };
  return count(q.binarised) + count(q.signs) + static_cast<int64_t>(q.high_bits) * count(q.codes) +
         16 * (count(q.mean) + count(q.alpha) + count(q.scale) + count(q.zero));
}

std::vector<uint16_t> QuantizedPbllm::dequantize_f16() const { return halves_of(dequantize(q_)); }

void QuantizedPbllm::add_parameters(SafetensorsWriter& w, const std::string& prefix) const {
  const size_t row_bytes = static_cast<size_t>((q_.cols + 7) / 8);
  std::vector<uint8_t> bitmap;
  bitmap.reserve(static_cast<size_t>(q_.rows) * row_bytes);
  for (int64_t i = 0; i < q_.rows; ++i) {
    const std::vector<uint8_t> row =
        pack_bits(q_.binarised, static_cast<size_t>(i * q_.cols), static_cast<size_t>(q_.cols));
    bitmap.insert(bitmap.end(), row.begin(), row.end());
  }
  const std::vector<uint8_t> signs = pack_bits(q_.signs, 0, q_.signs.size());
  const std::vector<uint16_t> mean = halves_of(q_.mean), alpha = halves_of(q_.alpha);
  const std::vector<uint16_t> scale = halves_of(q_.scale), zero = halves_of(q_.zero);
  w.add(prefix + "binarised", DType::U8, {q_.rows, static_cast<int64_t>(row_bytes)}, bitmap.data(), bitmap.size());
  w.add(prefix + "signs", DType::U8, {static_cast<int64_t>(signs.size())}, signs.data(), signs.size());
  w.add(prefix + "codes", DType::U8, {q_.salient_count()}, q_.codes.data(), q_.codes.size());
  w.add(prefix + "mean", DType::F16, {q_.rows, q_.groups()}, mean.data(), mean.size() * 2);
  w.add(prefix + "alpha", DType::F16, {q_.rows, q_.groups()}, alpha.data(), alpha.size() * 2);
  w.add(prefix + "scale", DType::F16, {q_.rows}, scale.data(), scale.size() * 2);
  w.add(prefix + "zero", DType::F16, {q_.rows}, zero.data(), zero.size() * 2);
}

nlohmann::json QuantizedPbllm::details() const {
  return {{"group_size", q_.group_size},
          {"binarised_weights", q_.binarised_count()},
          {"salient_weights", q_.salient_count()}};
}

}  // namespace quantcore::methods::pbllm
