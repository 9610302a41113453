// Built when nvcc was not found: no CUDA kernels, no devices; the CUDA entry points say so.
#include <stdexcept>

#include "quantcore/kernels/device.h"
#include "quantcore/kernels/packed_linear_cuda.h"

namespace quantcore::kernels {

namespace {
[[noreturn]] void absent() { throw std::runtime_error("this build has no CUDA kernels (nvcc was not found)"); }
}  // namespace

bool cuda_kernels_built() { return false; }
int cuda_device_count() { return 0; }

void packed_linear_cuda(const PackedLinearView&, DType, const void*, void*, int64_t, void*) { absent(); }
CudaBuffer::CudaBuffer(size_t) { absent(); }
CudaBuffer::~CudaBuffer() = default;
void CudaBuffer::upload(const void*, size_t) { absent(); }
void CudaBuffer::download(void*, size_t) const { absent(); }
CudaPackedOperand::CudaPackedOperand(const PackedOperand&) { absent(); }

}  // namespace quantcore::kernels
