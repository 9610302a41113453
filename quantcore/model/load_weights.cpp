#include <ATen/ATen.h>

#include <cstdint>
#include <cstring>

#include "quantcore/io/errors.h"
#include "quantcore/model/tensor_from_view.h"

namespace quantcore {

c10::ScalarType scalar_type_of(DType dtype) {
  switch (dtype) {
    case DType::F32: return at::kFloat;
    case DType::F16: return at::kHalf;
    case DType::BF16: return at::kBFloat16;
    case DType::I8: return at::kChar;
    case DType::U8: return at::kByte;
    case DType::I16: return at::kShort;
    case DType::I32: return at::kInt;
    case DType::I64: return at::kLong;
    case DType::BOOL: return at::kBool;
    case DType::U32: throw std::invalid_argument("U32 tensors have no LibTorch type; unpack them first");
  }
  throw std::logic_error("unhandled dtype");
}

at::Tensor tensor_from_view(const TensorView& view, c10::ScalarType dtype, c10::Device device) {
  const at::TensorOptions stored = at::TensorOptions().dtype(scalar_type_of(view.dtype));
  if (reinterpret_cast<std::uintptr_t>(view.data) % dtype_size(view.dtype) != 0) {
    // safetensors offsets are byte offsets: copy an unaligned tensor into aligned memory first.
    at::Tensor aligned = at::empty(view.shape, stored);
    std::memcpy(aligned.data_ptr(), view.data, view.nbytes);
    return aligned.to(device, dtype, /*non_blocking=*/false, /*copy=*/true);
  }
  // from_blob does not copy; the .to() below does, so the mapped file is never written.
  at::Tensor borrowed = at::from_blob(const_cast<void*>(view.data), view.shape, stored);
  return borrowed.to(device, dtype, /*non_blocking=*/false, /*copy=*/true);
}

std::vector<float> host_floats(const at::Tensor& t) {
  const at::Tensor c = t.detach().to(at::kCPU, at::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace quantcore
