#pragma once
#include <cstddef>
#include <filesystem>

namespace quantcore {

// A whole file mapped read-only. Throws InputError (naming the file) when it cannot be opened.
class MappedFile {
public:
  MappedFile() = default;
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }

private:
  void release();
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace quantcore
