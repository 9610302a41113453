#pragma once
// A dense row-major float matrix: the plain-data boundary between the tensor code and the views.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace analysis {

struct FloatMatrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> values;  // rows * cols, row-major; NaN marks a cell without data

  float at(int64_t r, int64_t c) const { return values[static_cast<std::size_t>(r * cols + c)]; }
};

}  // namespace analysis
