#pragma once
// Options of one PTQ1.61 pass (spec §1.2, §2.2, §5.2); the defaults are the README run's.
// Torch-free.
#include <cstdint>

#include "quantcore/pack/packed_linear.h"

namespace quantcore::methods::ptq161 {

// The defaults of spec §2.2 and §3; Ptq161Options and the method's parameter table start here.
inline constexpr double kDefaultSalientRatio = 0.2;
inline constexpr int kDefaultSalientBits = 4;

// Which per-linear statistic ranks the salient input channels (§2.1; the reference uses max).
enum class MaskStatistic { MaxAbs, MeanAbs, None /* no salient columns: all binarised */ };

// Which loss terms (§5.1) drive the optimisation.
struct LossSwitches {
  bool quantized_branch = true;  // false: "fp-only", drop the T2 (L_homo) terms
  bool nlc = true;               // false: MSE terms only
  bool l2_distance = false;      // spec §11 D3: ||Yq - T||_2 instead of MSE (paper eq. 5)
};

// Paper/code discrepancies of spec §11 in the binarisation (D3 is LossSwitches::l2_distance).
// The defaults are the official code's behaviour; each switch selects what the paper writes.
struct PaperVariants {
  bool no_mean = false;    // D2: binarise sgn(W) with no row mean (paper eq. 9)
  bool alpha_all = false;  // D6: alpha = ||w||_1 / n_w over all non-salient entries, zeros included
};

struct Ptq161Options {
  int64_t epochs = 20;
  double lr_alpha = 5e-4;
  double lr_r = 1e-3;                           // r1 and r2
  double salient_ratio = kDefaultSalientRatio;  // §2.2
  int salient_bits = kDefaultSalientBits;       // §3
  bool learn = true;                            // false: analytic alpha, r1 = r2 = 1, no optimiser steps
  LossSwitches loss;
  PaperVariants paper;
  MaskStatistic mask_statistic = MaskStatistic::MaxAbs;
  // Width of the stored vectors a, c, r2, scale, zero; finalised weights are dequantised from
  // them (docs/packed-format.md explains the fp16 default and its measured cost).
  VectorDType vector_dtype = VectorDType::F16;
  // The fused W' rebuild and backward (quantcore/kernels/fused) where it runs (fp32 on the CPU);
  // false: the ATen formula. A compute choice, not a method parameter: it comes from
  // ComputeOptions::fused_ops through the model.
  bool fused_ops = true;

  bool trains() const { return learn && epochs > 0; }
};

}  // namespace quantcore::methods::ptq161
