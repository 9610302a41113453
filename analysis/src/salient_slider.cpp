#include "analysis/salient_slider.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>
#include <stdexcept>

#include "quantcore/methods/ptq161/quantizers.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/pack/bits_accounting.h"

namespace analysis {

namespace {

at::Tensor to_tensor(const std::vector<float>& v) {
  return at::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())}, at::kFloat).clone();
}

// The channel ranking of salient_channel_mask (spec §2.2): the statistic rounded to fp16, clamped
// at 1e-5 and rounded again. The mask at any ratio is {j : ranked_j >= thr}, so in the order of
// `descending` it is always a prefix; its length follows from the sorted values alone.
struct ChannelRanking {
  std::vector<float> ranked;      // [m] the rounded statistic, channel order
  std::vector<float> descending;  // [m] ranked, sorted descending
  std::vector<int64_t> order;     // [m] channels by descending ranked value (ties by index)

  explicit ChannelRanking(const at::Tensor& statistic, bool with_order) {
    const at::Tensor a =
        at::clamp_min(statistic.to(at::kHalf).to(at::kFloat), 1e-5).to(at::kHalf).to(at::kFloat).contiguous();
    ranked.assign(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
    descending = ranked;
    std::sort(descending.begin(), descending.end(), std::greater<float>());
    if (with_order) {
      order.resize(ranked.size());
      std::iota(order.begin(), order.end(), int64_t{0});
      std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return ranked[x] > ranked[y]; });
    }
  }
  float threshold(double ratio) const {
    const auto m = static_cast<int64_t>(descending.size());
    return descending[std::min<int64_t>(static_cast<int64_t>(std::floor(ratio * static_cast<double>(m))), m - 1)];
  }
  int64_t salient_count(double ratio) const {
    const float thr = threshold(ratio);
    return std::upper_bound(descending.begin(), descending.end(), thr, std::greater<float>()) - descending.begin();
  }
};

// Per-row running sums are kept at every kStride-th position of the ranked column order.
constexpr int64_t kStride = 64;

}  // namespace

// Eq. (4) term by term as ptq161::analytic_error_bound builds it, with everything that does not
// depend on the mask computed once. The weight is stored with its columns in ranking order, so the
// salient set is the first k columns of every row. The 4-bit quantiser works on whole rows (spec
// §3), so a salient column's error sum_i |W4_ij - W_ij| is fixed and the salient part of E is a
// prefix sum. mu_i and alpha_i (spec §4.1) over the non-salient non-zero entries are the row
// totals minus running sums read at the nearest stored position below k. What remains per update
// is one contiguous pass over the binarised entries, whose errors depend on mu_i and alpha_i.
struct SalientSlider::State {
  int64_t n = 0, m = 0;
  std::vector<float> ranked_weight;            // [n, m] columns in ranking order
  std::vector<float> ranked_statistic;         // [m] max|x| in ranking order
  std::vector<double> salient_error_prefix;    // [m + 1] sum_{p<k} s_p * sum_i |W4_ip - W_ip|
  int64_t strides = 0;                         // stored positions per row
  std::vector<double> prefix_sum, prefix_abs;  // [n, strides] over non-zero entries
  std::vector<int64_t> prefix_nonzero;         // [n, strides]
  std::vector<double> row_sum, row_abs;        // [n] over a row's non-zero entries
  std::vector<int64_t> row_nonzero;            // [n]
  std::unique_ptr<ChannelRanking> ranking;     // the selected linear's
  std::vector<quantcore::LinearShape> shapes;  // every block linear, for the model's bits
  std::vector<ChannelRanking> rankings;        // same order as shapes
  int salient_bits = 4;

  void precompute(const at::Tensor& weight, const at::Tensor& statistic);
};

