#pragma once
#include <ATen/core/Tensor.h>

#include "quantcore/io/tensor_view.h"

namespace quantcore {

// Copies a checkpoint tensor into a new tensor of `dtype` on `device`.
at::Tensor tensor_from_view(const TensorView& view, c10::ScalarType dtype, c10::Device device);
c10::ScalarType scalar_type_of(DType dtype);

}  // namespace quantcore
