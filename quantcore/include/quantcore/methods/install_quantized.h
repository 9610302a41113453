#pragma once
// A stored form put into a model as the forward pass computes with it: its fp16 W' as the
// linear's dense weight and its input quantisation (none for weight-only forms). The one place
// methods (inside quantize_block) and quantized_model() do this.
#include <cstdint>

#include "quantcore/methods/quantized_linear.h"

namespace quantcore {
class CausalLM;
}

namespace quantcore::methods {

void install_quantized(CausalLM& model, int64_t block, const QuantizedLinear& stored);

}  // namespace quantcore::methods
