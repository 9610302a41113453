#pragma once
// A comparison saved as a directory, written by `quantlens compare --out` and the Studio's
// comparison view alike and read back by the Studio: compare.json (everything, read back),
// compare.md, compare.csv, layer_errors.csv and compare.svg (compare_report.h). Torch-free.
#include <filesystem>

#include "analysis/compare_job.h"

namespace analysis {

inline constexpr const char* kCompareJson = "compare.json";

// Writes the five files into a staging directory and moves it to `dest` (refusing an existing
// `dest` unless `force`; nothing half-written under the final name).
void write_compare_directory(const CompareResult& result, const std::filesystem::path& dest, bool force);

// compare.json back as a result without stored forms (rows' `run` is null). Throws InputError
// naming the file and the field for anything missing or mistyped.
CompareResult read_compare_directory(const std::filesystem::path& directory);

}  // namespace analysis
