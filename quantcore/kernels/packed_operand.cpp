#include "quantcore/kernels/packed_operand.h"

#include "quantcore/kernels/packed_math.h"
#include "quantcore/pack/bit_packing.h"

namespace quantcore::kernels {

PackedLinearView PackedOperand::view() const {
  PackedLinearView v;
  v.rows = rows;
  v.cols = cols;
  v.salient = static_cast<int64_t>(salient_columns.size());
  v.code_bits = code_bits;
  v.sign_words = words_per_row(v.binarised(), 1);
  v.code_words = words_per_row(v.salient, code_bits);
  v.signs = signs.data();
  v.codes = codes.data();
  v.salient_columns = salient_columns.data();
  v.binarised_columns = binarised_columns.data();
  v.r2_binarised = r2_binarised.data();
  v.a = a.data();
  v.c = c.data();
  v.scale = scale.data();
  v.zero = zero.data();
  v.signs_by_16 = signs_by_16.empty() ? nullptr : signs_by_16.data();
  v.codes_by_16 = codes_by_16.empty() ? nullptr : codes_by_16.data();
  return v;
}

namespace {

// [rows / 16][words][16] from [rows][words]: the rows of each whole block of 16 side by side.
std::vector<uint32_t> sixteen_rows_side_by_side(const std::vector<uint32_t>& words, int64_t rows, int64_t per_row) {
  const int64_t blocks = rows / 16;
  std::vector<uint32_t> out(static_cast<size_t>(blocks * per_row * 16));
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t v = 0; v < per_row; ++v)
      for (int64_t r = 0; r < 16; ++r)
        out[static_cast<size_t>((b * per_row + v) * 16 + r)] = words[static_cast<size_t>((b * 16 + r) * per_row + v)];
  return out;
}

}  // namespace

PackedOperand make_packed_operand(const PackedLinear& l) {
  check_consistent(l);
  PackedOperand p;
  p.rows = l.out_features;
  p.cols = l.in_features;
  p.code_bits = l.code_bits;
  p.signs = l.signs;
  p.codes = l.codes;
  p.salient_columns = l.salient_columns;
  std::vector<bool> salient(static_cast<size_t>(l.in_features), false);
  for (int32_t col : l.salient_columns) salient[static_cast<size_t>(col)] = true;
  for (int32_t j = 0; j < l.in_features; ++j) {
    if (salient[static_cast<size_t>(j)]) continue;
    p.binarised_columns.push_back(j);
    p.r2_binarised.push_back(l.r2[static_cast<size_t>(j)]);
  }
  p.a = l.a;
  p.c = l.c;
  p.scale = l.scale;
  p.zero = l.zero;
  const PackedLinearView v = p.view();
  p.signs_by_16 = sixteen_rows_side_by_side(p.signs, p.rows, v.sign_words);
  if (p.code_bits == 4) p.codes_by_16 = sixteen_rows_side_by_side(p.codes, p.rows, v.code_words);
  return p;
}

}  // namespace quantcore::kernels
