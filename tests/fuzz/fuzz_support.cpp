#include "fuzz_support.h"

#include <unistd.h>

#include <fstream>
#include <system_error>

namespace quantlens_fuzz {
namespace {

struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    std::error_code ec;
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
    path = base / ("quantlens-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

const std::filesystem::path& scratch_dir() {
  static const ScratchDir dir;
  return dir.path;
}

std::filesystem::path write_scratch(const std::filesystem::path& relative, std::string_view bytes) {
  const std::filesystem::path path = scratch_dir() / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

uint64_t touch(const void* data, std::size_t nbytes) {
  const auto* p = static_cast<const volatile unsigned char*>(data);
  uint64_t sum = 0;
  for (std::size_t i = 0; i < nbytes; ++i) sum += p[i];
  return sum;
}

std::filesystem::path data_path(const std::string& relative) {
  const std::filesystem::path path = std::filesystem::path(QUANTLENS_DATA_DIR) / relative;
  if (!std::filesystem::exists(path)) {
    std::fprintf(stderr, "fuzz: shared test data missing: %s\n", path.c_str());
    std::abort();
  }
  return path;
}

}  // namespace quantlens_fuzz
