#include "quantcore/kernels/packed_linear.h"

#include <stdexcept>
#include <string>

#include "quantcore/kernels/packed_linear_cpu.h"
#include "quantcore/kernels/packed_linear_cuda.h"
#include "quantcore/pack/bit_packing.h"

namespace quantcore::kernels {

namespace {

void run_cpu_f32(const PackedLinearView& w, const void* x, void* y, int64_t batch, void*) {
  packed_linear_cpu(w, static_cast<const float*>(x), static_cast<float*>(y), batch);
}

#if QUANTLENS_HAVE_CUDA_KERNELS
template <DType D>
void run_cuda(const PackedLinearView& w, const void* x, void* y, int64_t batch, void* stream) {
  packed_linear_cuda(w, D, x, y, batch, stream);
}
#endif

void check_arguments(const PackedLinearView& w, const void* x, const void* y, int64_t batch) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("packed linear: " + what); };
  if (w.rows <= 0 || w.cols <= 0) fail("non-positive shape");
  if (w.salient < 0 || w.salient > w.cols) fail("salient count outside [0, cols]");
  if (w.code_bits != 4 && w.code_bits != 8) fail("code bits must be 4 or 8");
  if (w.sign_words != words_per_row(w.binarised(), 1) || w.code_words != words_per_row(w.salient, w.code_bits))
    fail("words per row do not match the shape");
  if (batch < 1) fail("batch must be at least 1");
  if (!x || !y || !w.signs || !w.a || !w.c || !w.scale || !w.zero) fail("null pointer");
  if (w.binarised() > 0 && (!w.binarised_columns || !w.r2_binarised)) fail("null pointer");
  if (w.salient > 0 && (!w.codes || !w.salient_columns)) fail("null pointer");
}

}  // namespace

const std::vector<PackedLinearKernel>& packed_linear_kernels() {
  static const std::vector<PackedLinearKernel> table = {
    {Device::Cpu, DType::F32, run_cpu_f32},
#if QUANTLENS_HAVE_CUDA_KERNELS
    {Device::Cuda, DType::F32, run_cuda<DType::F32>},
    {Device::Cuda, DType::F16, run_cuda<DType::F16>},
    {Device::Cuda, DType::BF16, run_cuda<DType::BF16>},
#endif
  };
  return table;
}

void packed_linear_forward(Device device, DType dtype, const PackedLinearView& weight, const void* x, void* y,
                           int64_t batch, void* stream) {
  check_arguments(weight, x, y, batch);
  for (const PackedLinearKernel& k : packed_linear_kernels())
    if (k.device == device && k.dtype == dtype) return k.run(weight, x, y, batch, stream);
  std::string have;
  for (const PackedLinearKernel& k : packed_linear_kernels())
    have += std::string(have.empty() ? "" : ", ") + device_name(k.device) + "/" + dtype_name(k.dtype);
  throw std::invalid_argument(std::string("packed linear: no kernel for ") + device_name(device) + "/" +
                              dtype_name(dtype) + " in this build (it has " + have + ")");
}

}  // namespace quantcore::kernels
