// ARB-LLM's registry row: per-linear Hessians from the driver, BiLLM's partition per 128-column
// block with ARB's refined fits, block-wise compensation (baselines-spec §7.3); the binarised
// stored form with ARB's scalars (§7.5).
#include "quantcore/io/errors.h"
#include "quantcore/methods/arbllm/arbllm.h"
#include "quantcore/methods/billm/binarized_block.h"
#include "quantcore/methods/quant_method.h"

namespace quantcore::methods::arbllm {

namespace {

ArbllmOptions options_of(const MethodSettings& s) {
  ArbllmOptions o;
  o.variant = *variant_from_name(s.choice("variant"));
  o.cgb = s.flag("cgb");
  o.iterations = static_cast<int>(s.integer("iterations"));
  o.num_p = s.integer("num-p");
  o.block_size = s.integer("block-size");
  o.structure.metric = salient_metric_of(s);
  o.percdamp = s.real("percdamp");
  o.compensate = !s.flag("no-compensation");
  return o;
}

class ArbllmMethod : public QuantMethod {
public:
  std::string_view name() const override { return kName; }
  std::string_view description() const override {
    return "ARB-LLM: BiLLM's salient and split zones binarised by alternating refinement (arb, arb-x on the "
           "inputs, arb-rc with row and column scales), block-wise inverse-Hessian compensation";
  }
  const std::vector<MethodParameter>& parameters() const override {
    using T = ParameterType;
    static const ArbllmOptions d;
    static const std::vector<MethodParameter> p = {
        {"variant",
         T::Choice,
         variant_name(d.variant),
         "Zone fits (§7.2): arb (mean), arb-x (also refined on e S eᵀ of the calibration inputs), arb-rc (row "
         "and column scales, no mean)",
         0,
         0,
         {"arb", "arb-x", "arb-rc"}},
        {"cgb", T::Flag, flag_text(d.cgb),
         "Column-group bitmap: split the salient columns into two order-2 groups (the code's --order2_group, "
         "on in the README commands)"},
        {"iterations", T::Integer, std::to_string(d.iterations), "Alternating refinement iterations (§7.2)", 0, 1e4},
        {"num-p", T::Integer, std::to_string(d.num_p), "Threshold splits per zone (§7.3 step 8); only 1", 1, 8},
        {"block-size", T::Integer, std::to_string(d.block_size), "Columns per block, = the binarisation group (§7.1)",
         1, 1e9},
        salient_metric_parameter(d.structure.metric,
                                 "Saliency the searches run on (§7.3 step 1): hessian w²/U_jj² as in the README commands (the code's "
         "default is magnitude)"),
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
    if (s.integer("num-p") != 1)
      throw InputError(std::string(where),
                       "arbllm parameter num-p: only 1 is implemented (repeated splits of the concentrated zone, "
                       "baselines-spec §7.3 step 8, are not)");
  }
  std::optional<packed::FormatSettings> packed_settings(const MethodSettings&) const override { return std::nullopt; }
  DeclaredBits bits(const MethodSettings& s, int64_t n, int64_t m, int64_t salient_columns) const override {
    // §7.5: the paper counts BiLLM's 1 + r_sal; the stored form every plane, bitmap and fp16 scalar.
    const ArbllmOptions o = options_of(s);
    const double k = static_cast<double>(salient_columns);
    return {billm::BinaryLayout::paper_bits_per_weight(m, k),
            arbllm_layout(o.variant, o.cgb, o.block_size).stored_bits(n, m, k) / static_cast<double>(n * m)};
  }
  QuantizedBlock quantize_block(BlockContext& ctx, const MethodSettings& s) const override {
    const ArbllmOptions o = options_of(s);
    return billm::binarize_block_linears(
        ctx, [&](const at::Tensor& w, const at::Tensor& h, const std::string& where, const NoticeSink& notice) {
          return quantize_linear(w, h, o, where, notice, ctx.cancel);
        });
  }
};

}  // namespace

const QuantMethod& method() {
  static const ArbllmMethod m;
  return m;
}

}  // namespace quantcore::methods::arbllm
