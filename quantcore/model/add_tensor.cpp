#include "quantcore/model/add_tensor.h"

#include <ATen/ATen.h>

namespace quantcore {

void add_tensor(SafetensorsWriter& w, const std::string& name, const at::Tensor& t) {
  at::Tensor c = t.detach().to(at::kCPU).contiguous();
  DType d;
  switch (c.scalar_type()) {
    case at::kFloat: d = DType::F32; break;
    case at::kHalf: d = DType::F16; break;
    case at::kBFloat16: d = DType::BF16; break;
    case at::kByte: d = DType::U8; break;
    case at::kBool: d = DType::BOOL; break;
    case at::kInt: d = DType::I32; break;
    case at::kLong: d = DType::I64; break;
    default:
      c = c.to(at::kFloat);
      d = DType::F32;
      break;
  }
  w.add(name, d, c.sizes().vec(), c.data_ptr(), c.nbytes());
}

}  // namespace quantcore
