#pragma once
// A LibTorch tensor into a safetensors writer (the writers of model directories and of a
// method's parameters).
#include <ATen/core/Tensor.h>

#include <string>

#include "quantcore/io/safetensors.h"

namespace quantcore {

// Adds a tensor (moved to CPU, contiguous) in its own dtype.
void add_tensor(SafetensorsWriter& w, const std::string& name, const at::Tensor& t);

}  // namespace quantcore
