// The binarised stored form (BiLLM's and ARB-LLM's) as a run's QuantizedLinear.
#include "quantcore/methods/billm/binarized_linear.h"
#include "quantcore/pack/half_float.h"

namespace quantcore::methods::billm {

namespace {

class QuantizedBinarized : public QuantizedLinear {
public:
  QuantizedBinarized(std::string name, BinarizedLinear q, nlohmann::json details)
      : name_(std::move(name)), q_(std::move(q)), details_(std::move(details)) {}
  const std::string& linear() const override { return name_; }
  int64_t out_features() const override { return q_.rows; }
  int64_t in_features() const override { return q_.cols; }
  int64_t salient_columns() const override { return q_.salient_count(); }
  int64_t stored_bits() const override { return billm::stored_bits(q_); }
  std::vector<uint16_t> dequantize_f16() const override {
    return halves_of(dequantize(q_));
  }
  void add_parameters(SafetensorsWriter& w, const std::string& prefix) const override {
    const auto plane = [&](const std::string& field, const BitPlane& p) {
      if (p.size > 0)
        w.add(prefix + field, DType::U8, {static_cast<int64_t>(p.bytes.size())}, p.bytes.data(), p.bytes.size());
    };
    plane("salient_columns", q_.salient);
    plane("signs", q_.signs);
    plane("second_signs", q_.second_signs);
    plane("groups", q_.groups);
    w.add(prefix + "row_scalars", DType::F16, {q_.blocks(), q_.rows, q_.layout.scalars_per_row_block()},
          q_.row_scalars.data(), q_.row_scalars.size() * 2);
    if (!q_.column_scales.empty())
      w.add(prefix + "column_scales", DType::F16, {static_cast<int64_t>(q_.column_scales.size())},
            q_.column_scales.data(), q_.column_scales.size() * 2);
  }
  nlohmann::json details() const override {
    nlohmann::json d = details_;
    d["fit"] = fit_kind_name(q_.layout.kind);
    d["block_size"] = q_.layout.block_size;
    d["salient_per_block"] = q_.salient_per_block();
    d["paper_bits_per_weight"] = BinaryLayout::paper_bits_per_weight(q_.cols, static_cast<double>(q_.salient_count()));
    return d;
  }

private:
  std::string name_;
  BinarizedLinear q_;
  nlohmann::json details_;
};

}  // namespace

std::shared_ptr<const QuantizedLinear> make_quantized_binarized(std::string name, BinarizedLinear q,
                                                                nlohmann::json details) {
  return std::make_shared<QuantizedBinarized>(std::move(name), std::move(q), std::move(details));
}

}  // namespace quantcore::methods::billm
