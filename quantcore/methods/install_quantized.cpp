#include "quantcore/methods/install_quantized.h"

#include <ATen/ATen.h>

#include <vector>

#include "quantcore/model/causal_lm.h"

namespace quantcore::methods {

void install_quantized(CausalLM& model, int64_t block, const QuantizedLinear& stored) {
  std::vector<uint16_t> dense = stored.dequantize_f16();
  model.set_linear_weight(block, stored.linear(),
                          at::from_blob(dense.data(), {stored.out_features(), stored.in_features()}, at::kHalf).clone());
  model.set_linear_input_quantization(block, stored.linear(), stored.input_quantization());
}

}  // namespace quantcore::methods
