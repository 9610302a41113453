// The AVX-512 path (this file alone is compiled with -mavx512f -mavx512bw -mavx512dq
// -mavx512vl -mavx512vbmi -mfma; it runs only where cpu_has_avx512()). No look-up tables: the
// two 16-bit halves of a sign word become the write masks of two 16-lane adds of the folded
// inputs, so a row's binarised part costs one mask and one masked add per 16 columns, and
//   sum_j S_j x'_j = 2 * (sum over set bits) - sum_j x'_j
// as on the AVX2 path. Salient 4-bit codes are spread to 16 lanes by one byte multishift and
// turned into fp32 by a permute over the constant table 0..15 (it reads only an index's low 4
// bits, so the bytes above a code need no masking); 8-bit codes are widened and converted.
// Rows run in blocks of 4 sharing each load of the inputs, batch columns in tiles of up to 4
// sharing each sign mask and each unpacked code vector; one parallel loop over row blocks.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "folded_input.h"
#include "quantcore/kernels/packed_linear_cpu.h"
#include "quantcore/kernels/packed_math.h"

namespace quantcore::kernels {

namespace {

constexpr int kRows = 4;  // rows per block
constexpr int kTile = 4;  // batch columns per tile

uint64_t load_u64(const uint32_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Lane L of the result: float(code L) of the 16 4-bit codes in `bits` (8 in the low half when
// only one word is loaded; the upper lanes are then masked off by the caller).
__m512 codes4_to_ps(__m512i bits) {
  const __m512i shifts = _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60);
  const __m512 ramp = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  return _mm512_permutexvar_ps(_mm512_multishift_epi64_epi8(shifts, bits), ramp);
}

// Rows i0 .. i0 + R and batch columns b0 .. b0 + T; A accumulator sets over alternate chunks
// where R x T leaves registers for them (the masked adds of one set form a dependency chain).
template <int R, int T>
void row_block(const PackedLinearView& w, const FoldedInput& in, int64_t i0, int64_t b0, float* y) {
  constexpr int A = R * T <= 8 ? 2 : 1;
  const uint32_t* signs[R];
  for (int r = 0; r < R; ++r) signs[r] = w.signs + (i0 + r) * w.sign_words;
  const float* xf[T];
  for (int t = 0; t < T; ++t) xf[t] = in.folded.data() + (b0 + t) * in.folded_stride;

  __m512 acc[A][R][T];
  for (int s = 0; s < A; ++s)
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < T; ++t) acc[s][r][t] = _mm512_setzero_ps();
  // A sign word broadcast to all lanes and tested against lane L's bit (L, then 16 + L) gives
  // the two masks in vector units; moving 16-bit masks from integer registers runs on one port.
  const __m512i low = _mm512_sllv_epi32(_mm512_set1_epi32(1), _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  const __m512i high = _mm512_slli_epi32(low, 16);
  for (int64_t v = 0; v < w.sign_words; ++v) {
    __m512 x0[T], x1[T];
    for (int t = 0; t < T; ++t) {
      x0[t] = _mm512_loadu_ps(xf[t] + 32 * v);
      x1[t] = _mm512_loadu_ps(xf[t] + 32 * v + 16);
    }
    for (int r = 0; r < R; ++r) {
      const __m512i word = _mm512_set1_epi32(static_cast<int>(signs[r][v]));
      const __mmask16 k0 = _mm512_test_epi32_mask(word, low), k1 = _mm512_test_epi32_mask(word, high);
      for (int t = 0; t < T; ++t) {
        acc[0][r][t] = _mm512_mask_add_ps(acc[0][r][t], k0, acc[0][r][t], x0[t]);
        acc[A - 1][r][t] = _mm512_mask_add_ps(acc[A - 1][r][t], k1, acc[A - 1][r][t], x1[t]);
      }
    }
  }

  __m512 sacc[R][T];
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) sacc[r][t] = _mm512_setzero_ps();
  const float* xs[T];
  for (int t = 0; t < T; ++t) xs[t] = in.salient.data() + (b0 + t) * in.salient_stride;
  const uint32_t* codes[R];
  for (int r = 0; r < R; ++r) codes[r] = w.codes + (i0 + r) * w.code_words;
  // Full groups of 16 codes, then one masked group for the remaining words (never read past a
  // row's words or the salient input's padded length).
  const int64_t group_words = w.code_bits == 4 ? 2 : 4;
  const int64_t full = w.code_words / group_words, rest = w.code_words % group_words;
  for (int64_t g = 0; g < full; ++g) {
    __m512 xv[T];
    for (int t = 0; t < T; ++t) xv[t] = _mm512_loadu_ps(xs[t] + 16 * g);
    for (int r = 0; r < R; ++r) {
      const uint32_t* q = codes[r] + group_words * g;
      const __m512 code =
          w.code_bits == 4
              ? codes4_to_ps(_mm512_set1_epi64(static_cast<long long>(load_u64(q))))
              : _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q))));
      for (int t = 0; t < T; ++t) sacc[r][t] = _mm512_fmadd_ps(code, xv[t], sacc[r][t]);
    }
  }
  if (rest > 0) {
    const int lanes = static_cast<int>(rest * (w.code_bits == 4 ? 8 : 4));
    const __mmask16 k = static_cast<__mmask16>((1u << lanes) - 1u);
    __m512 xv[T];
    for (int t = 0; t < T; ++t) xv[t] = _mm512_maskz_loadu_ps(k, xs[t] + 16 * full);
    for (int r = 0; r < R; ++r) {
      const uint32_t* q = codes[r] + group_words * full;
      const __m512 code =
          w.code_bits == 4
              ? codes4_to_ps(_mm512_set1_epi32(static_cast<int>(q[0])))
              : _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi32(static_cast<__mmask8>((1u << rest) - 1u), q)));
      for (int t = 0; t < T; ++t) sacc[r][t] = _mm512_mask3_fmadd_ps(code, xv[t], sacc[r][t], k);
    }
  }

  for (int r = 0; r < R; ++r) {
    const int64_t i = i0 + r;
    for (int t = 0; t < T; ++t) {
      __m512 set = acc[0][r][t];
      for (int s = 1; s < A; ++s) set = _mm512_add_ps(set, acc[s][r][t]);
      const size_t b = static_cast<size_t>(b0 + t);
      const float folded_sum = in.folded_sum[b];
      y[(b0 + t) * w.rows + i] =
          packed_row_output(w.a[i], w.c[i], w.scale[i], w.zero[i], 2.0f * _mm512_reduce_add_ps(set) - folded_sum,
                            folded_sum, _mm512_reduce_add_ps(sacc[r][t]), in.salient_sum[b]);
    }
  }
}

