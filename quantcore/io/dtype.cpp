#include "quantcore/io/dtype.h"

#include <array>

namespace quantcore {
namespace {

struct DTypeInfo {
  DType dtype;
  const char* name;
  std::size_t size;
};

// Order matches the enum, so the table is indexed by it.
constexpr std::array<DTypeInfo, 10> kDTypes = {{
    {DType::F32, "F32", 4},
    {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2},
    {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},
    {DType::I16, "I16", 2},
    {DType::I32, "I32", 4},
    {DType::I64, "I64", 8},
    {DType::BOOL, "BOOL", 1},
    {DType::U32, "U32", 4},  // packed bit words (docs/packed-format.md)
}};

constexpr bool table_matches_enum() {
  for (std::size_t i = 0; i < kDTypes.size(); ++i) {
    if (static_cast<std::size_t>(kDTypes[i].dtype) != i) return false;
  }
  return true;
}
static_assert(table_matches_enum(), "kDTypes must list the DType values in enum order");

const DTypeInfo& info(DType dtype) { return kDTypes[static_cast<std::size_t>(dtype)]; }

}  // namespace

std::optional<DType> dtype_from_safetensors_name(std::string_view name) {
  for (const DTypeInfo& d : kDTypes) {
    if (name == d.name) return d.dtype;
  }
  return std::nullopt;
}

const char* safetensors_name(DType dtype) { return info(dtype).name; }

std::size_t dtype_size(DType dtype) { return info(dtype).size; }

}  // namespace quantcore
