#pragma once
// Options of one PTQ1.61 pass (spec §1.2, §2.2, §5.2); the defaults are the README run's.
// Torch-free.
#include <cstdint>

namespace quantcore {

// Which per-linear statistic ranks the salient input channels (§2.1; the reference uses max).
enum class MaskStatistic { MaxAbs, MeanAbs, None /* no salient columns: all binarised */ };

// Which loss terms (§5.1) drive the optimisation.
struct LossSwitches {
  bool quantized_branch = true;  // false: "fp-only", drop the T2 (L_homo) terms
  bool nlc = true;               // false: MSE terms only
};

struct Ptq161Options {
  int64_t epochs = 20;
  double lr_alpha = 5e-4;
  double lr_r = 1e-3;  // r1 and r2
  double salient_ratio = 0.2;  // = ptq161::kDefaultSalientRatio (§2.2)
  int salient_bits = 4;         // = ptq161::kDefaultSalientBits (§3)
  bool learn = true;  // false: analytic alpha, r1 = r2 = 1, no optimiser steps
  LossSwitches loss;
  MaskStatistic mask_statistic = MaskStatistic::MaxAbs;

  bool trains() const { return learn && epochs > 0; }
};

}  // namespace quantcore
