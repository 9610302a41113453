#pragma once
// Ticks of a heatmap's axes and colour bar, shared by the canvas and the exported figure: where
// they go and what they say. Numbers are written plainly (1000, never 1e+03); an axis with named
// indices (the activations map's rows, "b3 q_proj") shows the names where each has room, else
// the names of groups of indices ("b3" for a block) where those have room, else round numbers.
#include <cstdint>
#include <string>
#include <vector>

#include "widgets/colour_scale.h"

namespace widgets {

// Optional names of an axis's indices.
struct AxisLabels {
  struct Group {
    int64_t first = 0;  // the group's first index; it runs to the next group's
    std::string label;
  };
  std::vector<std::string> names;  // empty, or one short name per index
  std::vector<Group> groups;       // ascending `first`; may be empty
};

struct AxisTick {
  double at = 0;       // the tick line, in index units: k + 0.5 is the centre of index k, k its start
  double labelAt = 0;  // the centre of the label, in index units
  std::string label;   // empty for an unlabelled tick (a group boundary between labelled ones)
};

// The ticks of the visible range [first, last) (index units) of an axis of `count` indices drawn
// `pixelsPerIndex` apart. Names and group labels are at least nameSpacing pixels apart (the
// text's height on a vertical axis), numbers at least numberSpacing.
std::vector<AxisTick> axisTicks(const AxisLabels& labels, int64_t count, double first, double last,
                                double pixelsPerIndex, double nameSpacing, double numberSpacing);

// Every label axisTicks may give for such an axis at some zoom, for the margin that holds them.
std::vector<std::string> possibleAxisLabels(const AxisLabels& labels, int64_t count);

// v with about `significant` significant digits and no exponent: "28672", "0.25", "0.000012".
std::string plainNumber(double v, int significant = 3);

struct BarTick {
  double value = 0;
  double place = 0;  // on the scale, 0 (bottom) to 1 (top)
  std::string label;
};
// Ticks along a colour bar at least minGap (in place units) apart: round values on a linear
// scale; on a log scale the decades (and 2 and 5 times them where decades are few), with its
// ends where no round value is near them.
std::vector<BarTick> colourBarTicks(const ColourScale& scale, double minGap);

}  // namespace widgets
