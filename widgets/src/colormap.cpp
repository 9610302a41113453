#include "widgets/colormap.h"

#include <algorithm>
#include <cmath>

namespace widgets {

namespace {

using Anchors = float[9][3];

ColourTable buildTable(const Anchors& anchors) {
  ColourTable table{};
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

// Anchors at t = 0, 1/8, ..., 1 of matplotlib's maps of the same names.
constexpr Anchors kViridis = {{68, 1, 84},    {71, 44, 122}, {59, 81, 139},  {44, 113, 142}, {33, 144, 141},
                              {39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37}};
constexpr Anchors kMagma = {{0, 0, 4},      {28, 16, 68},   {79, 18, 123},   {129, 37, 129}, {181, 54, 122},
                            {229, 80, 100}, {251, 135, 97}, {254, 194, 135}, {252, 253, 191}};
constexpr Anchors kInferno = {{0, 0, 4},     {31, 12, 72},   {85, 15, 109},  {136, 34, 106}, {186, 54, 85},
                              {227, 89, 51}, {249, 140, 10}, {249, 201, 50}, {252, 255, 164}};
constexpr Anchors kGrey = {{0, 0, 0},       {32, 32, 32},    {64, 64, 64},    {96, 96, 96},   {128, 128, 128},
                           {159, 159, 159}, {191, 191, 191}, {223, 223, 223}, {255, 255, 255}};

struct NamedTable {
  std::string name;
  ColourTable table;
};

const std::vector<NamedTable>& namedTables() {
  static const std::vector<NamedTable> tables = {{"viridis", buildTable(kViridis)},
                                                 {"magma", buildTable(kMagma)},
                                                 {"inferno", buildTable(kInferno)},
                                                 {"grey", buildTable(kGrey)}};
  return tables;
}

}  // namespace

const std::vector<std::string>& colormapNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const NamedTable& t : namedTables()) n.push_back(t.name);
    return n;
  }();
  return names;
}

const ColourTable* findColormap(std::string_view name) {
  for (const NamedTable& t : namedTables())
    if (t.name == name) return &t.table;
  return nullptr;
}

const ColourTable& colormapTable() { return namedTables().front().table; }

Rgb colormap(const ColourTable& table, float t) {
  if (!(t > 0.0f)) return table[0];
  if (t >= 1.0f) return table[255];
  return table[static_cast<size_t>(t * 255.0f + 0.5f)];
}

Rgb colormap(float t) { return colormap(colormapTable(), t); }

Rgb markedColour(Rgb c, float fraction) {
  const float f = fraction > 0.0f ? std::min(fraction, 1.0f) : 0.0f;  // NaN: unmarked
  const auto mix = [f](uint8_t from, int to) { return static_cast<uint8_t>(std::lround(from + f * (to - from))); };
  return {mix(c.r, 255), mix(c.g, c.g / 3), mix(c.b, c.b / 3)};
}

}  // namespace widgets
