#include "quantcore/methods/billm/residual_binarization.h"

#include <cmath>
#include <stdexcept>

namespace quantcore::methods::billm {

ZoneFit binarize_residual(const Matrix& x, const Mask& zone, int order) {
  if (order < 1) throw std::invalid_argument("binarize_residual: order must be positive");
  if (zone.size() != x.values.size()) throw std::invalid_argument("binarize_residual: mask and matrix differ");
  ZoneFit fit(x.rows, x.cols, order, order, false);
  std::vector<float> residual(static_cast<size_t>(x.cols));
  for (int64_t r = 0; r < x.rows; ++r) {
    const uint8_t* in = zone.data() + r * x.cols;
    const float* w = x.row(r);
    int64_t count = 0;
    for (int64_t j = 0; j < x.cols; ++j) {
      residual[static_cast<size_t>(j)] = in[j] ? w[j] : 0.0f;
      count += in[j];
    }
    if (count == 0) continue;
    for (int k = 0; k < order; ++k) {
      double sum = 0;
      for (int64_t j = 0; j < x.cols; ++j)
        if (in[j]) sum += residual[static_cast<size_t>(j)];
      const float mu = static_cast<float>(sum / static_cast<double>(count));
      double spread = 0;
      for (int64_t j = 0; j < x.cols; ++j)
        if (in[j]) spread += std::fabs(residual[static_cast<size_t>(j)] - mu);
      const float alpha = static_cast<float>(spread / static_cast<double>(count));
      for (int64_t j = 0; j < x.cols; ++j) {
        if (!in[j]) continue;
        float& res = residual[static_cast<size_t>(j)];
        const float c = res - mu;
        const int8_t b = sign_of(c);
        fit.sign_at(k, r, j) = b;
        res -= alpha * static_cast<float>(b) + mu;
      }
      fit.mean[static_cast<size_t>(r * order + k)] = mu;
      fit.alpha[static_cast<size_t>(r * order + k)] = alpha;
    }
  }
  return fit;
}

}  // namespace quantcore::methods::billm
