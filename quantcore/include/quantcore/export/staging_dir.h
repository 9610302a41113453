#pragma once
// Writing a directory all at once: a staging directory beside the destination, renamed into
// place when complete. Torch-free.
#include <filesystem>
#include <string>

namespace quantcore::outputs {

// A temporary directory beside the destination, removed unless committed: a cancelled or failed
// job never leaves anything under the final name.
class StagingDir {
public:
  explicit StagingDir(const std::filesystem::path& dest);
  ~StagingDir();
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  void commit(const std::filesystem::path& dest, bool force);

private:
  std::filesystem::path path_;
};

// The absolute destination; InputError when it exists, is not empty and `force` is not set.
std::filesystem::path checked_destination(const std::string& out, bool force);

}  // namespace quantcore::outputs
