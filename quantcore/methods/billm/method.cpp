// BiLLM's registry row: per-linear Hessians from the driver, each 128-column block partitioned and
// binarised, errors compensated block-wise (baselines-spec §2.3); the binarised stored form.
#include "quantcore/io/errors.h"
#include "quantcore/methods/billm/billm.h"
#include "quantcore/methods/billm/binarized_block.h"
#include "quantcore/methods/quant_method.h"

namespace quantcore::methods::billm {

namespace {

BillmOptions options_of(const MethodSettings& s) {
  BillmOptions o;
  o.block_size = s.integer("block-size");
  o.structure.metric = salient_metric_of(s);
  o.structure.salient_cap = s.integer("salient-cap");
  o.structure.split_from = s.real("split-from");
  o.structure.split_to = s.real("split-to");
  o.structure.split_points = s.integer("split-points");
  o.percdamp = s.real("percdamp");
  o.compensate = !s.flag("no-compensation");
  return o;
}

class BillmMethod : public QuantMethod {
public:
  std::string_view name() const override { return kName; }
  std::string_view description() const override {
    return "BiLLM: salient columns residual-binarised, the rest split into two binarised groups, block-wise "
           "inverse-Hessian compensation";
  }
  const std::vector<MethodParameter>& parameters() const override {
    using T = ParameterType;
    static const BillmOptions d;
    static const std::vector<MethodParameter> p = {
        {"block-size", T::Integer, std::to_string(d.block_size), "Columns per block, = the binarisation group (§2.1)",
         1, 1e9},
        salient_metric_parameter(d.structure.metric,
                                 "Saliency the searches run on (§2.3 step 1): hessian w²/U_jj² as in the README commands (the code's "
         "default is magnitude)"),
        {"salient-cap", T::Integer, std::to_string(d.structure.salient_cap),
         "Salient-column search over i = 1 .. cap-1 of the top cap columns (§2.3 step 2)", 2, 1e9},
        {"split-from", T::Real, format_real(d.structure.split_from),
         "First quantile of the break-point grid (§2.3 step 3)", 0.0, 1.0},
        {"split-to", T::Real, format_real(d.structure.split_to), "Last quantile of the break-point grid", 0.0, 1.0},
        {"split-points", T::Integer, std::to_string(d.structure.split_points),
         "Quantiles in the break-point grid (linspace(from, to, points))", 1, 1e6},
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
    if (s.real("split-from") > s.real("split-to"))
      throw InputError(std::string(where), "billm parameter split-from must not exceed split-to");
  }
  std::optional<packed::FormatSettings> packed_settings(const MethodSettings&) const override { return std::nullopt; }
  DeclaredBits bits(const MethodSettings& s, int64_t n, int64_t m, int64_t salient_columns) const override {
    // §2.5: the paper counts 1 + r_sal; the stored form every plane, bitmap and fp16 scalar.
    const double k = static_cast<double>(salient_columns);
    return {BinaryLayout::paper_bits_per_weight(m, k),
            billm_layout(s.integer("block-size")).stored_bits(n, m, k) / static_cast<double>(n * m)};
  }
  QuantizedBlock quantize_block(BlockContext& ctx, const MethodSettings& s) const override {
    const BillmOptions o = options_of(s);
    return binarize_block_linears(
        ctx, [&](const at::Tensor& w, const at::Tensor& h, const std::string& where, const NoticeSink& notice) {
          return quantize_linear(w, h, o, where, notice, ctx.cancel);
        });
  }
};

}  // namespace

const QuantMethod& method() {
  static const BillmMethod m;
  return m;
}

}  // namespace quantcore::methods::billm
