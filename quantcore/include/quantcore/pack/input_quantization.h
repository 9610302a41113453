#pragma once
// Integer quantisation of a linear's input, one token (row) at a time: W(1+1)A(1×4)'s activation
// side (baselines-spec §1.1, §1.3 [inferred from the abstract]). A token x is divided by the
// per-channel smoothing s, quantised asymmetrically to `bits` with its own scale and zero point,
// and mapped back: x -> s ⊙ scale·(q − zero). The codes q = Σ_k 2^k b_k split exactly into
// `bits` binary planes b_k, so x̂Wᵀ = scale·(Σ_k 2^k b_k Wᵀ − zero·1Wᵀ): the A(1×4) form.
// Weights stored for a smoothed linear are the binarised W·diag(s) times diag(1/s), so every
// export stays a correct weight-only model. Torch-free CPU reference; the forward pass's op is
// checked against it.
#include <cstdint>
#include <vector>

namespace quantcore {

struct InputQuantization {
  int bits = 0;                  // 0: the input stays as computed; else 2..8
  std::vector<float> smoothing;  // per input channel s_j > 0, fp16-representable; empty: all 1
  bool enabled() const { return bits > 0; }
};

// Throws std::invalid_argument unless 2 <= bits <= 8.
void check_input_bits(int bits);

// One token's codes. The range is GPTQ's asymmetric min/max with 0 inside it (baselines-spec
// §4.1, per token here): lo = min(x, 0), hi = max(x, 0), scale = (hi − lo)/(2^bits − 1) (lo = −1,
// hi = 1 when both are 0), zero = round(−lo/scale), q = clamp(round(x/scale) + zero, 0, 2^bits − 1),
// rounding half to even.
struct QuantizedToken {
  float scale = 1;
  float zero = 0;
  std::vector<uint8_t> codes;
};

// Throws std::invalid_argument for a token holding NaN or ±inf.
QuantizedToken quantize_token(const float* x, int64_t channels, int bits);

// Plane k holds bit k of every code (k = 0 the least significant): `bits` planes of 0/1.
std::vector<std::vector<uint8_t>> bit_planes(const std::vector<uint8_t>& codes, int bits);

// The fake-quantised input: `tokens` rows of `channels` values, row-major, through
// x -> s ⊙ scale·(q − zero) of quantize_token(x / s); a token holding NaN or ±inf (after the
// division) comes out all NaN.
std::vector<float> fake_quantize_input(const float* x, int64_t tokens, int64_t channels, const InputQuantization& q);

}  // namespace quantcore
