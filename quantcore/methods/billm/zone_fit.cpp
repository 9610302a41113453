#include "quantcore/methods/billm/zone_fit.h"

#include <stdexcept>

namespace quantcore::methods::billm {

Mask column_mask(int64_t rows, int64_t cols, const std::vector<int64_t>& columns) {
  Mask m(static_cast<size_t>(rows * cols), 0);
  for (int64_t c : columns) {
    if (c < 0 || c >= cols) throw std::out_of_range("column_mask: column outside the block");
    for (int64_t r = 0; r < rows; ++r) m[static_cast<size_t>(r * cols + c)] = 1;
  }
  return m;
}

Mask complement(const Mask& mask) {
  Mask out(mask.size());
  for (size_t i = 0; i < mask.size(); ++i) out[i] = mask[i] ? 0 : 1;
  return out;
}

Mask intersection(const Mask& a, const Mask& b) {
  if (a.size() != b.size()) throw std::invalid_argument("intersection: masks differ in size");
  Mask out(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = a[i] && b[i] ? 1 : 0;
  return out;
}

ZoneFit::ZoneFit(int64_t r, int64_t c, int o, int m, bool rc)
    : order(o),
      means(m),
      rows(r),
      cols(c),
      mean(static_cast<size_t>(r * m), 0.0f),
      alpha(static_cast<size_t>(r * o), 0.0f),
      column_scale(rc ? static_cast<size_t>(o * c) : 0, 0.0f),
      sign(static_cast<size_t>(o * r * c), 0) {}

namespace {
void check(const ZoneFit& fit, const Mask& zone, int64_t rows, int64_t cols) {
  if (fit.rows != rows || fit.cols != cols || zone.size() != static_cast<size_t>(rows * cols))
    throw std::invalid_argument("zone fit, zone and matrix differ in shape");
}
}  // namespace

void add_fit(const ZoneFit& fit, const Mask& zone, Matrix& out) {
  check(fit, zone, out.rows, out.cols);
  for (int64_t r = 0; r < out.rows; ++r)
    for (int64_t j = 0; j < out.cols; ++j)
      if (zone[static_cast<size_t>(r * out.cols + j)]) out.at(r, j) += fit.value(r, j);
}

void subtract_fit(const ZoneFit& fit, const Mask& zone, Matrix& residual) {
  check(fit, zone, residual.rows, residual.cols);
  for (int64_t r = 0; r < residual.rows; ++r)
    for (int64_t j = 0; j < residual.cols; ++j)
      if (zone[static_cast<size_t>(r * residual.cols + j)]) residual.at(r, j) -= fit.value(r, j);
}

double zone_square_error(const ZoneFit& fit, const Matrix& x, const Mask& zone) {
  check(fit, zone, x.rows, x.cols);
  double sum = 0;
  for (int64_t r = 0; r < x.rows; ++r)
    for (int64_t j = 0; j < x.cols; ++j)
      if (zone[static_cast<size_t>(r * x.cols + j)]) {
        const double d = static_cast<double>(x.at(r, j)) - static_cast<double>(fit.value(r, j));
        sum += d * d;
      }
  return sum;
}

}  // namespace quantcore::methods::billm
