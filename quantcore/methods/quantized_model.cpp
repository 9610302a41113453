#include <stdexcept>

#include "quantcore/methods/quantized_linear.h"

namespace quantcore::methods {

const QuantizedLinear& QuantizedModel::linear(int64_t block, const std::string& name) const {
  for (const QuantizedBlock& b : blocks)
    if (b.block == block)
      for (const auto& l : b.linears)
        if (l->linear() == name) return *l;
  throw std::out_of_range("no quantised linear " + name + " in block " + std::to_string(block));
}

int64_t QuantizedModel::stored_bytes() const {
  int64_t bits = 0;
  for (const QuantizedBlock& b : blocks)
    for (const auto& l : b.linears) bits += l->stored_bits();
  return (bits + 7) / 8;
}

}  // namespace quantcore::methods
