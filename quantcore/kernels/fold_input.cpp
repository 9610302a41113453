#include "folded_input.h"

#include <algorithm>

#include "quantcore/kernels/packed_math.h"

namespace quantcore::kernels {

void fold_input(const PackedLinearView& w, const float* x, int64_t batch, FoldedInput& in) {
  in.batch = batch;
  in.folded_stride = w.sign_words * 32;
  in.salient_stride = w.code_words * codes_per_word(w.code_bits);
  in.folded.assign(static_cast<size_t>(batch * in.folded_stride), 0.0f);
  in.salient.assign(static_cast<size_t>(batch * in.salient_stride), 0.0f);
  in.folded_sum.assign(static_cast<size_t>(batch), 0.0f);
  in.salient_sum.assign(static_cast<size_t>(batch), 0.0f);
  const int64_t nb = w.binarised();
  for (int64_t b = 0; b < batch; ++b) {
    const float* xb = x + b * w.cols;
    float* folded = in.folded.data() + b * in.folded_stride;
    float* salient = in.salient.data() + b * in.salient_stride;
    float folded_sum = 0.0f, salient_sum = 0.0f;
    for (int64_t j = 0; j < nb; ++j) {
      folded[j] = w.r2_binarised[j] * xb[w.binarised_columns[j]];
      folded_sum += folded[j];
    }
    for (int64_t j = 0; j < w.salient; ++j) {
      salient[j] = xb[w.salient_columns[j]];
      salient_sum += salient[j];
    }
    in.folded_sum[static_cast<size_t>(b)] = folded_sum;
    in.salient_sum[static_cast<size_t>(b)] = salient_sum;
  }
}

}  // namespace quantcore::kernels
