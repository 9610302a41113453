#pragma once
// The thin adaptor between tensors and the kernels room's packed linear (docs/kernels.md):
// holds one quantised linear in the kernels' layout (on the CPU, and copied to the GPU for
// cuda) and computes y = x W'^T (+ b) from the packed bits. Private to quantcore/model.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <memory>

#include "quantcore/kernels/packed_operand.h"
#include "quantcore/pack/packed_linear.h"

namespace quantcore::kernels {
class CudaPackedOperand;
}

namespace quantcore::detail {

class PackedLinearOp {
public:
  PackedLinearOp(const PackedLinear& linear, c10::Device device);
  ~PackedLinearOp();

  int64_t in_features() const { return host_.cols; }
  int64_t out_features() const { return host_.rows; }

  // x [..., in_features] in the model's dtype -> [..., out_features] in the same dtype. The CPU
  // kernel computes in fp32 (a bf16 input is widened and the output rounded back); the CUDA
  // kernel takes fp32, fp16 and bf16 as they are.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& bias) const;

private:
  c10::Device device_;
  kernels::PackedOperand host_;
  std::unique_ptr<kernels::CudaPackedOperand> cuda_;
};

}  // namespace quantcore::detail
