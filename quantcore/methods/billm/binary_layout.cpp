#include "quantcore/methods/billm/binary_layout.h"

namespace quantcore::methods::billm {

const char* fit_kind_name(FitKind kind) {
  switch (kind) {
    case FitKind::Billm: return "billm";
    case FitKind::ArbMean: return "arb-mean";
    case FitKind::ArbRowColumn: return "arb-row-column";
  }
  return "?";
}

int BinaryLayout::scalars_per_row_block() const {
  int s = 0;
  for (int z = 0; z < zones(); ++z) s += means(z) + order(z);
  return s;
}

double BinaryLayout::stored_bits(int64_t n, int64_t m, double k) const {
  const double rows = static_cast<double>(n), cols = static_cast<double>(m);
  const double blocks = static_cast<double>((m + block_size - 1) / block_size);
  const double signs = rows * cols + rows * k;
  const double groups = rows * (cols - k) + (split_salient ? rows * k : 0.0);
  const double scalars = 16.0 * rows * blocks * scalars_per_row_block();
  // Order-1 zones M1, M2 over the non-salient columns, order-2 salient zones over the salient ones.
  const double column = column_scales() ? 16.0 * (2.0 * (cols - k) + 2.0 * k * (split_salient ? 2 : 1)) : 0.0;
  return signs + groups + cols + scalars + column;
}

double BinaryLayout::paper_bits_per_weight(int64_t m, double k) { return 1.0 + k / static_cast<double>(m); }

double section75_bits_per_weight(int64_t n, double r, int64_t block_size, int scalars, double column_scales_per_block) {
  const double beta = static_cast<double>(block_size);
  return 1.0 + r + 1.0 + 1.0 / static_cast<double>(n) + scalars * 16.0 / beta +
         column_scales_per_block * 16.0 / (static_cast<double>(n) * beta);
}

}  // namespace quantcore::methods::billm
