#pragma once
// Random calibration windows over one tokenised text (PTQ1.61 spec §1.3). Torch-free.
// The draws use std::mt19937_64 (whose output the C++ standard fixes) and our own bounded
// mapping, never std::uniform_int_distribution (implementation-defined), so one seed picks the
// same windows with every compiler and standard library.
#include <cstdint>
#include <random>
#include <vector>

namespace quantcore {

struct CalibrationOptions {
  int64_t nsamples = 128;
  int64_t seqlen = 2048;
  uint64_t seed = 2;
  bool operator==(const CalibrationOptions&) const = default;
};

// Uniform integer in [0, bound) (bound >= 1) without bias: Lemire's multiply-shift mapping
// with rejection of the few low products that would over-represent some results.
uint64_t uniform_below(std::mt19937_64& engine, uint64_t bound);

// `nsamples` start offsets, each uniform in [0, total_tokens - seqlen - 1] inclusive like the
// reference's random.randint(0, T-L-1). Throws InputError when the text has no more than
// `seqlen` tokens or an option is not positive.
std::vector<int64_t> calibration_window_starts(int64_t total_tokens, const CalibrationOptions& options);

// The windows themselves: ids[start, start + seqlen) for each start above.
std::vector<std::vector<int32_t>> calibration_windows(const std::vector<int32_t>& ids,
                                                      const CalibrationOptions& options);

}  // namespace quantcore
