#pragma once
// The CUDA packed linear (packed_linear_cuda.cu): one warp per output row streams the row's
// sign and code words once per batch tile of 8, the folded input (r2 x, salient x, their sums)
// is computed once per call by a first kernel. fp32, fp16 or bf16 activations and outputs,
// fp32 accumulation; the arithmetic is packed_math.h's. Declared in every build; defined only
// where nvcc was found (QUANTLENS_HAVE_CUDA_KERNELS), elsewhere the device has no kernels.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "quantcore/kernels/device.h"
#include "quantcore/kernels/packed_operand.h"

namespace quantcore::kernels {

// x [batch, cols], y [batch, rows] and the view's pointers in device memory.
void packed_linear_cuda(const PackedLinearView& weight, DType dtype, const void* x, void* y, int64_t batch,
                        void* stream);

// Device memory for tests and adaptors that hold no tensor library.
class CudaBuffer {
public:
  explicit CudaBuffer(size_t bytes);
  ~CudaBuffer();
  CudaBuffer(const CudaBuffer&) = delete;
  CudaBuffer& operator=(const CudaBuffer&) = delete;
  void upload(const void* host, size_t bytes);
  void download(void* host, size_t bytes) const;
  void* data() const { return data_; }

private:
  void* data_ = nullptr;
};

// A PackedOperand copied to the current CUDA device.
class CudaPackedOperand {
public:
  explicit CudaPackedOperand(const PackedOperand& host);
  const PackedLinearView& view() const { return view_; }

private:
  std::unique_ptr<CudaBuffer> signs_, codes_, salient_, binarised_, r2_, a_, c_, scale_, zero_;
  PackedLinearView view_;
};

}  // namespace quantcore::kernels
