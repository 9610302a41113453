// The AVX2 path (this file alone is compiled with -mavx2 -mfma; it runs only where
// cpu_has_avx2()). The binarised part uses look-up tables (the T-MAC idea): per group of 8
// folded inputs, a 256-entry table holds the sum of the inputs whose sign bit is set, so each
// byte of a row's sign words costs one load and one add, and
//   sum_j S_j x'_j = 2 * (sum over set bits) - sum_j x'_j.
// The salient part converts codes to fp32 and multiplies them with the salient inputs in
// vector registers. Batches run in tiles of 8 columns whose table entries are one __m256.
#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "folded_input.h"
#include "quantcore/kernels/packed_linear_cpu.h"
#include "quantcore/kernels/packed_math.h"

namespace quantcore::kernels {

namespace {

constexpr int64_t kTable = 256;        // entries per group of 8 sign bits
constexpr int64_t kTile = 8;           // batch columns per tile
constexpr int64_t kChunkGroups = 128;  // tile tables built at a time: 128 x 8 KiB stays in L2

float horizontal_sum(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

// Sums of the subsets of 4 values, indexed by the 4-bit subset mask.
void subset_sums(const float* x, float* out) {
  out[0] = 0.0f;
  for (int b = 1; b < 16; ++b) out[b] = out[b & (b - 1)] + x[__builtin_ctz(static_cast<unsigned>(b))];
}

// tables[g * 256 + byte]: the sum of folded[8 g + t] over the set bits t of byte.
void build_tables(const float* folded, int64_t groups, float* tables) {
#pragma omp parallel for schedule(static)
  for (int64_t g = 0; g < groups; ++g) {
    alignas(32) float lo[16], hi[16];
    subset_sums(folded + 8 * g, lo);
    subset_sums(folded + 8 * g + 4, hi);
    const __m256 l0 = _mm256_load_ps(lo), l1 = _mm256_load_ps(lo + 8);
    float* t = tables + g * kTable;
    for (int h = 0; h < 16; ++h) {
      const __m256 hv = _mm256_set1_ps(hi[h]);
      _mm256_storeu_ps(t + 16 * h, _mm256_add_ps(l0, hv));
      _mm256_storeu_ps(t + 16 * h + 8, _mm256_add_ps(l1, hv));
    }
  }
}

float code_sum_4bit(const uint32_t* words, int64_t count, const float* salient) {
  const __m256i shifts = _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28);
  const __m256i mask = _mm256_set1_epi32(15);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t v = 0; v < count; ++v) {
    const __m256i q = _mm256_and_si256(_mm256_srlv_epi32(_mm256_set1_epi32(static_cast<int>(words[v])), shifts), mask);
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q), _mm256_loadu_ps(salient + 8 * v), acc);
  }
  return horizontal_sum(acc);
}

float code_sum_8bit(const uint32_t* words, int64_t count, const float* salient) {
  __m256 acc = _mm256_setzero_ps();
  int64_t v = 0;
  for (; v + 2 <= count; v += 2) {
    const __m256i q = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(words + v)));
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q), _mm256_loadu_ps(salient + 4 * v), acc);
  }
  float sum = horizontal_sum(acc);
  if (v < count) sum += code_sum_word(words[v], salient + 4 * v, 4, 8);
  return sum;
}

void single_column(const PackedLinearView& w, const FoldedInput& in, int64_t b, float* y) {
  const int64_t groups = w.sign_words * 4;
  thread_local std::vector<float> tables;
  tables.resize(static_cast<size_t>(groups * kTable));
  build_tables(in.folded.data() + b * in.folded_stride, groups, tables.data());
  const float* t = tables.data();
  const float* salient = in.salient.data() + b * in.salient_stride;
  const float folded_sum = in.folded_sum[static_cast<size_t>(b)], salient_sum = in.salient_sum[static_cast<size_t>(b)];
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < w.rows; ++i) {
    const uint8_t* bytes = reinterpret_cast<const uint8_t*>(w.signs + i * w.sign_words);
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    for (int64_t g = 0; g < groups; g += 4) {
      s0 += t[g * kTable + bytes[g]];
      s1 += t[(g + 1) * kTable + bytes[g + 1]];
      s2 += t[(g + 2) * kTable + bytes[g + 2]];
      s3 += t[(g + 3) * kTable + bytes[g + 3]];
    }
    const float set_sum = (s0 + s1) + (s2 + s3);
    const uint32_t* codes = w.codes + i * w.code_words;
    const float code_sum =
        w.code_bits == 4 ? code_sum_4bit(codes, w.code_words, salient) : code_sum_8bit(codes, w.code_words, salient);
    y[b * w.rows + i] = packed_row_output(w.a[i], w.c[i], w.scale[i], w.zero[i], 2.0f * set_sum - folded_sum,
                                          folded_sum, code_sum, salient_sum);
  }
}

