#include <torch/cuda.h>

#include "quantcore/io/errors.h"
#include "quantcore/kernels/device.h"
#include "quantcore/model/compute_target.h"

namespace quantcore {

bool cuda_available() { return torch::cuda::is_available(); }

void check_compute_options(const ComputeOptions& options) {
  if (options.device != "cpu" && options.device != "cuda")
    throw InputError("--device", "unknown device '" + options.device + "' (use cpu or cuda)");
  if (options.dtype != "fp32" && options.dtype != "bf16" && options.dtype != "fp16")
    throw InputError("--dtype", "unknown dtype '" + options.dtype + "' (use fp32, bf16 or fp16)");
  if (options.device == "cpu" && options.dtype == "fp16")
    throw InputError("--dtype",
                     "fp16 computes only on CUDA (LibTorch has no fp16 CPU kernels); use fp32 or bf16 on cpu");
  if (options.device == "cuda" && !cuda_available())
    throw InputError("--device", QUANTLENS_TORCH_CUDA ? "cuda requested but no CUDA GPU is visible"
                                                      : "cuda requested but this build's LibTorch has no CUDA support");
  if (options.kernels != "dense" && options.kernels != "packed")
    throw InputError("--kernels", "unknown kernels '" + options.kernels + "' (use dense or packed)");
  if (options.kernels == "packed" && options.device == "cuda" && !kernels::cuda_kernels_built())
    throw InputError("--kernels", "packed on cuda needs the CUDA kernels, and this build has none (nvcc was not found)");
}

}  // namespace quantcore
