#include "quantcore/io/peak_memory.h"

#include <sys/resource.h>

#include <fstream>
#include <string>

namespace quantcore {

int64_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;  // "VmHWM:   1234 kB"
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return int64_t(u.ru_maxrss) * 1024;
}

bool reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";  // proc(5): "5" resets the peak resident set size
  clear.flush();
  return static_cast<bool>(clear);
}

}  // namespace quantcore
