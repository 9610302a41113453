#include "analysis/salient_concentration.h"

#include <ATen/ATen.h>

#include <cmath>
#include <map>

#include "quantcore/calib/activation_stats.h"
#include "quantcore/calib/linear_hessian.h"
#include "quantcore/methods/inverse_hessian.h"
#include "quantcore/methods/ptq161/quantizers.h"
#include "quantcore/model/causal_lm.h"
#include "token_batch.h"

namespace analysis {

namespace {

using Shares = ConcentrationShares;

// The K largest scores of [n, m]: their share inside the mask's columns and in the top rows.
Shares shares_of(const at::Tensor& scores, const at::Tensor& mask, int64_t k) {
  const int64_t n = scores.size(0), m = scores.size(1);
  const at::Tensor top = std::get<1>(scores.reshape({-1}).topk(k, 0, true, false));
  const at::Tensor columns = top.remainder(m), rows = top.div(m, "floor");
  Shares s;
  s.in_mask = mask.index_select(0, columns).to(at::kDouble).sum().item<double>() / static_cast<double>(k);
  const at::Tensor per_row = at::bincount(rows, {}, n).to(at::kDouble);
  const auto top_rows = static_cast<int64_t>(std::ceil(kTopRowShare * static_cast<double>(n)));
  s.top_rows = std::get<0>(per_row.topk(top_rows)).sum().item<double>() / static_cast<double>(k);
  return s;
}

}  // namespace

ConcentrationShares concentration_shares(const float* scores, int64_t rows, int64_t cols, const uint8_t* mask) {
  at::NoGradGuard no_grad;
  const at::Tensor m = at::from_blob(const_cast<uint8_t*>(mask), {cols}, at::kByte).to(at::kBool);
  const int64_t k = m.sum().item<int64_t>() * rows;
  if (k == 0) return {};
  return shares_of(at::from_blob(const_cast<float*>(scores), {rows, cols}, at::kFloat), m, k);
}

std::vector<uint8_t> salient_channel_flags(const std::vector<float>& statistic, double ratio) {
  const at::Tensor mask =
      quantcore::methods::ptq161::salient_channel_mask(at::tensor(at::ArrayRef<float>(statistic), at::kFloat), ratio)
          .to(at::kByte)
          .contiguous();
  const auto* p = mask.data_ptr<uint8_t>();
  return std::vector<uint8_t>(p, p + mask.numel());
}

SalientConcentration salient_concentration(const quantcore::CausalLM& model, const quantcore::ActivationStats& stats,
                                           const std::vector<std::vector<int32_t>>& windows, double ratio,
                                           quantcore::ProgressSink& progress, const quantcore::CancelToken& cancel) {
  at::NoGradGuard no_grad;
  quantcore::CausalLM observed = model;
  SalientConcentration out;
  out.ratio = ratio;
  std::vector<at::Tensor> rows;
  for (const auto& w : windows) rows.push_back(token_batch(w, 0, w.size()));
  at::Tensor chain = observed.embed(at::cat(rows).to(model.device()));
  progress.stage("salient concentration", model.num_blocks());
  for (int64_t b = 0; b < model.num_blocks(); ++b) {
    cancel.throw_if_requested();
    const auto hessians = quantcore::collect_block_hessians(observed, b, chain, cancel);
    for (const quantcore::LinearShape& shape : quantcore::block_linears(model.spec())) {
      const at::Tensor w = model.linear_weight(b, shape.name).to(at::kFloat);
      const auto& s = stats.at(b, shape.name).max_abs;
      const at::Tensor mask =
          quantcore::methods::ptq161::salient_channel_mask(at::tensor(at::ArrayRef<float>(s), at::kFloat), ratio)
              .to(w.device());
      LinearConcentration c;
      c.block = b;
      c.linear = shape.name;
      c.mask_columns = mask.sum().item<int64_t>();
      c.salient = c.mask_columns * shape.out_features;
      c.chance = static_cast<double>(c.mask_columns) / static_cast<double>(shape.in_features);
      if (c.salient > 0) {
        const Shares magnitude = shares_of(w.abs(), mask, c.salient);
        const at::Tensor u = quantcore::prepare_inverse_hessian(hessians.at(shape.name)).upper.diagonal();
        const Shares hessian = shares_of(w.square() / u.square().unsqueeze(0), mask, c.salient);
        c.in_mask_magnitude = magnitude.in_mask;
        c.top_rows_magnitude = magnitude.top_rows;
        c.in_mask_hessian = hessian.in_mask;
        c.top_rows_hessian = hessian.top_rows;
      }
      out.linears.push_back(c);
    }
    const int64_t samples = chain.size(0);
    std::vector<at::Tensor> next;
    for (int64_t i = 0; i < samples; ++i) next.push_back(observed.block_forward(b, chain.slice(0, i, i + 1)));
    chain = at::cat(next, 0);
    progress.advance(b + 1);
  }
  progress.finish();
  return out;
}

nlohmann::json concentration_json(const SalientConcentration& c) {
  auto figures = [](const std::vector<const LinearConcentration*>& ls) {
    double chance = 0, mm = 0, mh = 0, rm = 0, rh = 0;
    for (const LinearConcentration* l : ls) {
      chance += l->chance;
      mm += l->in_mask_magnitude;
      mh += l->in_mask_hessian;
      rm += l->top_rows_magnitude;
      rh += l->top_rows_hessian;
    }
    const double n = ls.empty() ? 1.0 : static_cast<double>(ls.size());
    return nlohmann::json{{"in_mask_magnitude", mm / n},
                          {"in_mask_hessian", mh / n},
                          {"top_rows_magnitude", rm / n},
                          {"top_rows_hessian", rh / n},
                          {"chance", chance / n}};
  };
  std::vector<const LinearConcentration*> all;
  std::map<std::string, std::vector<const LinearConcentration*>> by_linear;
  nlohmann::json linears = nlohmann::json::array();
  for (const LinearConcentration& l : c.linears) {
    all.push_back(&l);
    by_linear[l.linear].push_back(&l);
    linears.push_back({{"block", l.block},
                       {"linear", l.linear},
                       {"mask_columns", l.mask_columns},
                       {"salient", l.salient},
                       {"chance", l.chance},
                       {"in_mask_magnitude", l.in_mask_magnitude},
                       {"in_mask_hessian", l.in_mask_hessian},
                       {"top_rows_magnitude", l.top_rows_magnitude},
                       {"top_rows_hessian", l.top_rows_hessian}});
  }
  nlohmann::json per = nlohmann::json::object();
  for (const auto& [name, ls] : by_linear) per[name] = figures(ls);
  return {{"ratio", c.ratio},
          {"top_row_share", kTopRowShare},
          {"mean", figures(all)},
          {"by_linear", per},
          {"linears", linears}};
}

}  // namespace analysis
