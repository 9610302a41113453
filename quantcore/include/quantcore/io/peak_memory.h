#pragma once
// The process's peak resident memory, and a reset so that one step of a longer run (one method
// of a comparison) can be measured on its own. Linux: VmHWM of /proc/self/status, reset through
// /proc/self/clear_refs.
#include <cstdint>

namespace quantcore {

// Bytes; getrusage's lifetime maximum where /proc cannot be read.
int64_t peak_rss_bytes();
// Sets the peak to the current resident size; false where the kernel does not allow it (then
// peak_rss_bytes keeps counting from the process start).
bool reset_peak_rss();

}  // namespace quantcore
