// The integer grid (RTN's and GPTQ's stored form) as a run's QuantizedLinear.
#include "quantcore/methods/rtn/rtn.h"
#include "quantcore/pack/half_float.h"

namespace quantcore::methods::rtn {

namespace {

class QuantizedRtn : public QuantizedLinear {
public:
  QuantizedRtn(std::string name, RtnLinear q) : name_(std::move(name)), q_(std::move(q)) {}
  const std::string& linear() const override { return name_; }
  int64_t out_features() const override { return q_.rows; }
  int64_t in_features() const override { return q_.cols; }
  int64_t stored_bits() const override { return rtn::stored_bits(q_); }
  std::vector<uint16_t> dequantize_f16() const override {
    return halves_of(dequantize(q_));
  }
  void add_parameters(SafetensorsWriter& w, const std::string& prefix) const override {
    const int64_t groups = q_.groups();
    std::vector<uint16_t> scales(q_.scales.size());
    for (size_t i = 0; i < scales.size(); ++i) scales[i] = half_from_float(q_.scales[i]);
    w.add(prefix + "codes", DType::U32, {q_.rows, static_cast<int64_t>(q_.codes.size()) / q_.rows}, q_.codes.data(),
          q_.codes.size() * 4);
    w.add(prefix + "scale", DType::F16, {q_.rows, groups}, scales.data(), scales.size() * 2);
    w.add(prefix + "zero", DType::U8, {q_.rows, groups}, q_.zeros.data(), q_.zeros.size());
    if (!q_.group_index.empty())
      w.add(prefix + "group_index", DType::I32, {q_.cols}, q_.group_index.data(), q_.group_index.size() * 4);
  }
  nlohmann::json details() const override { return {{"group_size", q_.group_size}}; }

private:
  std::string name_;
  RtnLinear q_;
};

}  // namespace

std::shared_ptr<const QuantizedLinear> make_quantized_grid(std::string name, RtnLinear q) {
  return std::make_shared<QuantizedRtn>(std::move(name), std::move(q));
}

}  // namespace quantcore::methods::rtn
