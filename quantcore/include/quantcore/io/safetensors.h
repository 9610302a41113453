#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "quantcore/io/mapped_file.h"
#include "quantcore/io/tensor_view.h"

namespace quantcore {

struct SafetensorsEntry {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // offsets into the data buffer (after the header), [begin, end)
  uint64_t end = 0;
};

// One memory-mapped .safetensors file. Every structural problem (truncated file, header past
// EOF or over 100 MB, bad JSON, unknown dtype, offsets out of range or overlapping, size not
// matching shape x dtype) throws InputError naming the file.
class SafetensorsFile {
public:
  static constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;

  explicit SafetensorsFile(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  const std::vector<SafetensorsEntry>& entries() const { return entries_; }
  const SafetensorsEntry* entry(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  TensorView view(const SafetensorsEntry& e) const;
  // The 8-byte length plus the JSON header: everything before the data buffer.
  uint64_t header_bytes() const { return header_bytes_; }

private:
  std::filesystem::path path_;
  MappedFile file_;
  const unsigned char* data_ = nullptr;  // start of the data buffer
  uint64_t header_bytes_ = 0;
  std::vector<SafetensorsEntry> entries_;
  std::map<std::string, std::size_t> by_name_;
  std::map<std::string, std::string> metadata_;
};

// A checkpoint directory's tensors: model.safetensors, or the shards named by
// model.safetensors.index.json (every shard is opened; the index must name existing tensors).
class SafetensorsCheckpoint : public WeightSource {
public:
  explicit SafetensorsCheckpoint(const std::filesystem::path& dir);
  std::optional<TensorView> find(const std::string& name) const override;
  std::vector<std::string> names() const override;
  std::string location(const std::string& name) const override;
  const std::vector<std::unique_ptr<SafetensorsFile>>& files() const { return files_; }

private:
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, std::size_t> where_;  // tensor name -> index into files_
};

// Writes a .safetensors file atomically (temporary name in the same folder, then rename).
class SafetensorsWriter {
public:
  void add(const std::string& name, DType dtype, std::vector<int64_t> shape, const void* data, std::size_t nbytes);
  void set_metadata(const std::string& key, const std::string& value);
  void write(const std::filesystem::path& path) const;

private:
  struct Pending {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<unsigned char> bytes;
  };
  std::vector<Pending> tensors_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace quantcore
