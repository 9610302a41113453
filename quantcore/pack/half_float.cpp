#include "quantcore/pack/half_float.h"

#include <cmath>
#include <cstring>

namespace quantcore {

uint16_t half_from_float(float value) {
  uint32_t x;
  std::memcpy(&x, &value, sizeof x);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  uint32_t magnitude = x & 0x7fffffffu;
  if (magnitude >= 0x7f800000u) {  // infinity or NaN (NaN stays quiet NaN)
    return sign | (magnitude > 0x7f800000u ? uint16_t(0x7e00u | ((magnitude >> 13) & 0x3ffu)) : uint16_t(0x7c00u));
  }
  if (magnitude >= 0x477ff000u) return sign | 0x7c00u;  // >= 65520 rounds to infinity
  if (magnitude < 0x38800000u) {                        // below 2^-14: a subnormal half (or zero)
    float a;
    std::memcpy(&a, &magnitude, sizeof a);
    // Units of 2^-24, rounded half to even (the default rounding mode); 0x400 is the smallest normal.
    return sign | static_cast<uint16_t>(std::nearbyint(a * 16777216.0f));
  }
  // Normal: rebias the exponent (127 -> 15) and round the 13 dropped mantissa bits half to even.
  const uint32_t odd = (magnitude >> 13) & 1u;
  magnitude += 0xc8000fffu + odd;
  return sign | static_cast<uint16_t>(magnitude >> 13);
}

float float_from_half(uint16_t bits) {
  const uint32_t sign = uint32_t(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1fu;
  const uint32_t mantissa = bits & 0x3ffu;
  uint32_t x;
  if (exponent == 0) {
    const float v = float(mantissa) * (1.0f / 16777216.0f);  // exact
    std::memcpy(&x, &v, sizeof x);
    x |= sign;
  } else if (exponent == 31) {
    x = sign | 0x7f800000u | (mantissa << 13);
  } else {
    x = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  }
  float out;
  std::memcpy(&out, &x, sizeof out);
  return out;
}

std::vector<uint16_t> halves_of(const std::vector<float>& values) {
  std::vector<uint16_t> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) out[i] = half_from_float(values[i]);
  return out;
}

}  // namespace quantcore