void SalientSlider::State::precompute(const at::Tensor& weight, const at::Tensor& statistic) {
  n = weight.size(0);
  m = weight.size(1);
  ranking = std::make_unique<ChannelRanking>(statistic, true);
  const std::vector<int64_t>& order = ranking->order;
  const at::Tensor error4 = (quantcore::methods::ptq161::quantize_salient(weight, salient_bits).dequantized - weight)
                                .abs()
                                .to(at::kDouble)
                                .sum(0)
                                .contiguous();
  const double* e4 = error4.data_ptr<double>();
  const float* stat = statistic.data_ptr<float>();
  ranked_statistic.resize(static_cast<size_t>(m));
  salient_error_prefix.assign(static_cast<size_t>(m + 1), 0.0);
  for (int64_t p = 0; p < m; ++p) {
    ranked_statistic[p] = stat[order[p]];
    salient_error_prefix[p + 1] = salient_error_prefix[p] + static_cast<double>(stat[order[p]]) * e4[order[p]];
  }
  strides = (m - 1) / kStride + 1;  // positions 0, kStride, ... below m
  row_sum.assign(static_cast<size_t>(n), 0.0);
  row_abs.assign(static_cast<size_t>(n), 0.0);
  row_nonzero.assign(static_cast<size_t>(n), 0);
  ranked_weight.resize(static_cast<size_t>(n * m));
  prefix_sum.assign(static_cast<size_t>(n * strides), 0.0);
  prefix_abs.assign(static_cast<size_t>(n * strides), 0.0);
  prefix_nonzero.assign(static_cast<size_t>(n * strides), 0);
  const float* w = weight.data_ptr<float>();
  at::parallel_for(0, n, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float* row = ranked_weight.data() + i * m;
      double sum = 0.0, abs_sum = 0.0;
      int64_t count = 0;
      for (int64_t p = 0; p < m; ++p) {
        if (p % kStride == 0) {
          prefix_sum[i * strides + p / kStride] = sum;
          prefix_abs[i * strides + p / kStride] = abs_sum;
          prefix_nonzero[i * strides + p / kStride] = count;
        }
        const float v = row[p] = w[i * m + order[p]];
        if (v == 0.0f) continue;
        sum += v;
        abs_sum += std::fabs(v);
        ++count;
      }
      row_sum[i] = sum;
      row_abs[i] = abs_sum;
      row_nonzero[i] = count;
    }
  });
}

SalientSlider::SalientSlider(const quantcore::CausalLM& model, const quantcore::ActivationStats& stats, int64_t block,
                             const std::string& linear, int salient_bits)
    : state_(std::make_unique<State>()) {
  const at::Tensor weight = model.linear_weight(block, linear).detach().to(at::kCPU, at::kFloat).contiguous();
  const at::Tensor statistic = to_tensor(stats.at(block, linear).max_abs);
  state_->salient_bits = salient_bits;
  const auto linears = quantcore::block_linears(model.spec());
  for (int64_t b = 0; b < model.num_blocks(); ++b)
    for (const auto& l : linears) {
      quantcore::LinearShape s = l;
      s.name = "model.layers." + std::to_string(b) + "." + l.name;
      state_->shapes.push_back(s);
      state_->rankings.emplace_back(to_tensor(stats.at(b, l.name).max_abs), false);
    }
  state_->precompute(weight, statistic);
}

SalientSlider::SalientSlider(const FloatMatrix& weight, const std::vector<float>& statistic,
                             const std::vector<Linear>& model_linears, int salient_bits)
    : state_(std::make_unique<State>()) {
  if (static_cast<int64_t>(weight.values.size()) != weight.rows * weight.cols ||
      weight.cols != static_cast<int64_t>(statistic.size()))
    throw std::invalid_argument("SalientSlider: weight and statistic shapes disagree");
  if (weight.cols == 0) throw std::invalid_argument("SalientSlider: the weight has no columns");
  const at::Tensor w = at::from_blob(const_cast<float*>(weight.values.data()), {weight.rows, weight.cols}, at::kFloat);
  state_->salient_bits = salient_bits;
  for (const Linear& l : model_linears) {
    state_->shapes.push_back(l.shape);
    state_->rankings.emplace_back(to_tensor(l.max_abs), false);
  }
  state_->precompute(w, to_tensor(statistic));
}

SalientSlider::~SalientSlider() = default;
SalientSlider::SalientSlider(SalientSlider&&) noexcept = default;
SalientSlider& SalientSlider::operator=(SalientSlider&&) noexcept = default;

