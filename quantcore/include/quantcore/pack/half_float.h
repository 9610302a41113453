#pragma once
// IEEE binary16 conversions without LibTorch, bit-exact with c10::Half (round to nearest even,
// overflow to infinity, subnormals kept). Torch-free.
#include <cstdint>
#include <vector>

namespace quantcore {

uint16_t half_from_float(float value);
float float_from_half(uint16_t bits);
inline float round_to_half(float value) { return float_from_half(half_from_float(value)); }
// half_from_float of every value.
std::vector<uint16_t> halves_of(const std::vector<float>& values);

}  // namespace quantcore
