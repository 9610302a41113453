// PB-LLM's registry row (baselines-spec §3): per-linear Hessians from the driver, each linear
// partially binarised with GPTQ's compensation; fake-quant and dense exports only.
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "quantcore/io/errors.h"
#include "quantcore/methods/block_context.h"
#include "quantcore/methods/pbllm/pbllm.h"
#include "quantcore/methods/install_quantized.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/model/causal_lm.h"

namespace quantcore::methods::pbllm {

namespace {

PbllmOptions options_of(const MethodSettings& s) {
  PbllmOptions o;
  o.low_frac = s.real("low-frac");
  o.high_bits = static_cast<int>(s.integer("high-bit"));
  o.metric = salient_metric_of(s);
  o.group_size = s.integer("group-size");
  o.block_size = s.integer("block-size");
  o.percdamp = s.real("percdamp");
  o.compensate = !s.flag("no-compensation");
  return o;
}

// Binarised entries of one linear when nothing ties at θ: floor(numel · low_frac) + 1 per group.
int64_t untied_binarised(int64_t n, int64_t m, int64_t g, double low_frac) {
  int64_t binarised = 0;
  for (int64_t first = 0; first < m; first += g) {
    const int64_t numel = n * std::min(g, m - first);
    binarised += std::min(numel, static_cast<int64_t>(std::floor(static_cast<double>(numel) * low_frac)) + 1);
  }
  return binarised;
}

class PbllmMethod : public QuantMethod {
public:
  std::string_view name() const override { return kName; }
  std::string_view description() const override {
    return "PB-LLM (PB-GPTQ): the least salient weights binarised, the rest on a per-row high-bit grid, GPTQ "
           "compensation";
  }
  const std::vector<MethodParameter>& parameters() const override {
    using T = ParameterType;
    static const PbllmOptions d;
    static const std::vector<MethodParameter> p = {
        {"low-frac", T::Real, format_real(d.low_frac), "Fraction of the weights binarised (0.9: 10 % salient)", 0.0,
         1.0},
        {"high-bit", T::Integer, std::to_string(d.high_bits), "Bits of the salient weights' per-row grid", 1, 8},
        salient_metric_parameter(d.metric,
                                 "hessian W²/U_jj² or magnitude |W| (§3.2 step 3)"),
        {"group-size", T::Integer, std::to_string(d.group_size),
         "Input columns per mask and (μ, α) group; -1: the whole row", -1, 1e9},
        {"block-size", T::Integer, std::to_string(d.block_size), "Columns per lazy batch update", 1, 1e9},
        percdamp_parameter(d.percdamp),
        no_compensation_parameter(!d.compensate),
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
    if (s.real("low-frac") == 0.0)
      throw InputError(std::string(where),
                       "pbllm parameter low-frac must be above 0 (the official run.py's 0 means 'do not quantise')");
    if (s.integer("group-size") == 0)
      throw InputError(std::string(where), "pbllm parameter group-size must be -1 (the whole row) or positive");
  }
  std::optional<packed::FormatSettings> packed_settings(const MethodSettings&) const override { return std::nullopt; }
  DeclaredBits bits(const MethodSettings& s, int64_t n, int64_t m, int64_t) const override {
    const PbllmOptions o = options_of(s);
    const int64_t g = o.group_size < 0 ? m : std::min<int64_t>(m, o.group_size);
    return declared(o, n, m, g, untied_binarised(n, m, g, o.low_frac));
  }
  DeclaredBits bits_of(const MethodSettings& s, const QuantizedLinear& linear) const override {
    const auto* stored = dynamic_cast<const QuantizedPbllm*>(&linear);
    if (!stored) return QuantMethod::bits_of(s, linear);
    const PbllmLinear& q = stored->form();
    return declared(options_of(s), q.rows, q.cols, q.group_size, q.binarised_count());
  }
  QuantizedBlock quantize_block(BlockContext& ctx, const MethodSettings& s) const override {
    const PbllmOptions o = options_of(s);
    at::NoGradGuard no_grad;
    QuantizedBlock out;
    out.block = ctx.block;
    const NoticeSink notice = [&](const std::string& m) { ctx.events.notice(m); };
    for (const LinearShape& shape : block_linears(ctx.model.spec())) {
      const std::string where = "block " + std::to_string(ctx.block) + " " + shape.name;
      PbllmResult q = quantize_linear(ctx.model.linear_weight(ctx.block, shape.name), ctx.data.hessians.at(shape.name),
                                      o, where, notice, ctx.cancel);
      auto stored = std::make_shared<const QuantizedPbllm>(shape.name, std::move(q.stored));
      install_quantized(ctx.model, ctx.block, *stored);
      out.linears.push_back(std::move(stored));
    }
    return out;
  }

private:
  // Paper: its Eq. 3 (§3.4), 1 bit per binarised and high-bit per salient weight at the nominal
  // fraction plus the 1-bit bitmap: 2.7 at 10 % salient (BiLLM's tables print PB-LLM as 1.70,
  // the bitmap left out). Stored: every bit (§3.4 [derived]), for `binarised` binarised entries.
  static DeclaredBits declared(const PbllmOptions& o, int64_t n, int64_t m, int64_t g, int64_t binarised) {
    const double paper = o.low_frac + (1.0 - o.low_frac) * o.high_bits + 1.0;
    const int64_t groups = (m + g - 1) / g;
    return {paper, static_cast<double>(stored_bits(n, m, groups, o.high_bits, binarised)) / static_cast<double>(n * m)};
  }
};

}  // namespace

const QuantMethod& method() {
  static const PbllmMethod m;
  return m;
}

}  // namespace quantcore::methods::pbllm
