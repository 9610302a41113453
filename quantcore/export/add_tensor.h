#pragma once
// A LibTorch tensor into a safetensors writer (private to quantcore_export).
#include <ATen/core/Tensor.h>

#include <string>

#include "quantcore/io/safetensors.h"

namespace quantcore::outputs {

// Adds a tensor (moved to CPU, contiguous) in its own dtype.
void add_tensor(SafetensorsWriter& w, const std::string& name, const at::Tensor& t);

}  // namespace quantcore::outputs
