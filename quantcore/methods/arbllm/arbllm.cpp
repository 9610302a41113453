#include "quantcore/methods/arbllm/arbllm.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "quantcore/methods/arbllm/arb_fits.h"

namespace quantcore::methods::arbllm {

using billm::BlockFit;
using billm::Mask;
using billm::Matrix;
using billm::ZoneFit;

const char* variant_name(Variant v) {
  switch (v) {
    case Variant::Arb: return "arb";
    case Variant::ArbX: return "arb-x";
    case Variant::ArbRc: return "arb-rc";
  }
  return "?";
}

std::optional<Variant> variant_from_name(std::string_view name) {
  for (Variant v : {Variant::Arb, Variant::ArbX, Variant::ArbRc})
    if (name == variant_name(v)) return v;
  return std::nullopt;
}

billm::BinaryLayout arbllm_layout(Variant variant, bool cgb, int64_t block_size) {
  billm::BinaryLayout l;
  l.kind = variant == Variant::ArbRc ? billm::FitKind::ArbRowColumn : billm::FitKind::ArbMean;
  l.split_salient = cgb;
  l.block_size = block_size;
  return l;
}

namespace {

// §7.2's dispatch (Binarization.quantize): arb (a)/(b), arb-x (c), arb-rc (d)/(e).
ZoneFit fit_zone(const Matrix& w, const Mask& zone, int order, const Matrix* s, const ArbllmOptions& o) {
  switch (o.variant) {
    case Variant::Arb: return order == 1 ? arb_order1(w, zone, o.iterations) : arb_order2(w, zone, o.iterations);
    case Variant::ArbX: return arb_x(w, zone, order, *s, o.iterations, o.iterations);
    case Variant::ArbRc:
      return order == 1 ? arb_rc_order1(w, zone, o.iterations) : arb_rc_order2(w, zone, o.iterations);
  }
  throw std::logic_error("arbllm: unknown variant");
}

// ARB-X's split error Tr(Δ S Δᵀ) (autosearch_arb.py error_computing_x_all_accelerate), without
// its constant 1/(2048·4096·128), which no comparison sees.
billm::ErrorMeasure quadratic_measure(const Matrix& s) {
  const at::Tensor S = billm::to_tensor(s);
  return [S](const Matrix& residual) {
    const at::Tensor d =
        at::from_blob(const_cast<float*>(residual.values.data()), {residual.rows, residual.cols}, at::kFloat);
    return (d.mm(S) * d).sum(at::kDouble).item<double>();
  };
}

void mark(Mask& into, const Mask& zone) {
  for (size_t i = 0; i < zone.size(); ++i)
    if (zone[i]) into[i] = 1;
}

}  // namespace

BlockFit fit_arbllm_block(const Matrix& block, const float* u_diagonal, const Matrix* s, const ArbllmOptions& o) {
  if (o.variant == Variant::ArbX && !s) throw std::invalid_argument("arb-x needs the block's S");
  const Matrix t = billm::saliency(block, u_diagonal, o.structure.metric);
  const billm::SalientSearch salient = billm::search_salient_columns(t, o.structure.salient_cap);
  const Mask columns = billm::column_mask(t.rows, t.cols, salient.columns);
  // §7.3 step 3: the salient columns' ARB fit of T, seen by the non-salient split only.
  Matrix reference(t.rows, t.cols);
  billm::add_fit(
      o.variant == Variant::ArbRc ? arb_rc_order2(t, columns, o.iterations) : arb_order2(t, columns, o.iterations),
      columns, reference);
  const std::vector<float> grid = billm::split_grid(o.structure);
  BlockFit fit;
  fit.salient_columns = salient.columns;
  fit.sparse.assign(columns.size(), 0);
  billm::Split salient_split;
  if (o.cgb) {  // step 4: plain BIN_2 fits of both parts, thresholds from the nonzero |T| only
    salient_split =
        billm::search_split(t, columns, billm::split_thresholds(t, columns, true, grid), 2, Matrix(t.rows, t.cols));
    mark(fit.sparse, salient_split.high);
  }
  const Mask rest = billm::complement(columns);
  const billm::Split split =
      billm::search_split(t, rest, billm::split_thresholds(t, rest, false, grid), 1, reference,
                          o.variant == Variant::ArbX ? quadratic_measure(*s) : billm::ErrorMeasure());
  mark(fit.sparse, split.high);
  fit.zones.push_back(fit_zone(block, split.low, 1, s, o));
  fit.zones.push_back(fit_zone(block, split.high, 1, s, o));
  if (o.cgb) {
    fit.zones.push_back(fit_zone(block, salient_split.low, 2, s, o));
    fit.zones.push_back(fit_zone(block, salient_split.high, 2, s, o));
  } else {
    fit.zones.push_back(fit_zone(block, columns, 2, s, o));
  }
  return fit;
}

billm::BinarizationRun quantize_linear(const at::Tensor& weight, const at::Tensor& hessian, const ArbllmOptions& o,
                                       const std::string& where, const NoticeSink& notice, const CancelToken& cancel) {
  if (o.num_p != 1) throw std::invalid_argument("arbllm: num_p > 1 (§7.3 step 8) is not implemented");
  return billm::binarize_linear(
      weight, hessian, arbllm_layout(o.variant, o.cgb, o.block_size), o.percdamp, o.compensate,
      [&](int64_t first, const Matrix& block, const float* u) {
        if (o.variant != Variant::ArbX) return fit_arbllm_block(block, u, nullptr, o);
        // §7.1: S = mean_n X_nᵀ X_n over the block's columns = H[b, b] / 2, H before damping.
        const Matrix s = billm::to_matrix(hessian.narrow(0, first, block.cols).narrow(1, first, block.cols) / 2);
        return fit_arbllm_block(block, u, &s, o);
      },
      where, notice, cancel);
}

}  // namespace quantcore::methods::arbllm
