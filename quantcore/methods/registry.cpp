// The table of quantization methods (docs/CONTRIBUTING.md, "Add a method"): method_table.h holds
// one row per method.
#include "quantcore/methods/registry.h"

#include <string>

#include "quantcore/io/errors.h"

namespace quantcore::methods {

#define QUANTLENS_METHOD(ns)   \
  namespace ns {               \
  const QuantMethod& method(); \
  }
#include "method_table.h"
#undef QUANTLENS_METHOD

std::span<const QuantMethod* const> registered_methods() {
#define QUANTLENS_METHOD(ns) &ns::method(),
  static const QuantMethod* const table[] = {
#include "method_table.h"
  };
#undef QUANTLENS_METHOD
  return table;
}

const QuantMethod* find_method(std::string_view name) {
  for (const QuantMethod* m : registered_methods())
    if (m->name() == name) return m;
  return nullptr;
}

const QuantMethod& method_named(std::string_view name, std::string_view where) {
  if (const QuantMethod* m = find_method(name)) return *m;
  std::string names;
  for (const QuantMethod* m : registered_methods()) names += (names.empty() ? "" : ", ") + std::string(m->name());
  throw InputError(std::string(where), "unknown method \"" + std::string(name) + "\" (one of: " + names + ")");
}

}  // namespace quantcore::methods
