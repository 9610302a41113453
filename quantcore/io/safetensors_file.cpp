#include <algorithm>
#include <limits>
#include <string_view>

#include "quantcore/io/json_input.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/safetensors.h"

namespace quantcore {
namespace {

using detail::in_quotes;
using detail::json_kind;
using nlohmann::json;

constexpr std::size_t kLengthBytes = 8;

uint64_t read_le_u64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Builds the entries of one header, throwing InputError(file, ...) on the first problem.
class HeaderReader {
public:
  HeaderReader(std::string file, uint64_t buffer_size) : file_(std::move(file)), buffer_size_(buffer_size) {}

  void read(const json& header, std::vector<SafetensorsEntry>& entries,
            std::map<std::string, std::string>& metadata) const {
    if (!header.is_object()) fail("header is " + json_kind(header) + ", not a JSON object");
    entries.reserve(header.size());
    for (const auto& [name, value] : header.items()) {
      if (name == "__metadata__") {
        metadata = read_metadata(value);
      } else {
        entries.push_back(read_entry(name, value));
      }
    }
    check_no_overlap(entries);
  }

private:
  [[noreturn]] void fail(const std::string& problem) const { throw InputError(file_, problem); }
  [[noreturn]] void fail(const std::string& name, const std::string& problem) const {
    fail("tensor " + in_quotes(name) + ": " + problem);
  }

  std::map<std::string, std::string> read_metadata(const json& value) const {
    std::map<std::string, std::string> out;
    if (value.is_null()) return out;
    if (!value.is_object()) fail("__metadata__ is " + json_kind(value) + ", not an object");
    for (const auto& [key, text] : value.items()) {
      if (!text.is_string()) {
        fail("__metadata__ value of " + in_quotes(key) + " is " + json_kind(text) + ", not a string");
      }
      out.emplace(key, text.get<std::string>());
    }
    return out;
  }

  const json& field(const std::string& name, const json& entry, const char* key) const {
    const auto it = entry.find(key);
    if (it == entry.end()) fail(name, std::string("missing field '") + key + "'");
    return *it;
  }

  uint64_t non_negative(const std::string& name, const json& v, const char* what) const {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer()) fail(name, std::string("negative ") + what + " " + v.dump());
    fail(name, std::string(what) + " is " + json_kind(v) + ", not an integer");
  }

  SafetensorsEntry read_entry(const std::string& name, const json& value) const {
    if (!value.is_object()) fail(name, "entry is " + json_kind(value) + ", not an object");
    SafetensorsEntry e;
    e.name = name;

    const json& dtype = field(name, value, "dtype");
    if (!dtype.is_string()) fail(name, "'dtype' is " + json_kind(dtype) + ", not a string");
    const auto parsed = dtype_from_safetensors_name(dtype.get<std::string>());
    if (!parsed) {
      fail(name, "unknown or unsupported dtype " + in_quotes(dtype.get<std::string>()) +
                     " (supported: F32, F16, BF16, I8, U8, I16, I32, I64, BOOL, U32)");
    }
    e.dtype = *parsed;

    const json& shape = field(name, value, "shape");
    if (!shape.is_array()) fail(name, "'shape' is " + json_kind(shape) + ", not an array");
    uint64_t numel = 1;
    bool too_large = false;
    for (const json& d : shape) {
      const uint64_t dim = non_negative(name, d, "dimension");
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) too_large = true;
      e.shape.push_back(static_cast<int64_t>(dim));
      const auto product = detail::checked_mul(numel, dim);
      if (!product) too_large = true;
      numel = product.value_or(0);
    }
    const auto nbytes = detail::checked_mul(numel, dtype_size(e.dtype));
    if (too_large || !nbytes) fail(name, "shape is too large (its byte size overflows 64 bits)");

    const json& offsets = field(name, value, "data_offsets");
    if (!offsets.is_array() || offsets.size() != 2) {
      fail(name, "'data_offsets' must be an array of two integers, got " + json_kind(offsets) +
                     (offsets.is_array() ? " of " + std::to_string(offsets.size()) : ""));
    }
    e.begin = non_negative(name, offsets[0], "offset");
    e.end = non_negative(name, offsets[1], "offset");
    if (e.begin > e.end) {
      fail(name, "data_offsets begin " + std::to_string(e.begin) + " is after end " + std::to_string(e.end));
    }
    if (e.end > buffer_size_) {
      fail(name, "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                     ") run past the data buffer (" + std::to_string(buffer_size_) + " bytes; offsets out of range)");
    }
    if (e.end - e.begin != *nbytes) {
      fail(name, "data_offsets span " + std::to_string(e.end - e.begin) + " bytes but shape " +
                     detail::shape_string(e.shape) + " of " + safetensors_name(e.dtype) + " needs " +
                     std::to_string(*nbytes) + " (size mismatch)");
    }
    return e;
  }

  // Sorts `entries` by offset and refuses two tensors sharing a byte. Gaps are allowed.
  void check_no_overlap(std::vector<SafetensorsEntry>& entries) const {
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
    const SafetensorsEntry* furthest = nullptr;  // the non-empty tensor reaching furthest so far
    for (const SafetensorsEntry& e : entries) {
      if (e.begin == e.end) continue;
      if (furthest != nullptr && e.begin < furthest->end) {
        fail("tensors " + in_quotes(furthest->name) + " and " + in_quotes(e.name) + " overlap in the data buffer");
      }
      furthest = &e;
    }
  }

  std::string file_;
  uint64_t buffer_size_;
};

}  // namespace

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path) : path_(path), file_(path) {
  const std::string file = path.string();
  const std::size_t size = file_.size();
  if (size < kLengthBytes) {
    throw InputError(file,
                     "file is " + std::to_string(size) + " bytes, too short for the 8-byte header length (truncated)");
  }
  const uint64_t header_bytes = read_le_u64(file_.data());
  if (header_bytes > kMaxHeaderBytes) {
    throw InputError(file, "header length " + std::to_string(header_bytes) + " is over the 100 MB limit");
  }
  if (header_bytes > size - kLengthBytes) {
    throw InputError(file, "header length " + std::to_string(header_bytes) + " runs past the end of the file (" +
                               std::to_string(size) + " bytes; truncated?)");
  }
  const auto* header_begin = reinterpret_cast<const char*>(file_.data() + kLengthBytes);
  const json header = detail::parse_json_text(std::string_view(header_begin, header_bytes), file);

  data_ = file_.data() + kLengthBytes + header_bytes;
  header_bytes_ = kLengthBytes + header_bytes;
  const uint64_t buffer_size = size - kLengthBytes - header_bytes;
  HeaderReader(file, buffer_size).read(header, entries_, metadata_);
  for (std::size_t i = 0; i < entries_.size(); ++i) by_name_.emplace(entries_[i].name, i);
}

const SafetensorsEntry* SafetensorsFile::entry(const std::string& name) const {
  const auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &entries_[it->second];
}

TensorView SafetensorsFile::view(const SafetensorsEntry& e) const {
  return TensorView{e.dtype, e.shape, data_ + e.begin, static_cast<std::size_t>(e.end - e.begin)};
}

}  // namespace quantcore
