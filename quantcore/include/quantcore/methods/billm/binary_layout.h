#pragma once
// What the binarised stored form holds per block (baselines-spec §2.4-§2.5, ARB-LLM §7.4-§7.5) and
// its bits: zones, their order and per-row scalars, and the accounting from the salient-column
// count. Torch-free.
#include <cstdint>

namespace quantcore::methods::billm {

// How a zone's values are made: BiLLM's BIN_k (a mean per order, §2.4), ARB's one-mean fits
// (arb, arb-x, §7.2 a-c) or ARB-RC's row-column scales without mean (§7.2 d-e).
enum class FitKind { Billm, ArbMean, ArbRowColumn };
const char* fit_kind_name(FitKind kind);  // "billm", "arb-mean", "arb-row-column"

// Zones in stored order. Without CGB: concentrated M1, sparse M2 (order 1, non-salient columns),
// salient C (order 2). With CGB (ARB-LLM §7.3 step 4) the salient columns split too:
// salient-concentrated Sc, salient-sparse Ss (order 2 each).
inline constexpr int kConcentrated = 0;
inline constexpr int kSparse = 1;
inline constexpr int kSalient = 2;  // = Sc with CGB
inline constexpr int kSalientSparse = 3;

struct BinaryLayout {
  FitKind kind = FitKind::Billm;
  bool split_salient = false;  // CGB: a group bit in the salient columns too
  int64_t block_size = 128;

  int zones() const { return split_salient ? 4 : 3; }
  int zone_of(bool salient_column, bool sparse) const {
    if (!salient_column) return sparse ? kSparse : kConcentrated;
    return split_salient && sparse ? kSalientSparse : kSalient;
  }
  int order(int zone) const { return zone >= kSalient ? 2 : 1; }
  int means(int zone) const { return kind == FitKind::Billm ? order(zone) : (kind == FitKind::ArbMean ? 1 : 0); }
  bool column_scales() const { return kind == FitKind::ArbRowColumn; }
  // fp16 scalars per (row, block): BiLLM 8 (μc αc μs αs μ1 α1 μ2 α2), ARB 7 / 10 with CGB,
  // ARB-RC 4 / 6 with CGB (§7.5).
  int scalars_per_row_block() const;

  // Every stored bit of an n × m linear with k salient columns (over all blocks): a sign per
  // weight, a second sign per salient entry, a group bit per non-salient entry (per entry with
  // CGB), the salient-column bitmap (m bits), the per-(row, block) fp16 scalars and, for ARB-RC,
  // fp16 column scales per zone over that zone's columns. k may be fractional (§7.5's r_sal·m).
  double stored_bits(int64_t n, int64_t m, double k) const;
  // The papers' "weight bits" N_param = 2 r_sal + (1 - r_sal) = 1 + k/m (BiLLM Eq. 14, ARB §4.2).
  static double paper_bits_per_weight(int64_t m, double k);
};

// §7.5's accounting as the spec derives it for a linear of n rows with salient-column fraction r and
// β-column blocks: signs 1 + r, a dense group bitmap 1, the column bitmap 1/n, `scalars` fp16
// per (row, block), and `column_scales_per_block` fp16 RC column scales per block (2β, + 2k with
// CGB, k = rβ). The stored layout above differs only in the group bitmap (not kept where a
// salient column has no group split).
double section75_bits_per_weight(int64_t n, double r, int64_t block_size, int scalars, double column_scales_per_block);

}  // namespace quantcore::methods::billm
