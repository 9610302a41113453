#pragma once
#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace quantlens_test {

// ../shared/data/<rel>; the test fails (not skips) when the shared data is missing.
std::filesystem::path data_path(const std::string& rel);
nlohmann::json read_json(const std::filesystem::path& path);
std::string read_text(const std::filesystem::path& path);

// A fresh directory removed at the end of the test.
class TempDir {
public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
  std::filesystem::path path_;
};

void write_bytes(const std::filesystem::path& path, const std::string& bytes);

// Every regular file below `dir` (its path relative to dir) and its bytes: to show that a
// command left its inputs as they were.
std::map<std::string, std::string> files_under(const std::filesystem::path& dir);

}  // namespace quantlens_test
