#include "analysis/hessian_saliency.h"

#include <ATen/ATen.h>

#include <cmath>
#include <cstring>
#include <list>
#include <map>
#include <mutex>
#include <utility>

#include "quantcore/calib/linear_hessian.h"
#include "quantcore/methods/inverse_hessian.h"
#include "quantcore/methods/pbllm/saliency.h"
#include "quantcore/model/causal_lm.h"

namespace analysis {

namespace {

using Key = std::pair<int64_t, std::string>;

// H of one input and what §0.4 derives from it; shared by the linears that see that input.
struct Entry {
  at::Tensor hessian;         // [m, m] float32
  at::Tensor upper_diagonal;  // [m] float32, empty until first asked for
  at::Tensor dead;            // bool [m]
  int64_t bytes() const { return hessian.numel() * 4; }
};

FloatMatrix to_matrix(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kCPU, at::kFloat).contiguous();
  FloatMatrix m;
  m.rows = c.size(0);
  m.cols = c.dim() > 1 ? c.size(1) : 1;
  m.values.resize(static_cast<size_t>(c.numel()));
  std::memcpy(m.values.data(), c.data_ptr<float>(), m.values.size() * sizeof(float));
  return m;
}

}  // namespace

struct HessianSaliency::Impl {
  std::shared_ptr<const quantcore::CausalLM> model;
  std::vector<std::vector<int32_t>> windows;
  double percdamp;
  int64_t cache_bytes;

  mutable std::mutex mutex;
  std::map<Key, std::shared_ptr<Entry>> entries;
  std::list<std::shared_ptr<Entry>> recency;  // most recently used first, each entry once
  // v of the last linear asked for: a new ratio only moves the threshold.
  Key scored_key{-1, ""};
  std::shared_ptr<const FloatMatrix> scored;
  at::Tensor scored_tensor;

  void touch(const std::shared_ptr<Entry>& e) {
    recency.remove(e);
    recency.push_front(e);
  }

  void evict_beyond_budget() {
    int64_t total = 0;
    for (const auto& e : recency) total += e->bytes();
    while (total > cache_bytes && recency.size() > 1) {
      std::shared_ptr<Entry> old = recency.back();
      recency.pop_back();
      total -= old->bytes();
      for (auto it = entries.begin(); it != entries.end();) it = it->second == old ? entries.erase(it) : std::next(it);
    }
  }

  std::shared_ptr<Entry> entry(int64_t block, const std::string& linear, quantcore::ProgressSink& progress,
                               const quantcore::CancelToken& cancel) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (auto it = entries.find({block, linear}); it != entries.end()) {
        touch(it->second);
        return it->second;
      }
    }
    quantcore::CollectedHessian collected =
        quantcore::collect_linear_hessian(*model, windows, block, linear, progress, cancel);
    auto e = std::make_shared<Entry>();
    e->hessian = collected.hessian;
    std::lock_guard<std::mutex> lock(mutex);
    for (const std::string& name : collected.linears) entries[{block, name}] = e;
    touch(e);
    evict_beyond_budget();
    return e;
  }

  // diag(U) and the dead inputs, computed once per entry.
  std::pair<at::Tensor, at::Tensor> inverse(const std::shared_ptr<Entry>& e) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (e->upper_diagonal.defined()) return {e->upper_diagonal, e->dead};
    }
    const quantcore::InverseHessian inv = quantcore::prepare_inverse_hessian(e->hessian, percdamp);
    at::Tensor diagonal = inv.upper.diagonal().clone();
    std::lock_guard<std::mutex> lock(mutex);
    e->upper_diagonal = diagonal;
    e->dead = inv.dead;
    return {e->upper_diagonal, e->dead};
  }
};

HessianSaliency::HessianSaliency(std::shared_ptr<const quantcore::CausalLM> model,
                                 std::vector<std::vector<int32_t>> windows, double percdamp, int64_t cache_bytes)
    : impl_(std::make_unique<Impl>()) {
  impl_->model = std::move(model);
  impl_->windows = std::move(windows);
  impl_->percdamp = percdamp;
  impl_->cache_bytes = cache_bytes;
}

HessianSaliency::~HessianSaliency() = default;

bool HessianSaliency::has_hessian(int64_t block, const std::string& linear) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->entries.count({block, linear}) > 0;
}

FloatMatrix HessianSaliency::hessian(int64_t block, const std::string& linear, quantcore::ProgressSink& progress,
                                     const quantcore::CancelToken& cancel) {
  return to_matrix(impl_->entry(block, linear, progress, cancel)->hessian);
}

InverseHessianDiagonal HessianSaliency::inverse_diagonal(int64_t block, const std::string& linear,
                                                         quantcore::ProgressSink& progress,
                                                         const quantcore::CancelToken& cancel) {
  const auto [u, dead] = impl_->inverse(impl_->entry(block, linear, progress, cancel));
  InverseHessianDiagonal out;
  out.u = to_matrix(u).values;
  const at::Tensor d = dead.to(at::kCPU, at::kByte).contiguous();
  out.dead.assign(d.data_ptr<uint8_t>(), d.data_ptr<uint8_t>() + d.numel());
  return out;
}

SalientMarks HessianSaliency::marks(int64_t block, const std::string& linear, double ratio,
                                    quantcore::ProgressSink& progress, const quantcore::CancelToken& cancel) {
  if (!(ratio >= 0.0 && ratio <= 1.0)) throw std::invalid_argument("HessianSaliency::marks: ratio outside [0, 1]");
  std::shared_ptr<const FloatMatrix> scores;
  at::Tensor v;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (impl_->scored_key == Key{block, linear}) scores = impl_->scored, v = impl_->scored_tensor;
  }
  if (!scores) {
    const auto [u, dead] = impl_->inverse(impl_->entry(block, linear, progress, cancel));
    v = quantcore::methods::pbllm::hessian_saliency(impl_->model->linear_weight(block, linear).detach(), u, dead)
            .to(at::kCPU);
    scores = std::make_shared<const FloatMatrix>(to_matrix(v));
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->scored_key = {block, linear};
    impl_->scored = scores;
    impl_->scored_tensor = v;
  }
  SalientMarks marks;
  marks.criterion = SaliencyCriterion::Hessian;
  marks.scores = scores;
  const double theta = quantcore::methods::pbllm::binarize_threshold(v, 1.0 - ratio);
  if (std::isfinite(theta)) {
    const auto t = static_cast<float>(theta);  // an element of v: exact in float
    marks.threshold = std::nextafter(t, std::numeric_limits<float>::infinity());
    marks.count = (v > t).sum().item<int64_t>();
  }
  return marks;
}

}  // namespace analysis