template <int R>
void row_block_tiles(const PackedLinearView& w, const FoldedInput& in, int64_t i0, float* y) {
  int64_t b = 0;
  for (; b + kTile <= in.batch; b += kTile) row_block<R, kTile>(w, in, i0, b, y);
  switch (in.batch - b) {
    case 1: row_block<R, 1>(w, in, i0, b, y); break;
    case 2: row_block<R, 2>(w, in, i0, b, y); break;
    case 3: row_block<R, 3>(w, in, i0, b, y); break;
    default: break;
  }
}

// Touches the sign and code words of rows i0 .. i0 + count so that they are on their way from
// memory while the rows before them are computed.
void prefetch_rows(const PackedLinearView& w, int64_t i0, int64_t count) {
  const char* s = reinterpret_cast<const char*>(w.signs + i0 * w.sign_words);
  for (int64_t b = 0; b < count * w.sign_words * 4; b += 64) _mm_prefetch(s + b, _MM_HINT_T0);
  const char* q = reinterpret_cast<const char*>(w.codes + i0 * w.code_words);
  for (int64_t b = 0; b < count * w.code_words * 4; b += 64) _mm_prefetch(q + b, _MM_HINT_T0);
}

// Batch 1 on whole blocks of 16 rows side by side (signs_by_16, codes_by_16) with look-up tables
// in vector registers: per group of 4 folded inputs a 16-entry table of their subset sums (for the
// sign bits), per salient column a table of code x input (for its 4-bit codes), indexed by one
// nibble of each of the 16 rows' words at once with one permute. Per 4 columns of 16 rows that is
// a shift, a permute and an add, against a mask and a masked add per 16 columns of one row in
// row_block. (At batch 4 and more the tables of every column no longer stay in L1 and row_block
// is faster: measured 1.6 vs 2.4 ms at batch 4 on 11008 x 4096.)
//   sign tables:    S[16 g + b] = sum of folded[4g + j] over the set bits j of b
//   salient tables: U[16 k + q] = q * salient[k]
void sixteen_rows_batch1(const PackedLinearView& w, const FoldedInput& in, float* y) {
  const int64_t groups = w.sign_words * 8, codes = w.code_words * 8;
  thread_local std::vector<float> tables, code_tables;
  tables.resize(static_cast<size_t>(groups * 16));
  code_tables.resize(static_cast<size_t>(codes * 16));
  const __m512 zero = _mm512_setzero_ps();
  const __m512 ramp = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int64_t g = 0; g < groups; ++g) {
    const float* x = in.folded.data() + 4 * g;
    __m512 e = _mm512_mask_mov_ps(zero, 0xAAAA, _mm512_set1_ps(x[0]));
    e = _mm512_mask_add_ps(e, 0xCCCC, e, _mm512_set1_ps(x[1]));
    e = _mm512_mask_add_ps(e, 0xF0F0, e, _mm512_set1_ps(x[2]));
    e = _mm512_mask_add_ps(e, 0xFF00, e, _mm512_set1_ps(x[3]));
    _mm512_storeu_ps(tables.data() + 16 * g, e);
  }
  for (int64_t k = 0; k < codes; ++k)
    _mm512_storeu_ps(code_tables.data() + 16 * k, _mm512_mul_ps(ramp, _mm512_set1_ps(in.salient[static_cast<size_t>(k)])));

  // The worker threads have thread_locals of their own: they read these through plain pointers.
  const float* sign_table = tables.data();
  const float* code_table = code_tables.data();
  const int64_t blocks = w.rows / 16;
