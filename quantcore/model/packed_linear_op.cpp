#include "packed_linear_op.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "quantcore/kernels/packed_linear.h"
#include "quantcore/kernels/packed_linear_cuda.h"

namespace quantcore::detail {

namespace {

kernels::DType kernel_dtype(c10::ScalarType type) {
  switch (type) {
    case at::kFloat: return kernels::DType::F32;
    case at::kHalf: return kernels::DType::F16;
    case at::kBFloat16: return kernels::DType::BF16;
    default: throw std::invalid_argument("packed linear: activations must be fp32, fp16 or bf16");
  }
}

}  // namespace

PackedLinearOp::PackedLinearOp(const PackedLinear& linear, c10::Device device)
    : device_(device), host_(kernels::make_packed_operand(linear)) {
  if (!device_.is_cuda()) return;
  cuda_ = std::make_unique<kernels::CudaPackedOperand>(host_);
  kernels::PackedOperand shape;  // the words now live on the GPU; keep only the shape here
  shape.rows = host_.rows;
  shape.cols = host_.cols;
  host_ = std::move(shape);
}

PackedLinearOp::~PackedLinearOp() = default;

at::Tensor PackedLinearOp::forward(const at::Tensor& x, const at::Tensor& bias) const {
  if (x.size(-1) != in_features())
    throw std::invalid_argument("packed linear: input has " + std::to_string(x.size(-1)) + " features, expected " +
                                std::to_string(in_features()));
  std::vector<int64_t> out_shape = x.sizes().vec();
  out_shape.back() = out_features();
  const bool cuda = device_.is_cuda();
  // The CPU kernel is fp32 only; CUDA computes in the model's dtype.
  const c10::ScalarType compute = cuda ? x.scalar_type() : at::kFloat;
  const at::Tensor input = x.reshape({-1, in_features()}).to(compute).contiguous();
  at::Tensor y = at::empty({input.size(0), out_features()}, input.options());
  if (input.size(0) > 0)
    kernels::packed_linear_forward(cuda ? kernels::Device::Cuda : kernels::Device::Cpu, kernel_dtype(compute),
                                 cuda ? cuda_->view() : host_.view(), input.data_ptr(), y.data_ptr(), input.size(0));
  y = y.to(x.scalar_type()).reshape(out_shape);
  return bias.defined() ? y + bias : y;
}

}  // namespace quantcore::detail
