#pragma once
// PB-LLM's stored form of one linear W[n, m] (baselines-spec §3.3, §3.4): a bitmap of the
// binarised entries, one sign bit per binarised entry, a high-bit code per salient entry, per
// (row, group) the binariser's (μ, α) and per row the salient grid's (s, z), all in fp16.
// Torch-free.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "quantcore/methods/quantized_linear.h"

namespace quantcore::methods::pbllm {

// W'_ij = binarised_ij ? mean_ig + alpha_ig * (sign ? +1 : -1) : scale_i * (code - zero_i),
// g = j / group_size. signs and codes are in row-major order of their entries.
struct PbllmLinear {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t group_size = 0;  // columns per binariser group; = cols for one group per row
  int high_bits = 8;
  std::vector<bool> binarised;     // [rows * cols] bitmap
  std::vector<bool> signs;         // one per binarised entry: true = +1
  std::vector<uint8_t> codes;      // one per salient entry, each < 2^high_bits
  std::vector<float> mean, alpha;  // [rows, groups], each fp16-representable
  std::vector<float> scale, zero;  // [rows], fp16-representable (zero is an integer)

  int64_t groups() const { return (cols + group_size - 1) / group_size; }
  int64_t binarised_count() const { return static_cast<int64_t>(signs.size()); }
  int64_t salient_count() const { return static_cast<int64_t>(codes.size()); }
};

// fp32 W' [rows, cols], row-major.
std::vector<float> dequantize(const PbllmLinear& q);

// §3.4 [derived]: bitmap + sign bits + high-bit codes + 16 bits per stored scalar, for a linear
// with `binarised` binarised entries.
int64_t stored_bits(int64_t rows, int64_t cols, int64_t groups, int high_bits, int64_t binarised);
int64_t stored_bits(const PbllmLinear& q);  // the same, counted from q's own data

// The run's stored form of block linear `name`; the method's accounting reads form() from it.
class QuantizedPbllm : public QuantizedLinear {
public:
  QuantizedPbllm(std::string name, PbllmLinear q) : name_(std::move(name)), q_(std::move(q)) {}
  const PbllmLinear& form() const { return q_; }
  const std::string& linear() const override { return name_; }
  int64_t out_features() const override { return q_.rows; }
  int64_t in_features() const override { return q_.cols; }
  int64_t stored_bits() const override { return pbllm::stored_bits(q_); }
  std::vector<uint16_t> dequantize_f16() const override;
  void add_parameters(SafetensorsWriter& writer, const std::string& prefix) const override;
  nlohmann::json details() const override;

private:
  std::string name_;
  PbllmLinear q_;
};

}  // namespace quantcore::methods::pbllm
