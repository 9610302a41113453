#pragma once
// What the libFuzzer harnesses share: one scratch directory per process for readers that only
// take a path, and the rule that an InputError is the readers' documented answer to bad bytes
// (anything else escaping, a crash, a sanitizer report, a leak, a hang or an allocation beyond
// libFuzzer's limit is a finding).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "quantcore/io/errors.h"

namespace quantlens_fuzz {

// /dev/shm/quantlens-fuzz-PID (the temp directory where /dev/shm is missing), created on first
// use and removed when the process exits normally.
const std::filesystem::path& scratch_dir();

// Writes `bytes` to scratch_dir() / relative (the same path on every call, parent folders
// created) and returns that path.
std::filesystem::path write_scratch(const std::filesystem::path& relative, std::string_view bytes);

inline std::string_view as_text(const uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Reads every byte of a view the readers hand out, so ASan sees one that points outside its file.
uint64_t touch(const void* data, std::size_t nbytes);

// Runs `f`; a rejection the CLI reports as bad input (exit 2, app/cli/main.cpp) ends the input
// quietly: an InputError, or a filesystem_error for a path the system refuses (a name over
// NAME_MAX). Any other exception escapes, and libFuzzer reports it as a crash through
// std::terminate. QUANTLENS_FUZZ_VERBOSE=1 prints each rejection.
template <typename F>
void expect_input_error(F&& f) {
  try {
    f();
  } catch (const quantcore::InputError& e) {
    if (std::getenv("QUANTLENS_FUZZ_VERBOSE") != nullptr) std::fprintf(stderr, "rejected: %s\n", e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    if (std::getenv("QUANTLENS_FUZZ_VERBOSE") != nullptr) std::fprintf(stderr, "refused path: %s\n", e.what());
  }
}

// A property the code promises that does not hold: print and abort (a crash for libFuzzer).
[[noreturn]] inline void broken(const std::string& what) {
  std::fprintf(stderr, "fuzz: property broken: %s\n", what.c_str());
  std::abort();
}

// QUANTLENS_DATA_DIR / relative, the shared models the text harnesses load.
std::filesystem::path data_path(const std::string& relative);

}  // namespace quantlens_fuzz
