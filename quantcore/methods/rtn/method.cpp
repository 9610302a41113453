// RTN's registry row: no calibration, every linear of a block quantised on its own.
#include <ATen/ATen.h>

#include <memory>

#include "quantcore/io/errors.h"
#include "quantcore/methods/block_context.h"
#include "quantcore/methods/install_quantized.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/methods/rtn/rtn.h"
#include "quantcore/model/add_tensor.h"
#include "quantcore/model/causal_lm.h"

namespace quantcore::methods::rtn {

namespace {

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
      auto q = make_quantized_grid(shape.name, quantize(w.data_ptr<float>(), w.size(0), w.size(1), bits, group));
      install_quantized(ctx.model, ctx.block, *q);
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
