// W(1+1)A(1×4)'s registry row (baselines-spec §1.3, reconstructed: the official code could not be
// obtained): the weight side, and with act-bits the per-token input quantisation with its
// error-based smoothing. Needs the Hessians' diagonals only; fake-quant and dense
// exports only.
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <map>
#include <string>
#include <memory>
#include <vector>

#include "quantcore/calib/linear_inputs.h"
#include "quantcore/io/errors.h"
#include "quantcore/methods/block_context.h"
#include "quantcore/methods/install_quantized.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/methods/w1a1x4/input_smoothing.h"
#include "quantcore/methods/w1a1x4/w1a1x4.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/model/tensor_from_view.h"

namespace quantcore::methods::w1a1x4 {

namespace {

W1a1x4Options options_of(const MethodSettings& s) {
  W1a1x4Options o;
  o.group_size = s.integer("group-size");
  o.per_row = s.flag("per-row");
  o.em_iterations = static_cast<int>(s.integer("em-iterations"));
  o.activation_bits = static_cast<int>(s.integer("act-bits"));
  o.smooth_alpha = s.real("smooth-alpha");
  o.smooth_tokens = s.integer("smooth-tokens");
  return o;
}

class W1a1x4Method : public QuantMethod {
public:
  std::string_view name() const override { return kName; }
  std::string_view description() const override {
    return "W(1+1)A(1x4), RECONSTRUCTED (official code unavailable): sign + Hessian-weighted 2-means scale select "
           "per column group; act-bits=4 adds per-token INT4 inputs with error-based smoothing";
  }
  const std::vector<MethodParameter>& parameters() const override {
    using T = ParameterType;
    static const W1a1x4Options d;
    static const std::vector<MethodParameter> p = {
        {"group-size", T::Integer, std::to_string(d.group_size),
         "Contiguous input columns per scale pair; -1: one group over all columns", -1, 1e9},
        {"per-row", T::Flag, flag_text(d.per_row), "A scale pair per (row, group) instead of per group"},
        {"em-iterations", T::Integer, std::to_string(d.em_iterations), "Most M+E rounds of the 2-means per group", 1,
         1000},
        {"act-bits", T::Integer, std::to_string(d.activation_bits),
         "Bits of every linear's input, quantised per token at evaluation (4: A(1x4)); 0: weights only", 0, 8},
        {"smooth-alpha", T::Real, format_real(d.smooth_alpha),
         "With act-bits: the SmoothQuant migration strength; -1: chosen per linear by output error", -1, 1},
        {"smooth-tokens", T::Integer, std::to_string(d.smooth_tokens),
         "With act-bits: calibration tokens the error-based choice measures on", 1, 1e7},
    };
    return p;
  }
  MethodNeeds needs(const MethodSettings&) const override {
    MethodNeeds n;
    n.calibration = true;
    n.hessian_diagonal = true;  // h_j = Σ_t x_tj² (up to scale) weighs the 2-means (§1.3 step 1)
    return n;
  }
  void check(const MethodSettings& s, std::string_view where) const override {
    if (s.integer("group-size") == 0)
      throw InputError(std::string(where), "w1a1x4 parameter group-size must be -1 (all columns) or positive");
    if (s.integer("act-bits") == 1)
      throw InputError(std::string(where), "w1a1x4 parameter act-bits must be 0 (weights only) or 2..8");
    const double alpha = s.real("smooth-alpha");
    if (alpha < 0 && alpha != -1)
      throw InputError(std::string(where), "w1a1x4 parameter smooth-alpha must be -1 (search) or in [0, 1]");
  }
  std::optional<packed::FormatSettings> packed_settings(const MethodSettings&) const override { return std::nullopt; }
  DeclaredBits bits(const MethodSettings& s, int64_t n, int64_t m, int64_t) const override {
    // §1.2: the paper counts 1 sign + 1 group-select bit; stored adds the fp16 scale pairs.
    const W1a1x4Options o = options_of(s);
    const int64_t g = o.group_size < 0 ? m : std::min<int64_t>(m, o.group_size);
    return {2.0, static_cast<double>(stored_bits(n, m, g, o.per_row, o.activation_bits > 0)) /
                     static_cast<double>(n * m)};
  }
  QuantizedBlock quantize_block(BlockContext& ctx, const MethodSettings& s) const override {
    const W1a1x4Options o = options_of(s);
    at::NoGradGuard no_grad;
    std::map<std::string, at::Tensor> inputs;
    if (o.activation_bits > 0)
      inputs = collect_block_inputs(ctx.model, ctx.block, ctx.data.input, o.smooth_tokens, ctx.cancel);
    QuantizedBlock out;
    out.block = ctx.block;
    for (const LinearShape& shape : block_linears(ctx.model.spec())) {
      ctx.cancel.throw_if_requested();
      const at::Tensor& weight = ctx.model.linear_weight(ctx.block, shape.name);
      const std::vector<float> h = host_floats(ctx.data.hessian_diagonals.at(shape.name));
      std::shared_ptr<const QuantizedLinear> stored;
      if (o.activation_bits > 0) {
        stored = make_quantized(shape.name, fit_smoothed(weight.to(at::kFloat), h, inputs.at(shape.name), o));
      } else {
        const std::vector<float> w = host_floats(weight);
        stored = make_quantized(shape.name, quantize(w.data(), shape.out_features, shape.in_features, h.data(), o));
      }
      install_quantized(ctx.model, ctx.block, *stored);
      out.linears.push_back(std::move(stored));
    }
    return out;
  }
};

}  // namespace

const QuantMethod& method() {
  static const W1a1x4Method m;
  return m;
}

}  // namespace quantcore::methods::w1a1x4
