#pragma once
// Number formatting shared by the comparison's text reports (compare_report.cpp, compare_svg.cpp).
// Private to analysis/src.
#include <cstdio>
#include <string>

namespace analysis {

// printf's %.Nf.
inline std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace analysis
