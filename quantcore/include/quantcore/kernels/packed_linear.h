#pragma once
// y = W' x for a packed PTQ1.61 linear, computed from the packed bits (never from a dense W').
// One dispatch point keyed by (device, dtype); every implementation sits beside its reference:
//   packed_linear_cpu.h   reference (dequantise + dot), scalar path, AVX2 path
//   packed_linear_cuda.h  the CUDA kernel (fp32, fp16, bf16 activations)
#include <cstdint>
#include <vector>

#include "quantcore/kernels/device.h"
#include "quantcore/kernels/packed_operand.h"

namespace quantcore::kernels {

// x: [batch, cols] and y: [batch, rows], row-major, of `dtype`, in `device`'s memory (as are the
// view's pointers). `stream` is a cudaStream_t on CUDA (null: the default stream), unused on CPU.
// Throws std::invalid_argument for a pair with no kernel or inconsistent arguments.
void packed_linear_forward(Device device, DType dtype, const PackedLinearView& weight, const void* x, void* y,
                           int64_t batch, void* stream = nullptr);

struct PackedLinearKernel {
  Device device;
  DType dtype;
  void (*run)(const PackedLinearView& weight, const void* x, void* y, int64_t batch, void* stream);
};
// The dispatch table of this build.
const std::vector<PackedLinearKernel>& packed_linear_kernels();

}  // namespace quantcore::kernels
