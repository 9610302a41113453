#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

#include "quantcore/io/tensor_view.h"

namespace quantcore {

// Copies a checkpoint tensor into a new tensor of `dtype` on `device`.
at::Tensor tensor_from_view(const TensorView& view, c10::ScalarType dtype, c10::Device device);
c10::ScalarType scalar_type_of(DType dtype);
// The values of `t` (any device, any floating dtype, any shape) as a row-major float vector.
std::vector<float> host_floats(const at::Tensor& t);

}  // namespace quantcore
