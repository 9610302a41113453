#include "analysis/salient_slider.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <mutex>
#include <stdexcept>

#include "quantcore/methods/ptq161.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/pack/bits_accounting.h"

namespace analysis {

namespace {
at::Tensor to_tensor(const std::vector<float>& v) {
  return at::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())}, at::kFloat).clone();
}
}  // namespace

// Eq. (4) is evaluated here term by term as ptq161::analytic_error_bound builds it, but with what
// does not depend on the mask computed once: the 4-bit quantiser works on whole rows (spec §3),
// so a salient column's error sum_i |W4_ij - W_ij| is fixed; per row, the sums over all non-zero
// entries are fixed, and mu and alpha (spec §4.1) over the non-salient ones follow by
// subtracting the salient columns. An update is then one pass over the binarised entries.
struct SalientSlider::State {
  at::Tensor weight;     // [n, m] float32, CPU, contiguous
  at::Tensor statistic;  // [m] max|x| of the selected linear
  std::vector<double> salient_column_error;  // [m] sum_i |W4_ij - W_ij|
  std::vector<double> row_sum, row_abs_sum;  // [n] over the non-zero entries of each row
  std::vector<int64_t> row_nonzero;          // [n]
  std::vector<quantcore::LinearShape> shapes;  // every block linear, for the model's bits
  std::vector<at::Tensor> statistics;          // same order as shapes
  int salient_bits = 4;

  void precompute();
};

void SalientSlider::State::precompute() {
  const int64_t n = weight.size(0), m = weight.size(1);
  const at::Tensor error4 =
      (quantcore::ptq161::quantize_salient(weight, salient_bits).dequantized - weight).abs().to(at::kDouble).sum(0).contiguous();
  salient_column_error.assign(error4.data_ptr<double>(), error4.data_ptr<double>() + m);
  row_sum.assign(static_cast<size_t>(n), 0.0);
  row_abs_sum.assign(static_cast<size_t>(n), 0.0);
  row_nonzero.assign(static_cast<size_t>(n), 0);
  const float* w = weight.data_ptr<float>();
  at::parallel_for(0, n, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      for (int64_t j = 0; j < m; ++j) {
        const float v = w[i * m + j];
        if (v == 0.0f) continue;
        row_sum[i] += v;
        row_abs_sum[i] += std::fabs(v);
        ++row_nonzero[i];
      }
  });
}

SalientSlider::SalientSlider(const quantcore::CausalLM& model, const quantcore::ActivationStats& stats,
                             int64_t block, const std::string& linear, int salient_bits)
    : state_(std::make_unique<State>()) {
  state_->weight = model.linear_weight(block, linear).detach().to(at::kCPU, at::kFloat).contiguous();
  state_->statistic = to_tensor(stats.at(block, linear).max_abs);
  state_->salient_bits = salient_bits;
  const auto linears = quantcore::block_linears(model.spec());
  for (int64_t b = 0; b < model.num_blocks(); ++b)
    for (const auto& l : linears) {
      quantcore::LinearShape s = l;
      s.name = "model.layers." + std::to_string(b) + "." + l.name;
      state_->shapes.push_back(s);
      state_->statistics.push_back(to_tensor(stats.at(b, l.name).max_abs));
    }
  state_->precompute();
}

SalientSlider::SalientSlider(const FloatMatrix& weight, const std::vector<float>& statistic,
                             const std::vector<Linear>& model_linears, int salient_bits)
    : state_(std::make_unique<State>()) {
  if (static_cast<int64_t>(weight.values.size()) != weight.rows * weight.cols || weight.cols != static_cast<int64_t>(statistic.size()))
    throw std::invalid_argument("SalientSlider: weight and statistic shapes disagree");
  state_->weight = at::from_blob(const_cast<float*>(weight.values.data()), {weight.rows, weight.cols}, at::kFloat).clone();
  state_->statistic = to_tensor(statistic);
  state_->salient_bits = salient_bits;
  for (const Linear& l : model_linears) {
    state_->shapes.push_back(l.shape);
    state_->statistics.push_back(to_tensor(l.max_abs));
  }
  state_->precompute();
}

SalientSlider::~SalientSlider() = default;
SalientSlider::SalientSlider(SalientSlider&&) noexcept = default;
SalientSlider& SalientSlider::operator=(SalientSlider&&) noexcept = default;

SalientSliderResult SalientSlider::evaluate(double ratio) const {
  if (!(ratio >= 0.0 && ratio <= 1.0)) throw std::invalid_argument("salient ratio must lie in [0, 1]");
  const State& s = *state_;
  const int64_t n = s.weight.size(0), m = s.weight.size(1);
  SalientSliderResult r;
  r.ratio = ratio;
  const at::Tensor mask = quantcore::ptq161::salient_channel_mask(s.statistic, ratio).to(at::kByte).contiguous();
  r.mask.assign(mask.data_ptr<uint8_t>(), mask.data_ptr<uint8_t>() + m);
  std::vector<int64_t> salient;
  for (int64_t j = 0; j < m; ++j)
    if (r.mask[j]) salient.push_back(j);
  r.salient_columns = static_cast<int64_t>(salient.size());

  // Binarised entries: W'_ij = alpha_i * sgn(W_ij - mu_i) + mu_i, both over the row's non-zero
  // non-salient entries (0 when there are none), in float32 like the tensor code.
  std::vector<double> column_error(static_cast<size_t>(m), 0.0);
  std::mutex merge;
  const float* w = s.weight.data_ptr<float>();
  at::parallel_for(0, n, 16, [&](int64_t begin, int64_t end) {
    std::vector<double> local(static_cast<size_t>(m), 0.0);
    for (int64_t i = begin; i < end; ++i) {
      const float* row = w + i * m;
      double sum = s.row_sum[i], abs_sum = s.row_abs_sum[i];
      int64_t count = s.row_nonzero[i];
      for (int64_t j : salient)
        if (row[j] != 0.0f) sum -= row[j], abs_sum -= std::fabs(row[j]), --count;
      const float mu = count > 0 ? static_cast<float>(sum / count) : 0.0f;
      const float alpha = count > 0 ? static_cast<float>(abs_sum / count) : 0.0f;
      for (int64_t j = 0; j < m; ++j) {
        if (r.mask[j]) continue;
        const float d = row[j] - mu;
        const float sign = d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : 0.0f);
        local[j] += std::fabs(alpha * sign + mu - row[j]);
      }
    }
    std::lock_guard<std::mutex> lock(merge);
    for (int64_t j = 0; j < m; ++j) column_error[j] += local[j];
  });
  const float* stat = s.statistic.data_ptr<float>();
  for (int64_t j = 0; j < m; ++j)
    r.error_bound += static_cast<double>(stat[j]) * (r.mask[j] ? s.salient_column_error[j] : column_error[j]);

  std::vector<quantcore::QuantizedLinear> linears;
  linears.reserve(s.shapes.size());
  for (size_t i = 0; i < s.shapes.size(); ++i) {
    const int64_t k = quantcore::ptq161::salient_channel_mask(s.statistics[i], ratio).sum().item<int64_t>();
    linears.push_back({s.shapes[i], k});
  }
  quantcore::BitsOptions bits;
  bits.salient_bits = s.salient_bits;
  const quantcore::ModelBits model = quantcore::model_bits(linears, bits);
  r.model_bits_per_weight = model.bits_per_weight;
  r.paper_bits_per_weight = model.paper_bits_per_weight;
  return r;
}

}  // namespace analysis
