// GPTQ's registry row: per-linear Hessians from the driver, each linear quantised with error
// compensation (baselines-spec §4.2); the stored form is RTN's integer grid.
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <map>
#include <memory>

#include "quantcore/calib/linear_hessian.h"
#include "quantcore/io/errors.h"
#include "quantcore/methods/block_context.h"
#include "quantcore/methods/gptq/gptq.h"
#include "quantcore/methods/install_quantized.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/model/causal_lm.h"

namespace quantcore::methods::gptq {

namespace {

GptqOptions options_of(const MethodSettings& s) {
  GptqOptions o;
  o.bits = static_cast<int>(s.integer("bits"));
  o.group_size = s.integer("group-size");
  o.act_order = s.flag("act-order");
  o.static_groups = s.flag("static-groups");
  o.symmetric = s.flag("sym");
  o.block_size = s.integer("block-size");
  o.percdamp = s.real("percdamp");
  o.true_sequential = s.flag("true-sequential");
  return o;
}

class GptqMethod : public QuantMethod {
public:
  std::string_view name() const override { return kName; }
  std::string_view description() const override {
    return "GPTQ: integer grid per row or group, column errors compensated through the inverse Hessian";
  }
  const std::vector<MethodParameter>& parameters() const override {
    using T = ParameterType;
    static const GptqOptions d;
    static const std::vector<MethodParameter> p = {
        {"bits", T::Integer, std::to_string(d.bits), "Bits per weight", 1, 8},
        {"group-size", T::Integer, std::to_string(d.group_size),
         "Input columns per (scale, zero) group; -1: one per row", -1, 1e9},
        {"act-order", T::Flag, flag_text(d.act_order), "Quantise columns in descending diag(H) (§4.2 step 4)"},
        {"static-groups", T::Flag, flag_text(d.static_groups),
         "Groups fitted up front on the original columns (no per-column group index with act-order)"},
        {"sym", T::Flag, flag_text(d.symmetric), "Symmetric grid (zero point 2^(b-1))"},
        {"block-size", T::Integer, std::to_string(d.block_size), "Columns per lazy batch update", 1, 1e9},
        percdamp_parameter(d.percdamp),
        {"true-sequential", T::Flag, flag_text(d.true_sequential),
         "Re-collect H after each sub-layer group ({q,k,v}, {o}, {gate,up}, {down})"},
    };
    return p;
  }
  MethodNeeds needs(const MethodSettings&) const override {
    MethodNeeds n;
    n.calibration = true;
    n.hessian = true;
    return n;
  }
  void check(const MethodSettings& s, std::string_view where) const override {
    if (s.integer("group-size") == 0)
      throw InputError(std::string(where), "gptq parameter group-size must be -1 (one group per row) or positive");
  }
  std::optional<packed::FormatSettings> packed_settings(const MethodSettings&) const override { return std::nullopt; }
  DeclaredBits bits(const MethodSettings& s, int64_t n, int64_t m, int64_t) const override {
    // §4.4: b bits + per group an fp16 scale and a b-bit zero point; act-order with dynamic
    // groups also stores each column's group (32 bits per column).
    const GptqOptions o = options_of(s);
    const double b = o.bits;
    const int64_t g = o.group_size < 0 ? m : std::min<int64_t>(m, o.group_size);
    const double groups = static_cast<double>((m + g - 1) / g);
    const bool indexed = g < m && o.act_order && !o.static_groups;
    return {b, b + groups * (16 + b) / static_cast<double>(m) + (indexed ? 32.0 / static_cast<double>(n) : 0.0)};
  }
  QuantizedBlock quantize_block(BlockContext& ctx, const MethodSettings& s) const override {
    const GptqOptions o = options_of(s);
    at::NoGradGuard no_grad;
    QuantizedBlock out;
    out.block = ctx.block;
    std::map<std::string, at::Tensor> hessians = ctx.data.hessians;
    const at::Tensor* previous = nullptr;
    const NoticeSink notice = [&](const std::string& m) { ctx.events.notice(m); };
    for (const LinearShape& shape : block_linears(ctx.model.spec())) {
      const at::Tensor& h = ctx.data.hessians.at(shape.name);
      // A new input group starts where the driver's Hessians stop being shared (§0.2).
      if (o.true_sequential && previous && !h.is_same(*previous))
        hessians = collect_block_hessians(ctx.model, ctx.block, ctx.data.input, ctx.cancel);
      previous = &h;
      const std::string where = "block " + std::to_string(ctx.block) + " " + shape.name;
      GptqLinear q = quantize_linear(ctx.model.linear_weight(ctx.block, shape.name), hessians.at(shape.name), o, where,
                                     notice, ctx.cancel);
      auto stored = rtn::make_quantized_grid(shape.name, std::move(q.grid));
      install_quantized(ctx.model, ctx.block, *stored);
      out.linears.push_back(std::move(stored));
    }
    return out;
  }
};

}  // namespace

const QuantMethod& method() {
  static const GptqMethod m;
  return m;
}

}  // namespace quantcore::methods::gptq
