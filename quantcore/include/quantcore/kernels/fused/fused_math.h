#pragma once
// The per-element arithmetic of the fused engine ops, written once for the CPU row loops and the
// CUDA kernels (spec §4.2, §2.1). The rebuild keeps the ATen formula's rounding order
//   b = mu + alpha . s,  W' = (b . r1) . r2_low
// and on the device each step is rounded on its own (no contraction into an FMA), as the
// separate ATen kernels round it.
#include "quantcore/kernels/host_device.h"

namespace quantcore::kernels::fused {

// The binarised value before the row scale: mu + alpha . s, s in {-1, 0, +1}.
QUANTLENS_HD float binarised_value(float mu, float alpha, float sign) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(mu, __fmul_rn(alpha, sign));
#else
  return mu + alpha * sign;
#endif
}

// W'_ij on a non-salient column: (b . r1) . r2_low (r2_low = 0 on the salient columns).
QUANTLENS_HD float rebuilt_value(float binarised, float r1, float r2_low) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(__fmul_rn(binarised, r1), r2_low);
#else
  return (binarised * r1) * r2_low;
#endif
}

// A running max of |x| that NaN takes over for good, as at::amax propagates it.
QUANTLENS_HD float nan_propagating_max(float running, float v) { return (v > running || v != v) ? v : running; }

}  // namespace quantcore::kernels::fused
