#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "quantcore/io/json_input.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/io/safetensors.h"

namespace quantcore {
namespace {

// The header is padded with spaces so the data buffer starts 8-byte aligned, as the official
// writer does.
constexpr std::size_t kHeaderAlignment = 8;

std::string little_endian_u64(uint64_t v) {
  std::string out(8, '\0');
  for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

}  // namespace

void SafetensorsWriter::add(const std::string& name, DType dtype, std::vector<int64_t> shape, const void* data,
                            std::size_t nbytes) {
  if (name == "__metadata__") throw std::invalid_argument("tensor name '__metadata__' is reserved");
  for (const Pending& t : tensors_) {
    if (t.name == name) throw std::invalid_argument("tensor '" + name + "' added twice");
  }
  uint64_t numel = 1;
  for (int64_t d : shape) {
    if (d < 0) throw std::invalid_argument("tensor '" + name + "' has a negative dimension");
    numel *= static_cast<uint64_t>(d);
  }
  if (numel * dtype_size(dtype) != nbytes) {
    throw std::invalid_argument("tensor '" + name + "': " + std::to_string(nbytes) + " bytes given but shape " +
                                detail::shape_string(shape) + " of " + safetensors_name(dtype) + " needs " +
                                std::to_string(numel * dtype_size(dtype)));
  }
  Pending t{name, dtype, std::move(shape), std::vector<unsigned char>(nbytes)};
  if (nbytes > 0) std::memcpy(t.bytes.data(), data, nbytes);
  tensors_.push_back(std::move(t));
}

void SafetensorsWriter::set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }

void SafetensorsWriter::write(const std::filesystem::path& path) const {
  // Tensors lie back to back in insertion order: gaps would make the file invalid for the
  // official reader, which requires the offsets to tile the buffer.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata_.empty()) header["__metadata__"] = metadata_;
  uint64_t offset = 0;
  for (const Pending& t : tensors_) {
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    entry["dtype"] = safetensors_name(t.dtype);
    entry["shape"] = t.shape;
    entry["data_offsets"] = nlohmann::ordered_json::array({offset, offset + t.bytes.size()});
    header[t.name] = std::move(entry);
    offset += t.bytes.size();
  }
  std::string text = header.dump();
  text.append((kHeaderAlignment - text.size() % kHeaderAlignment) % kHeaderAlignment, ' ');

  write_file_atomically(path, [&](std::ostream& out) {
    out << little_endian_u64(text.size()) << text;
    for (const Pending& t : tensors_) {
      out.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
    }
  });
}

}  // namespace quantcore
