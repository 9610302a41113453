// The scalar CPU path: packed_math.h's functions called directly, word by word.
#include <algorithm>

#include "folded_input.h"
#include "quantcore/kernels/packed_linear_cpu.h"
#include "quantcore/kernels/packed_math.h"

namespace quantcore::kernels {

void packed_linear_scalar(const PackedLinearView& w, const FoldedInput& in, float* y) {
  const int per_word = codes_per_word(w.code_bits);
  for (int64_t b = 0; b < in.batch; ++b) {
    const float* folded = in.folded.data() + b * in.folded_stride;
    const float* salient = in.salient.data() + b * in.salient_stride;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < w.rows; ++i) {
      const uint32_t* signs = w.signs + i * w.sign_words;
      const uint32_t* codes = w.codes + i * w.code_words;
      float signed_sum = 0.0f, code_sum = 0.0f;
      for (int64_t v = 0; v < w.sign_words; ++v) {
        const int count = static_cast<int>(std::min<int64_t>(32, w.binarised() - 32 * v));
        signed_sum += signed_sum_word(signs[v], folded + 32 * v, count);
      }
      for (int64_t v = 0; v < w.code_words; ++v) {
        const int count = static_cast<int>(std::min<int64_t>(per_word, w.salient - per_word * v));
        code_sum += code_sum_word(codes[v], salient + per_word * v, count, w.code_bits);
      }
      y[b * w.rows + i] =
          packed_row_output(w.a[i], w.c[i], w.scale[i], w.zero[i], signed_sum, in.folded_sum[static_cast<size_t>(b)],
                            code_sum, in.salient_sum[static_cast<size_t>(b)]);
    }
  }
}

}  // namespace quantcore::kernels
