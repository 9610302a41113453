#pragma once
// One block of a linear split into binarised zones (baselines-spec §2.2-§2.4, ARB-LLM §7.2, §7.4):
// the block as a row-major matrix, boolean zone masks over it, and one zone's fit, whose values
// are computed by ZoneFit::value alone — for the searches, for Q and for the stored form's W'.
// Torch-free.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace quantcore::methods::billm {

// A row-major [rows, cols] float matrix: a block B of W (β columns), its saliency T, or S.
struct Matrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> values;

  Matrix() = default;
  Matrix(int64_t r, int64_t c, float fill = 0.0f) : rows(r), cols(c), values(static_cast<size_t>(r * c), fill) {}
  float& at(int64_t r, int64_t c) { return values[static_cast<size_t>(r * cols + c)]; }
  float at(int64_t r, int64_t c) const { return values[static_cast<size_t>(r * cols + c)]; }
  const float* row(int64_t r) const { return values.data() + r * cols; }
};

// [rows * cols] row-major, 1 = the entry belongs to the zone.
using Mask = std::vector<uint8_t>;

// torch.sign: sign(0) = 0 (an exactly centred entry keeps the mean, §2.2).
inline int8_t sign_of(float v) { return v > 0 ? 1 : (v < 0 ? -1 : 0); }

// Whole columns (the salient columns of §2.3 step 2).
Mask column_mask(int64_t rows, int64_t cols, const std::vector<int64_t>& columns);
Mask complement(const Mask& mask);
Mask intersection(const Mask& a, const Mask& b);

// One zone's fit, per row r: `means` means μ_{r,l} and `order` scales α_{r,k}; per column j the
// column scales c_{k,j} of a row-column fit (ARB-RC, §7.2 d-e; empty otherwise); `order` sign
// planes b_k ∈ {-1, 0, +1} (0 outside the zone and where the fit took sign(0) = 0).
// Value: Σ_k α_{r,k} [c_{k,j}] b_{k,rj} + Σ_l μ_{r,l}. BiLLM's BIN_k has means = order (§2.2),
// ARB's mean fits one mean (§7.2 a-c), ARB-RC none.
struct ZoneFit {
  int order = 1;
  int means = 0;
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> mean;          // [rows][means]
  std::vector<float> alpha;         // [rows][order]
  std::vector<float> column_scale;  // [order][cols] or empty
  std::vector<int8_t> sign;         // [order][rows * cols]

  ZoneFit() = default;
  ZoneFit(int64_t rows, int64_t cols, int order, int means, bool row_column);

  bool row_column() const { return !column_scale.empty(); }
  int8_t& sign_at(int k, int64_t r, int64_t j) { return sign[static_cast<size_t>((k * rows + r) * cols + j)]; }
  int8_t sign_at(int k, int64_t r, int64_t j) const { return sign[static_cast<size_t>((k * rows + r) * cols + j)]; }
  float value(int64_t r, int64_t j) const {
    float v = 0.0f;
    for (int k = 0; k < order; ++k) {
      float a = alpha[static_cast<size_t>(r * order + k)];
      if (row_column()) a = column_scale[static_cast<size_t>(k * cols + j)] * a;
      v += a * static_cast<float>(sign_at(k, r, j));
    }
    for (int l = 0; l < means; ++l) v += mean[static_cast<size_t>(r * means + l)];
    return v;
  }
};

// out += the fit's values on the zone's entries (BiLLM sums its groups this way).
void add_fit(const ZoneFit& fit, const Mask& zone, Matrix& out);
// residual -= the fit's values on the zone's entries.
void subtract_fit(const ZoneFit& fit, const Mask& zone, Matrix& residual);
// Σ over the zone's entries of (x - fit)², in double.
double zone_square_error(const ZoneFit& fit, const Matrix& x, const Mask& zone);

}  // namespace quantcore::methods::billm
