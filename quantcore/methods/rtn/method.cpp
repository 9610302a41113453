// RTN's registry row: no calibration, every linear of a block quantised on its own.
#include <ATen/ATen.h>

#include <memory>

#include "quantcore/io/errors.h"
#include "quantcore/methods/block_context.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/methods/rtn/rtn.h"
#include "quantcore/model/add_tensor.h"
#include "quantcore/model/causal_lm.h"
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
    const std::vector<float> w = dequantize(q_);
    std::vector<uint16_t> out(w.size());
    for (size_t i = 0; i < w.size(); ++i) out[i] = half_from_float(w[i]);
    return out;
  }
  void add_parameters(SafetensorsWriter& w, const std::string& prefix) const override {
    const int64_t groups = q_.groups();
    std::vector<uint16_t> scales(q_.scales.size());
    for (size_t i = 0; i < scales.size(); ++i) scales[i] = half_from_float(q_.scales[i]);
    w.add(prefix + "codes", DType::U32, {q_.rows, static_cast<int64_t>(q_.codes.size()) / q_.rows}, q_.codes.data(),
          q_.codes.size() * 4);
    w.add(prefix + "scale", DType::F16, {q_.rows, groups}, scales.data(), scales.size() * 2);
    w.add(prefix + "zero", DType::U8, {q_.rows, groups}, q_.zeros.data(), q_.zeros.size());
  }
  nlohmann::json details() const override { return {{"group_size", q_.group_size}}; }

private:
  std::string name_;
  RtnLinear q_;
};

class RtnMethod : public QuantMethod {
public:
  std::string_view name() const override { return kName; }
  std::string_view description() const override {
    return "Round to nearest: asymmetric min/max per output row, or per group of input columns (no calibration)";
  }
  const std::vector<MethodParameter>& parameters() const override {
    static const std::vector<MethodParameter> p = {
        {"bits", ParameterType::Integer, "4", "Bits per weight", 1, 8},
        {"group-size", ParameterType::Integer, "-1", "Input columns per (scale, zero) group; -1: one per row", -1, 1e9},
    };
    return p;
  }
  MethodNeeds needs(const MethodSettings&) const override { return {}; }
  void check(const MethodSettings& s, std::string_view where) const override {
    if (s.integer("group-size") == 0)
      throw InputError(std::string(where), "rtn parameter group-size must be -1 (one group per row) or positive");
  }
  std::optional<packed::FormatSettings> packed_settings(const MethodSettings&) const override { return std::nullopt; }
  DeclaredBits bits(const MethodSettings& s, int64_t n, int64_t m, int64_t) const override {
    // baselines-spec §4.4: b bits + per group an fp16 scale and a b-bit zero point.
    const double b = static_cast<double>(s.integer("bits"));
    const int64_t g = s.integer("group-size") < 0 ? m : std::min<int64_t>(m, s.integer("group-size"));
    const double groups = static_cast<double>((m + g - 1) / g);
    return {b, b + groups * (16 + b) / static_cast<double>(m)};
  }
  QuantizedBlock quantize_block(BlockContext& ctx, const MethodSettings& s) const override {
    QuantizedBlock out;
    out.block = ctx.block;
    const int bits = static_cast<int>(s.integer("bits"));
    const int64_t group = s.integer("group-size");
    for (const LinearShape& shape : block_linears(ctx.model.spec())) {
      ctx.cancel.throw_if_requested();
      const at::Tensor w =
          ctx.model.linear_weight(ctx.block, shape.name).detach().to(at::kCPU, at::kFloat).contiguous();
      auto q =
          std::make_shared<QuantizedRtn>(shape.name, quantize(w.data_ptr<float>(), w.size(0), w.size(1), bits, group));
      std::vector<uint16_t> dense = q->dequantize_f16();
      ctx.model.set_linear_weight(ctx.block, shape.name, at::from_blob(dense.data(), w.sizes(), at::kHalf).clone());
      out.linears.push_back(std::move(q));
    }
    return out;
  }
};

}  // namespace

const QuantMethod& method() {
  static const RtnMethod m;
  return m;
}

}  // namespace quantcore::methods::rtn
