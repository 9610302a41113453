#pragma once
// A string -> id map that can be queried with a string_view without building a std::string.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace quantcore {

struct TransparentStringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

using StringToId = std::unordered_map<std::string, int32_t, TransparentStringHash, std::equal_to<>>;

}  // namespace quantcore