// Columns b0 .. b0 + width (width <= 8) at once: table entries and accumulators hold 8 lanes.
void column_tile(const PackedLinearView& w, const FoldedInput& in, int64_t b0, int64_t width, float* y) {
  const int64_t groups = w.sign_words * 4;
  const int per_word = codes_per_word(w.code_bits);
  // Buffers of the calling thread, reached through plain pointers inside the parallel loops.
  thread_local std::vector<float> folded_buffer, salient_buffer, table_buffer, acc_buffer;
  folded_buffer.assign(static_cast<size_t>(in.folded_stride * kTile), 0.0f);
  salient_buffer.assign(static_cast<size_t>(in.salient_stride * kTile), 0.0f);
  table_buffer.resize(static_cast<size_t>(std::min(groups, kChunkGroups) * kTable * kTile));
  acc_buffer.assign(static_cast<size_t>(w.rows * kTile), 0.0f);
  float* folded = folded_buffer.data();
  float* salient = salient_buffer.data();
  float* tables = table_buffer.data();
  float* acc = acc_buffer.data();
  for (int64_t t = 0; t < width; ++t) {
    for (int64_t j = 0; j < in.folded_stride; ++j)
      folded[j * kTile + t] = in.folded[static_cast<size_t>((b0 + t) * in.folded_stride + j)];
    for (int64_t j = 0; j < in.salient_stride; ++j)
      salient[j * kTile + t] = in.salient[static_cast<size_t>((b0 + t) * in.salient_stride + j)];
  }

  for (int64_t g0 = 0; g0 < groups; g0 += kChunkGroups) {
    const int64_t g1 = std::min(groups, g0 + kChunkGroups);
#pragma omp parallel for schedule(static)
    for (int64_t g = g0; g < g1; ++g) {
      alignas(32) float lo[16][kTile], hi[16][kTile];
      const float* x = folded + 8 * g * kTile;
      for (int l = 0; l < kTile; ++l) lo[0][l] = hi[0][l] = 0.0f;
      for (int bsub = 1; bsub < 16; ++bsub) {
        const int prev = bsub & (bsub - 1), bit = __builtin_ctz(static_cast<unsigned>(bsub));
        _mm256_store_ps(lo[bsub], _mm256_add_ps(_mm256_load_ps(lo[prev]), _mm256_loadu_ps(x + bit * kTile)));
        _mm256_store_ps(hi[bsub], _mm256_add_ps(_mm256_load_ps(hi[prev]), _mm256_loadu_ps(x + (4 + bit) * kTile)));
      }
      float* t = tables + (g - g0) * kTable * kTile;
      for (int h = 0; h < 16; ++h)
        for (int l = 0; l < 16; ++l)
          _mm256_storeu_ps(t + (16 * h + l) * kTile, _mm256_add_ps(_mm256_load_ps(lo[l]), _mm256_load_ps(hi[h])));
    }
    const float* t = tables;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < w.rows; ++i) {
      const uint8_t* bytes = reinterpret_cast<const uint8_t*>(w.signs + i * w.sign_words);
      __m256 a0 = _mm256_loadu_ps(acc + i * kTile), a1 = _mm256_setzero_ps();
      int64_t g = g0;
      for (; g + 2 <= g1; g += 2) {
        a0 = _mm256_add_ps(a0, _mm256_loadu_ps(t + ((g - g0) * kTable + bytes[g]) * kTile));
        a1 = _mm256_add_ps(a1, _mm256_loadu_ps(t + ((g + 1 - g0) * kTable + bytes[g + 1]) * kTile));
      }
      if (g < g1) a0 = _mm256_add_ps(a0, _mm256_loadu_ps(t + ((g - g0) * kTable + bytes[g]) * kTile));
      _mm256_storeu_ps(acc + i * kTile, _mm256_add_ps(a0, a1));
    }
  }

#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < w.rows; ++i) {
    const uint32_t* codes = w.codes + i * w.code_words;
    __m256 q0 = _mm256_setzero_ps(), q1 = _mm256_setzero_ps();
    for (int64_t v = 0; v < w.code_words; ++v) {
      const float* xs = salient + v * per_word * kTile;
      for (int j = 0; j < per_word; j += 2) {
        q0 = _mm256_fmadd_ps(_mm256_set1_ps(static_cast<float>(code_of(codes[v], j, w.code_bits))),
                             _mm256_loadu_ps(xs + j * kTile), q0);
        q1 = _mm256_fmadd_ps(_mm256_set1_ps(static_cast<float>(code_of(codes[v], j + 1, w.code_bits))),
                             _mm256_loadu_ps(xs + (j + 1) * kTile), q1);
      }
    }
    alignas(32) float set_sum[kTile], code_sum[kTile];
    _mm256_store_ps(set_sum, _mm256_loadu_ps(acc + i * kTile));
    _mm256_store_ps(code_sum, _mm256_add_ps(q0, q1));
    for (int64_t t = 0; t < width; ++t) {
      const float folded_sum = in.folded_sum[static_cast<size_t>(b0 + t)];
      y[(b0 + t) * w.rows + i] =
          packed_row_output(w.a[i], w.c[i], w.scale[i], w.zero[i], 2.0f * set_sum[t] - folded_sum, folded_sum,
                            code_sum[t], in.salient_sum[static_cast<size_t>(b0 + t)]);
    }
  }
}

}  // namespace

void packed_linear_avx2(const PackedLinearView& w, const FoldedInput& in, float* y) {
  int64_t b = 0;
  for (; in.batch - b >= 2; b += std::min(kTile, in.batch - b)) column_tile(w, in, b, std::min(kTile, in.batch - b), y);
  if (b < in.batch) single_column(w, in, b, y);
}

}  // namespace quantcore::kernels
