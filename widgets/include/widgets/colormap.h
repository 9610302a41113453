#pragma once
// Perceptually ordered colour maps as 256-entry tables interpolated from nine anchor colours:
// viridis (the default: dark violet -> blue -> green -> yellow), magma, inferno and grey. And the
// marker red of salient cells, blended over a value colour by a pooled cell's salient fraction.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace widgets {

struct Rgb {
  uint8_t r, g, b;
  bool operator==(const Rgb&) const = default;
};
using ColourTable = std::array<Rgb, 256>;

// The default map. t in [0, 1] (clamped; NaN gives the first entry).
Rgb colormap(float t);
const ColourTable& colormapTable();

// The maps by name, the default first; null for a name not among them.
const std::vector<std::string>& colormapNames();
const ColourTable* findColormap(std::string_view name);
Rgb colormap(const ColourTable& table, float t);

// Over value colour c, the marker of a salient cell (red keeping c's shade) mixed in by `fraction`
// (a pooled cell's marked share): 0 gives c, 1 the marker.
Rgb markedColour(Rgb c, float fraction);

}  // namespace widgets
