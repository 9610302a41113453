#include "widgets/colormap.h"

#include <cmath>

namespace widgets {

namespace {
std::array<Rgb, 256> buildTable() {
  static constexpr float anchors[9][3] = {{68, 1, 84},    {71, 44, 122}, {59, 81, 139},  {44, 113, 142}, {33, 144, 141},
                                          {39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37}};
  std::array<Rgb, 256> table{};
  for (int i = 0; i < 256; ++i) {
    const float x = i / 255.0f * 8.0f;
    const int a = std::min(7, static_cast<int>(x));
    const float f = x - a;
    auto mix = [&](int c) {
      return static_cast<uint8_t>(std::lround(anchors[a][c] * (1 - f) + anchors[a + 1][c] * f));
    };
    table[i] = {mix(0), mix(1), mix(2)};
  }
  return table;
}
}  // namespace

const std::array<Rgb, 256>& colormapTable() {
  static const std::array<Rgb, 256> table = buildTable();
  return table;
}

Rgb colormap(float t) {
  if (!(t > 0.0f)) return colormapTable()[0];
  if (t >= 1.0f) return colormapTable()[255];
  return colormapTable()[static_cast<size_t>(t * 255.0f + 0.5f)];
}

}  // namespace widgets
