#include "quantcore/methods/billm/binarized_linear.h"

#include <algorithm>
#include <stdexcept>

#include "quantcore/pack/half_float.h"

namespace quantcore::methods::billm {

namespace {

// Where the next block's data starts in each plane and vector.
struct Cursor {
  int64_t signs = 0, second_signs = 0, groups = 0, scalars = 0, column_scales = 0;
};

int64_t width_at(const BinarizedLinear& q, int64_t first) { return std::min(q.layout.block_size, q.cols - first); }

// The columns of one block, salient and not, ascending.
struct BlockColumns {
  std::vector<uint8_t> salient;
  std::vector<int64_t> of_zone[2];  // [0] non-salient, [1] salient
};

BlockColumns block_columns(const BinarizedLinear& q, int64_t first, int64_t width) {
  BlockColumns c;
  for (int64_t j = 0; j < width; ++j) {
    const bool s = q.salient.get(first + j);
    c.salient.push_back(s ? 1 : 0);
    c.of_zone[s ? 1 : 0].push_back(j);
  }
  return c;
}

const std::vector<int64_t>& zone_columns(const BlockColumns& c, int zone) {
  return c.of_zone[zone >= kSalient ? 1 : 0];
}

// The block at `first` decoded from the stored data at `at` (advanced past it).
Matrix decode_block(const BinarizedLinear& q, int64_t first, Cursor& at) {
  const BinaryLayout& l = q.layout;
  const int64_t width = width_at(q, first);
  const BlockColumns columns = block_columns(q, first, width);
  std::vector<ZoneFit> zones;
  for (int z = 0; z < l.zones(); ++z) zones.emplace_back(q.rows, width, l.order(z), l.means(z), l.column_scales());
  for (int64_t r = 0; r < q.rows; ++r)
    for (ZoneFit& f : zones)
      for (int k = 0; k < f.order; ++k) {
        if (k < f.means) f.mean[static_cast<size_t>(r * f.means + k)] = float_from_half(q.row_scalars.at(at.scalars++));
        f.alpha[static_cast<size_t>(r * f.order + k)] = float_from_half(q.row_scalars.at(at.scalars++));
      }
  if (l.column_scales())
    for (int z = 0; z < l.zones(); ++z)
      for (int k = 0; k < zones[z].order; ++k)
        for (int64_t j : zone_columns(columns, z))
          zones[z].column_scale[static_cast<size_t>(k * width + j)] =
              float_from_half(q.column_scales.at(at.column_scales++));
  Matrix out(q.rows, width);
  for (int64_t r = 0; r < q.rows; ++r)
    for (int64_t j = 0; j < width; ++j) {
      const bool salient = columns.salient[static_cast<size_t>(j)];
      const bool first_sign = q.signs.get(at.signs++);
      const bool second_sign = salient && q.second_signs.get(at.second_signs++);
      const bool sparse = (!salient || l.split_salient) && q.groups.get(at.groups++);
      ZoneFit& f = zones[static_cast<size_t>(l.zone_of(salient, sparse))];
      f.sign_at(0, r, j) = first_sign ? 1 : -1;
      if (salient) f.sign_at(1, r, j) = second_sign ? 1 : -1;
      out.at(r, j) = f.value(r, j);
    }
  return out;
}

// |scale| of plane k of `f` at (r, j) is nonzero: a sign stored as +1 for the code's 0 moves W'.
bool scale_nonzero(const ZoneFit& f, int k, int64_t r, int64_t j) {
  float a = f.alpha[static_cast<size_t>(r * f.order + k)];
  if (f.row_column()) a *= f.column_scale[static_cast<size_t>(k * f.cols + j)];
  return a != 0.0f;
}

}  // namespace

int64_t BinarizedLinear::salient_count() const {
  int64_t k = 0;
  for (int64_t j = 0; j < salient.size; ++j) k += salient.get(j);
  return k;
}

std::vector<int64_t> BinarizedLinear::salient_per_block() const {
  std::vector<int64_t> out;
  for (int64_t j = 0; j < salient.size; ++j) {
    if (j % layout.block_size == 0) out.push_back(0);
    out.back() += salient.get(j);
  }
  return out;
}

BinarizedLinear empty_binarized(const BinaryLayout& layout, int64_t rows, int64_t cols) {
  if (layout.block_size < 1 || rows < 1 || cols < 1) throw std::invalid_argument("binarized linear: empty shape");
  BinarizedLinear q;
  q.layout = layout;
  q.rows = rows;
  q.cols = cols;
  return q;
}

Matrix append_block(BinarizedLinear& q, const BlockFit& fit, int64_t* changed_zero_signs) {
  const BinaryLayout& l = q.layout;
  const int64_t first = q.columns_stored();
  if (first >= q.cols) throw std::logic_error("append_block: every block is stored");
  const int64_t width = width_at(q, first);
  if (static_cast<int>(fit.zones.size()) != l.zones() || fit.sparse.size() != static_cast<size_t>(q.rows * width))
    throw std::invalid_argument("append_block: the fit does not match the layout");
  for (const ZoneFit& f : fit.zones)
    if (f.rows != q.rows || f.cols != width || f.row_column() != l.column_scales())
      throw std::invalid_argument("append_block: a zone fit does not match the block");
  Cursor at{q.signs.size, q.second_signs.size, q.groups.size, static_cast<int64_t>(q.row_scalars.size()),
            static_cast<int64_t>(q.column_scales.size())};
  std::vector<uint8_t> salient(static_cast<size_t>(width), 0);
  for (int64_t j : fit.salient_columns) salient.at(static_cast<size_t>(j)) = 1;
  for (uint8_t s : salient) q.salient.push(s != 0);

  int64_t changed = 0;
  const auto push_sign = [&](BitPlane& plane, const ZoneFit& f, int k, int64_t r, int64_t j) {
    const int8_t b = f.sign_at(k, r, j);
    if (b == 0 && scale_nonzero(f, k, r, j)) ++changed;
    plane.push(b >= 0);
  };
  for (int64_t r = 0; r < q.rows; ++r)
    for (int64_t j = 0; j < width; ++j) {
      const bool is_salient = salient[static_cast<size_t>(j)];
      const bool sparse = fit.sparse[static_cast<size_t>(r * width + j)] != 0;
      const ZoneFit& f = fit.zones[static_cast<size_t>(l.zone_of(is_salient, sparse))];
      push_sign(q.signs, f, 0, r, j);
      if (is_salient) push_sign(q.second_signs, f, 1, r, j);
      if (!is_salient || l.split_salient) q.groups.push(sparse);
    }
  for (int64_t r = 0; r < q.rows; ++r)
    for (const ZoneFit& f : fit.zones)
      for (int k = 0; k < f.order; ++k) {
        if (k < f.means) q.row_scalars.push_back(half_from_float(f.mean[static_cast<size_t>(r * f.means + k)]));
        q.row_scalars.push_back(half_from_float(f.alpha[static_cast<size_t>(r * f.order + k)]));
      }
  if (l.column_scales())
    for (int z = 0; z < l.zones(); ++z)
      for (int k = 0; k < fit.zones[static_cast<size_t>(z)].order; ++k)
        for (int64_t j = 0; j < width; ++j)
          if ((salient[static_cast<size_t>(j)] != 0) == (z >= kSalient))
            q.column_scales.push_back(
                half_from_float(fit.zones[static_cast<size_t>(z)].column_scale[static_cast<size_t>(k * width + j)]));
  if (changed_zero_signs) *changed_zero_signs += changed;
  return decode_block(q, first, at);
}

std::vector<float> dequantize(const BinarizedLinear& q) {
  if (q.columns_stored() != q.cols) throw std::logic_error("dequantize: the binarised form is incomplete");
  std::vector<float> out(static_cast<size_t>(q.rows * q.cols));
  Cursor at;
  for (int64_t first = 0; first < q.cols; first += q.layout.block_size) {
    const Matrix block = decode_block(q, first, at);
    for (int64_t r = 0; r < q.rows; ++r)
      std::copy(block.row(r), block.row(r) + block.cols, out.begin() + r * q.cols + first);
  }
  return out;
}

int64_t stored_bits(const BinarizedLinear& q) {
  return q.salient.size + q.signs.size + q.second_signs.size + q.groups.size +
         16 * static_cast<int64_t>(q.row_scalars.size() + q.column_scales.size());
}

}  // namespace quantcore::methods::billm
