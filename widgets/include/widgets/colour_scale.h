#pragma once
// How a heatmap maps values to the colour map, shared by the canvas and the exported figure: a
// value range (scanned from the finite values) and a linear or log normalisation into [0, 1].
#include <vector>

namespace widgets {

struct ValueRange {
  float lo = 0.0f, hi = 1.0f;
  float loPositive = 1.0f;  // the smallest positive value: the bottom of the log scale
};

// The range of the finite values added so far; 0..1 when none was finite, loPositive = hi (or 1)
// when none was positive.
class ValueRangeScan {
public:
  void add(const std::vector<float>& values);
  bool empty() const;  // no finite value yet
  ValueRange range() const;

private:
  float lo_, hi_, loPositive_;
  bool init_ = false;
};

ValueRange scanValueRange(const std::vector<float>& values);

struct ColourScale {
  ValueRange range;
  bool log = false;

  // The ends of the scale in value units (log: from the smallest positive value).
  double bottom() const;
  double top() const;
  // v's place on the scale: 0 at bottom(), 1 at top(), 0.5 for an empty range; non-finite v
  // gives NaN, and v <= 0 on a log scale 0.
  double normalised(double v) const;
  // The value at place t (the inverse of normalised()).
  double valueAt(double t) const;
};

}  // namespace widgets