#pragma omp parallel for schedule(static)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    __m512 acc[4] = {zero, zero, zero, zero};  // independent chains
    const uint32_t* s = w.signs_by_16 + blk * w.sign_words * 16;
    for (int64_t v = 0; v < w.sign_words; ++v) {
      const __m512i word = _mm512_loadu_si512(s + 16 * v);
      const float* e = sign_table + 128 * v;
      for (int n = 0; n < 8; ++n)  // the permute reads only the low 4 bits of each shifted word
        acc[n % 4] = _mm512_add_ps(acc[n % 4],
                                   _mm512_permutexvar_ps(_mm512_srli_epi32(word, 4 * n), _mm512_loadu_ps(e + 16 * n)));
    }
    __m512 sacc[2] = {zero, zero};
    const uint32_t* q = w.codes_by_16 + blk * w.code_words * 16;
    for (int64_t v = 0; v < w.code_words; ++v) {
      const __m512i word = _mm512_loadu_si512(q + 16 * v);
      const float* e = code_table + 128 * v;
      for (int n = 0; n < 8; ++n)
        sacc[n % 2] = _mm512_add_ps(sacc[n % 2],
                                    _mm512_permutexvar_ps(_mm512_srli_epi32(word, 4 * n), _mm512_loadu_ps(e + 16 * n)));
    }
    alignas(64) float set[16], code[16];
    _mm512_store_ps(set, _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3])));
    _mm512_store_ps(code, _mm512_add_ps(sacc[0], sacc[1]));
    for (int r = 0; r < 16; ++r) {
      const int64_t i = blk * 16 + r;
      y[i] = packed_row_output(w.a[i], w.c[i], w.scale[i], w.zero[i], 2.0f * set[r] - in.folded_sum[0],
                               in.folded_sum[0], code[r], in.salient_sum[0]);
    }
  }
  for (int64_t i = blocks * 16; i < w.rows; ++i) row_block_tiles<1>(w, in, i, y);
}

}  // namespace

void packed_linear_avx512(const PackedLinearView& w, const FoldedInput& in, float* y) {
  if (in.batch == 1 && w.code_bits == 4 && w.rows >= 16 && (w.sign_words == 0 || w.signs_by_16) &&
      (w.code_words == 0 || w.codes_by_16))
    return sixteen_rows_batch1(w, in, y);
  const int64_t blocks = w.rows / kRows;
  constexpr int64_t kAhead = 2;  // blocks prefetched ahead
#pragma omp parallel for schedule(dynamic, 16)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    if (blk + kAhead < blocks) prefetch_rows(w, (blk + kAhead) * kRows, kRows);
    row_block_tiles<kRows>(w, in, blk * kRows, y);
  }
  for (int64_t i = blocks * kRows; i < w.rows; ++i) row_block_tiles<1>(w, in, i, y);
}

}  // namespace quantcore::kernels
