#pragma once
// Where a kernel runs and the element type of its activations. Torch-free: kernels take raw
// pointers and shapes; thin adaptors connect them to tensors (quantcore/model).
#include <string>

namespace quantcore::kernels {

enum class Device { Cpu, Cuda };
enum class DType { F32, F16, BF16 };

const char* device_name(Device device);  // "cpu", "cuda"
const char* dtype_name(DType dtype);     // "fp32", "fp16", "bf16"

// Whether this build compiled the CUDA kernels (nvcc was found), and how many CUDA devices
// answer (0 without CUDA kernels, driver or device).
bool cuda_kernels_built();
int cuda_device_count();

}  // namespace quantcore::kernels
