#pragma once
// TensorBoard's scalar smoothing: an exponential moving average of weight w in [0, 1), debiased
// the way TensorBoard does it (divided by 1 - w^n after n points), so the first points are not
// pulled towards the zero the average starts from. Incremental: new points extend the average
// without touching the old ones.
#include <vector>

namespace widgets {

class DebiasedEma {
public:
  explicit DebiasedEma(double weight = 0) : weight_(weight) {}

  double weight() const { return weight_; }
  void restart() {
    last_ = 0;
    decay_ = 1;
  }
  // The smoothed value after `y`.
  double push(double y) {
    last_ = last_ * weight_ + (1 - weight_) * y;
    decay_ *= weight_;
    return last_ / (1 - decay_);
  }

private:
  double weight_;
  double last_ = 0;
  double decay_ = 1;  // w^n
};

inline std::vector<double> debiasedEma(const std::vector<double>& ys, double weight) {
  DebiasedEma ema(weight);
  std::vector<double> out;
  out.reserve(ys.size());
  for (double y : ys) out.push_back(ema.push(y));
  return out;
}

}  // namespace widgets