namespace {

// sum_p s_p |alpha sgn(w_p - mu) + mu - w_p| over one row's binarised entries, in float32 per
// entry like the tensor code; eight independent lanes so the loop vectorises.
double binarised_row_error(const float* w, const float* s, int64_t count, float mu, float alpha) {
  constexpr int kLanes = 8;
  double total = 0.0;
  int64_t p = 0;
  while (p < count) {
    // Blocks of 512 entries summed in float, blocks summed in double.
    const int64_t block_end = std::min(count, p + 512);
    float lane[kLanes] = {};
    for (; p + kLanes <= block_end; p += kLanes)
      for (int l = 0; l < kLanes; ++l) {
        const float d = w[p + l] - mu;
        const float sign = static_cast<float>((d > 0.0f) - (d < 0.0f));
        lane[l] += s[p + l] * std::fabs(alpha * sign + mu - w[p + l]);
      }
    for (; p < block_end; ++p) {
      const float d = w[p] - mu;
      const float sign = static_cast<float>((d > 0.0f) - (d < 0.0f));
      total += static_cast<double>(s[p]) * std::fabs(alpha * sign + mu - w[p]);
    }
    for (float v : lane) total += v;
  }
  return total;
}

}  // namespace

SalientSliderResult SalientSlider::evaluate(double ratio) const {
  if (!(ratio >= 0.0 && ratio <= 1.0)) throw std::invalid_argument("salient ratio must lie in [0, 1]");
  const State& s = *state_;
  const int64_t n = s.n, m = s.m;
  SalientSliderResult r;
  r.ratio = ratio;
  const float thr = s.ranking->threshold(ratio);
  r.mask.resize(static_cast<size_t>(m));
  for (int64_t j = 0; j < m; ++j) r.mask[j] = s.ranking->ranked[j] >= thr ? 1 : 0;
  const int64_t k = s.ranking->salient_count(ratio);
  r.salient_columns = k;

  // Binarised entries: W'_ij = alpha_i * sgn(W_ij - mu_i) + mu_i, both over the row's non-zero
  // non-salient entries (0 when there are none).
  const int64_t stored = std::min(k / kStride, s.strides - 1);
  std::mutex merge;
  double binarised = 0.0;
  at::parallel_for(0, n, 16, [&](int64_t begin, int64_t end) {
    double local = 0.0;
    for (int64_t i = begin; i < end; ++i) {
      const float* row = s.ranked_weight.data() + i * m;
      double sum = s.prefix_sum[i * s.strides + stored], abs_sum = s.prefix_abs[i * s.strides + stored];
      int64_t count = s.prefix_nonzero[i * s.strides + stored];
      for (int64_t p = stored * kStride; p < k; ++p)
        if (row[p] != 0.0f) sum += row[p], abs_sum += std::fabs(row[p]), ++count;
      const int64_t rest = s.row_nonzero[i] - count;
      const float mu = rest > 0 ? static_cast<float>((s.row_sum[i] - sum) / rest) : 0.0f;
      const float alpha = rest > 0 ? static_cast<float>((s.row_abs[i] - abs_sum) / rest) : 0.0f;
      local += binarised_row_error(row + k, s.ranked_statistic.data() + k, m - k, mu, alpha);
    }
    std::lock_guard<std::mutex> lock(merge);
    binarised += local;
  });
  r.error_bound = s.salient_error_prefix[k] + binarised;

  std::vector<quantcore::QuantizedLinear> linears;
  linears.reserve(s.shapes.size());
  for (size_t i = 0; i < s.shapes.size(); ++i) linears.push_back({s.shapes[i], s.rankings[i].salient_count(ratio)});
  quantcore::BitsOptions bits;
  bits.salient_bits = s.salient_bits;
  const quantcore::ModelBits model = quantcore::model_bits(linears, bits);
  r.model_bits_per_weight = model.bits_per_weight;
  r.paper_bits_per_weight = model.paper_bits_per_weight;
  return r;
}

}  // namespace analysis
