// PTQ1.61's registry row: its parameters (the CLI's options, the Studio's form), what it needs,
// its bits (spec §7) and one block through the block optimiser (spec §2-§5).
#include "quantcore/methods/ptq161/method.h"

#include <charconv>
#include <memory>
#include <stdexcept>

#include "quantcore/io/errors.h"
#include "quantcore/methods/block_context.h"
#include "quantcore/methods/ptq161/block_optimizer.h"
#include "quantcore/methods/ptq161/quantized.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/pack/bits_accounting.h"
#include "quantcore/pack/packed_format.h"

namespace quantcore::methods::ptq161 {

namespace {

std::vector<MethodParameter> make_parameters() {
  using T = ParameterType;
  const Ptq161Options d;
  return {
      {"salient-ratio", T::Real, format_real(d.salient_ratio), "Fraction of salient input channels (§2.2)", 0.0, 1.0},
      {"salient-bits", T::Integer, std::to_string(d.salient_bits), "Bits of the salient weights (§3)", 1, 8},
      {"epochs", T::Integer, std::to_string(d.epochs), "Training epochs per block (§5.2)", 0, 1e9},
      {"lr-alpha", T::Real, format_real(d.lr_alpha), "Learning rate of alpha (§5.2)", 0.0, 1e3},
      {"lr-r", T::Real, format_real(d.lr_r), "Learning rate of r1, r2 (§5.2)", 0.0, 1e3},
      {"mask-stat",
       T::Choice,
       mask_statistic_name(d.mask_statistic),
       "Salient channel statistic (§2.1)",
       0,
       0,
       {"max", "mean", "none"}},
      {"no-learn", T::Flag, flag_text(!d.learn), "Analytic alpha, r1 = r2 = 1, no training"},
      {"loss", T::Choice, d.loss.quantized_branch ? "both" : "fp-only", "Loss terms (§5.1)", 0, 0, {"both", "fp-only"}},
      {"no-nlc", T::Flag, flag_text(!d.loss.nlc), "MSE terms only (§5.1)"},
      {"paper",
       T::List,
       "",
       "Follow the paper instead of the official code (spec §11): no-mean (D2), alpha-l1 (D6), l2-distance (D3), all",
       0,
       0,
       {"no-mean", "alpha-l1", "l2-distance", "all"}},
      {"vector-dtype",
       T::Choice,
       vector_dtype_name(d.vector_dtype),
       "Stored width of the vectors a, c, r2, scale, zero",
       0,
       0,
       {"fp16", "fp32"}},
  };
}

BitsOptions bits_options(const Ptq161Options& o) {
  BitsOptions b;
  b.salient_bits = o.salient_bits;
  b.vector_bits = o.vector_dtype == VectorDType::F16 ? 16 : 32;
  return b;
}

class Ptq161Method : public QuantMethod {
public:
  std::string_view name() const override { return kName; }
  std::string_view description() const override {
    return "PTQ1.61: 4-bit salient input channels by a structured activation mask, the rest binarised with "
           "learnable scales optimised block by block";
  }
  const std::vector<MethodParameter>& parameters() const override {
    static const std::vector<MethodParameter> p = make_parameters();
    return p;
  }
  MethodNeeds needs(const MethodSettings& s) const override {
    const Ptq161Options o = options_from(s);
    MethodNeeds n;
    n.calibration = true;
    n.activation_stats = true;
    n.block_optimisation = o.trains();
    n.fp_target = o.trains();
    n.quantized_target = o.trains() && o.loss.quantized_branch;
    return n;
  }
  std::optional<packed::FormatSettings> packed_settings(const MethodSettings& s) const override {
    const Ptq161Options o = options_from(s);
    packed::FormatSettings f;
    f.method = std::string(kName);
    f.vector_dtype = o.vector_dtype;
    f.salient_bits = o.salient_bits;
    f.code_bits = o.salient_bits <= 4 ? 4 : 8;  // as stored_linear packs the codes
    return f;
  }
  DeclaredBits bits(const MethodSettings& s, int64_t n, int64_t m, int64_t k) const override {
    const LayerBits b = layer_bits(quantcore::QuantizedLinear{{"", n, m}, k}, bits_options(options_from(s)));
    return {b.paper.bits_per_weight, b.bits_per_weight};
  }
  int64_t steps_per_block(const MethodSettings& s, int64_t samples) const override {
    const Ptq161Options o = options_from(s);
    return o.trains() ? o.epochs * samples : 0;
  }
  QuantizedBlock quantize_block(BlockContext& ctx, const MethodSettings& s) const override {
    if (!ctx.stats) throw std::logic_error("ptq161: the block driver gave no activation statistics");
    Ptq161Options o = options_from(s);
    o.fused_ops = ctx.model.fused_ops();
    BlockQuantization q =
        optimize_block(ctx.model, ctx.block, ctx.data, *ctx.stats, o, ctx.events, ctx.progress, ctx.cancel);
    QuantizedBlock out;
    out.block = q.block;
    for (LinearQuantization& l : q.linears)
      out.linears.push_back(std::make_shared<Ptq161Linear>(std::move(l), o.salient_bits));
    return out;
  }
};

}  // namespace

MaskStatistic parse_mask_statistic(const std::string& name) {
  if (name == "max") return MaskStatistic::MaxAbs;
  if (name == "mean") return MaskStatistic::MeanAbs;
  if (name == "none") return MaskStatistic::None;
  throw std::invalid_argument("unknown mask statistic " + name);
}

const char* mask_statistic_name(MaskStatistic s) {
  switch (s) {
    case MaskStatistic::MaxAbs: return "max";
    case MaskStatistic::MeanAbs: return "mean";
    case MaskStatistic::None: return "none";
  }
  return "?";
}

const QuantMethod& method() {
  static const Ptq161Method m;
  return m;
}

Ptq161Options options_from(const MethodSettings& s) {
  Ptq161Options o;
  o.salient_ratio = s.real("salient-ratio");
  o.salient_bits = static_cast<int>(s.integer("salient-bits"));
  o.epochs = s.integer("epochs");
  o.lr_alpha = s.real("lr-alpha");
  o.lr_r = s.real("lr-r");
  o.mask_statistic = parse_mask_statistic(s.choice("mask-stat"));
  o.learn = !s.flag("no-learn");
  o.loss.quantized_branch = s.choice("loss") == "both";
  o.loss.nlc = !s.flag("no-nlc");
  for (const std::string& n : s.list("paper")) {
    const bool all = n == "all";
    if (all || n == "no-mean") o.paper.no_mean = true;
    if (all || n == "alpha-l1") o.paper.alpha_all = true;
    if (all || n == "l2-distance") o.loss.l2_distance = true;
  }
  o.vector_dtype = s.choice("vector-dtype") == "fp32" ? VectorDType::F32 : VectorDType::F16;
  return o;
}

MethodSettings settings_from(const Ptq161Options& o) {
  MethodSettings s(method());
  const std::string_view where = "ptq161 options";
  s.set("salient-ratio", format_real(o.salient_ratio), where);
  s.set("salient-bits", std::to_string(o.salient_bits), where);
  s.set("epochs", std::to_string(o.epochs), where);
  s.set("lr-alpha", format_real(o.lr_alpha), where);
  s.set("lr-r", format_real(o.lr_r), where);
  s.set("mask-stat", mask_statistic_name(o.mask_statistic), where);
  s.set("no-learn", flag_text(!o.learn), where);
  s.set("loss", o.loss.quantized_branch ? "both" : "fp-only", where);
  s.set("no-nlc", flag_text(!o.loss.nlc), where);
  std::string paper;
  for (auto [on, n] : {std::pair{o.paper.no_mean, "no-mean"}, std::pair{o.paper.alpha_all, "alpha-l1"},
                       std::pair{o.loss.l2_distance, "l2-distance"}})
    if (on) paper += (paper.empty() ? "" : ",") + std::string(n);
  s.set("paper", paper, where);
  s.set("vector-dtype", vector_dtype_name(o.vector_dtype), where);
  return s;
}

}  // namespace quantcore::methods::ptq161
