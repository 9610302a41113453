#pragma once
// A perceptually ordered colour map (dark violet -> blue -> green -> yellow, viridis-like), as a
// 256-entry table interpolated from nine anchor colours.
#include <array>
#include <cstdint>

namespace widgets {

struct Rgb {
  uint8_t r, g, b;
};

// t in [0, 1] (clamped; NaN gives the first entry).
Rgb colormap(float t);
const std::array<Rgb, 256>& colormapTable();

}  // namespace widgets
