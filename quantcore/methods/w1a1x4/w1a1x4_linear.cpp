#include "quantcore/methods/w1a1x4/w1a1x4_linear.h"

#include <stdexcept>

#include "quantcore/pack/half_float.h"

namespace quantcore::methods::w1a1x4 {

namespace {

// One row-major [rows, cols] bitmap as bytes, each row padded to whole bytes, LSB first.
std::vector<uint8_t> pack_rows(const std::vector<bool>& bits, int64_t rows, int64_t cols) {
  const int64_t row_bytes = (cols + 7) / 8;
  std::vector<uint8_t> out(static_cast<size_t>(rows * row_bytes), 0);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      if (bits[static_cast<size_t>(i * cols + j)])
        out[static_cast<size_t>(i * row_bytes + j / 8)] |= static_cast<uint8_t>(1u << (j % 8));
  return out;
}

class QuantizedW1a1x4 : public QuantizedLinear {
public:
  QuantizedW1a1x4(std::string name, W1a1x4Linear q) : name_(std::move(name)), q_(std::move(q)) {}
  const std::string& linear() const override { return name_; }
  int64_t out_features() const override { return q_.rows; }
  int64_t in_features() const override { return q_.cols; }
  int64_t stored_bits() const override { return w1a1x4::stored_bits(q_); }
  std::vector<uint16_t> dequantize_f16() const override { return halves_of(dequantize(q_)); }
  void add_parameters(SafetensorsWriter& w, const std::string& prefix) const override {
    const std::vector<uint8_t> signs = pack_rows(q_.positive, q_.rows, q_.cols);
    const std::vector<uint8_t> select = pack_rows(q_.in_high, q_.rows, q_.cols);
    const std::vector<uint16_t> low = halves_of(q_.low), high = halves_of(q_.high);
    const std::vector<int64_t> bitmap_shape = {q_.rows, (q_.cols + 7) / 8};
    const std::vector<int64_t> scale_shape =
        q_.per_row ? std::vector<int64_t>{q_.rows, q_.groups()} : std::vector<int64_t>{q_.groups()};
    w.add(prefix + "signs", DType::U8, bitmap_shape, signs.data(), signs.size());
    w.add(prefix + "scale_select", DType::U8, bitmap_shape, select.data(), select.size());
    w.add(prefix + "scale_low", DType::F16, scale_shape, low.data(), low.size() * 2);
    w.add(prefix + "scale_high", DType::F16, scale_shape, high.data(), high.size() * 2);
    if (!q_.smoothing.empty()) {
      const std::vector<uint16_t> smoothing = halves_of(q_.smoothing);
      w.add(prefix + "input_smoothing", DType::F16, {q_.cols}, smoothing.data(), smoothing.size() * 2);
    }
  }
  InputQuantization input_quantization() const override { return {q_.activation_bits, q_.smoothing}; }
  nlohmann::json details() const override {
    nlohmann::json d = {{"group_size", q_.group_size}, {"per_row", q_.per_row}};
    if (q_.activation_bits > 0) {
      d["activation_bits"] = q_.activation_bits;
      d["smoothing_alpha"] = q_.smoothing_alpha;
      if (q_.output_error >= 0) d["output_error"] = q_.output_error;
    }
    return d;
  }

private:
  std::string name_;
  W1a1x4Linear q_;
};

}  // namespace

std::vector<float> dequantize(const W1a1x4Linear& q) {
  const size_t numel = static_cast<size_t>(q.rows * q.cols);
  if (q.positive.size() != numel || q.in_high.size() != numel)
    throw std::invalid_argument("w1a1x4: the bitmaps do not match the shape");
  if (!q.smoothing.empty() && static_cast<int64_t>(q.smoothing.size()) != q.cols)
    throw std::invalid_argument("w1a1x4: the smoothing does not match the columns");
  std::vector<float> w(numel);
  for (int64_t i = 0; i < q.rows; ++i)
    for (int64_t j = 0; j < q.cols; ++j) {
      const size_t at = static_cast<size_t>(i * q.cols + j), g = q.group_of(i, j);
      float s = q.in_high[at] ? q.high[g] : q.low[g];
      if (!q.smoothing.empty()) s /= q.smoothing[static_cast<size_t>(j)];
      w[at] = q.positive[at] ? s : -s;
    }
  return w;
}

int64_t stored_bits(int64_t rows, int64_t cols, int64_t group_size, bool per_row, bool smoothed) {
  const int64_t groups = (cols + group_size - 1) / group_size;
  return 2 * rows * cols + 2 * 16 * (per_row ? rows * groups : groups) + (smoothed ? 16 * cols : 0);
}

int64_t stored_bits(const W1a1x4Linear& q) {
  return static_cast<int64_t>(q.positive.size() + q.in_high.size()) +
         16 * static_cast<int64_t>(q.low.size() + q.high.size() + q.smoothing.size());
}

std::shared_ptr<const QuantizedLinear> make_quantized(std::string name, W1a1x4Linear q) {
  return std::make_shared<QuantizedW1a1x4>(std::move(name), std::move(q));
}

}  // namespace quantcore::methods::w1a1x4
