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
  return v;
}

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
  return p;
}

}  // namespace quantcore::kernels
