#pragma once
// The one table of quantization methods: everything that lists or names methods loops over it.
// Torch-free.
#include <span>
#include <string_view>

#include "quantcore/methods/quant_method.h"

namespace quantcore::methods {

std::span<const QuantMethod* const> registered_methods();
// nullptr when no method has that name.
const QuantMethod* find_method(std::string_view name);
// InputError(where, "unknown method NAME (one of: ...)") when no method has that name.
const QuantMethod& method_named(std::string_view name, std::string_view where);

}  // namespace quantcore::methods
