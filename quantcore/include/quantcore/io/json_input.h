#pragma once
// Strict JSON parsing of user files and message formatting, for the readers of quantcore_io and
// quantcore_tokenize.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quantcore::detail {

// Parses `text` as JSON. Invalid JSON, duplicate keys in one object (nlohmann would silently
// keep the last) and nesting deeper than 64 levels (a crafted file could exhaust memory) throw
// InputError(file, ...).
nlohmann::json parse_json_text(std::string_view text, const std::string& file);
// Reads and parses a JSON file; a missing or unreadable file is an InputError too.
nlohmann::json read_json_file(const std::filesystem::path& path);

// `text` quoted for a one-line message: control characters escaped, long text shortened.
std::string in_quotes(std::string_view text);
// "[a, b, c]"
std::string shape_string(const std::vector<int64_t>& shape);
// "string", "number", "array", ... as a JSON reader would say it.
std::string json_kind(const nlohmann::json& value);

// a * b, or nullopt when it does not fit in uint64_t.
inline std::optional<uint64_t> checked_mul(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

}  // namespace quantcore::detail
