#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace quantcore {

// Element types a safetensors file may hold (the subset QuantLens reads and writes).
enum class DType { F32, F16, BF16, I8, U8, I16, I32, I64, BOOL, U32 };

std::optional<DType> dtype_from_safetensors_name(std::string_view name);
const char* safetensors_name(DType dtype);
std::size_t dtype_size(DType dtype);

}  // namespace quantcore
